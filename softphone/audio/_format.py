"""The PCM format that crosses the engine seam.

Duplicated from ``softphone.sip.media`` on purpose: ``softphone.audio`` and
``softphone.sip`` are sibling layers and may not import each other. A test checks
the two stay equal.
"""

from __future__ import annotations

SAMPLE_RATE = 16_000
FRAME_MS = 20
FRAME_SAMPLES = SAMPLE_RATE * FRAME_MS // 1000  # 320
FRAME_BYTES = FRAME_SAMPLES * 2  # 640, signed 16-bit little-endian mono
