"""Interpreter settings that keep device callbacks on time.

PortAudio's callback thread and PJSIP's clock thread run Python and need the GIL;
while the GUI thread runs Python they wait up to ``sys.getswitchinterval()`` (5 ms by
default) per hand-over. Measured (``python -m benchmarks audio``, GUI thread busy
50 ms in every 100 ms, 10 ms device blocks): 378 dropouts in 10 s at 5 ms, none at 1 ms.
"""

from __future__ import annotations

import sys

AUDIO_SWITCH_INTERVAL_S = 0.001


def prefer_audio_threads(interval_s: float = AUDIO_SWITCH_INTERVAL_S) -> float:
    """Shorten the GIL switch interval (process-wide) so audio callbacks get the GIL
    within ~1 ms of asking; returns the previous interval. Call once at start-up."""
    if not 0.0 < interval_s <= 0.005:
        raise ValueError(f"switch interval must be in (0, 0.005] s, got {interval_s!r}")
    previous = sys.getswitchinterval()
    sys.setswitchinterval(interval_s)
    return previous
