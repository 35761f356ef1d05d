"""The Inspector: CallKit timeline, SIP ladder and push log of a session, beside the phone.

``feed`` (records and :class:`InspectorFeed`) and ``export`` are free of Qt; the window and
its models import PySide6 only when :func:`open_inspector` is called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from softphone.ui.inspector.export import SessionFileError, export_session, load_session
from softphone.ui.inspector.feed import (
    FeedChange,
    InspectorFeed,
    PushRecord,
    SipMessage,
    TimelineEntry,
)
from softphone.ui.inspector.redaction import redact_sip

if TYPE_CHECKING:
    from softphone.ui.inspector.window import InspectorWindow

__all__ = [
    "FeedChange",
    "InspectorFeed",
    "PushRecord",
    "SessionFileError",
    "SipMessage",
    "TimelineEntry",
    "export_session",
    "load_session",
    "open_inspector",
    "redact_sip",
]


def open_inspector(feed: InspectorFeed, parent_engine: Any = None) -> InspectorWindow:
    """Create and show the Inspector window for ``feed`` (needs a running QGuiApplication)."""
    from softphone.ui.inspector.window import open_inspector as _open

    return _open(feed, parent_engine)
