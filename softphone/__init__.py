"""Softphone: the iPhone call experience on the desktop.

Layers (see README): ``callkit`` and ``pushkit`` emulate iOS's call and push services
(pure Python), ``sip`` places real calls through pjsua2, ``phone`` is the VoIP app that
wires them together, ``ui`` draws the iOS screens with Qt Quick.
"""

from __future__ import annotations

__version__ = "0.1.0"
APP_NAME = "Softphone"

__all__ = ["APP_NAME", "__version__"]
