"""The audio seam between the SIP engine and the device layer.

The pjsua2 engine owns a conference-bridge port (a ``pjsua2.AudioMediaPort`` on Linux,
where the wheel has no sound backend) and, every 20 ms on PJSIP's clock thread, asks an
:class:`AudioBridge` for one microphone frame and hands it one speaker frame.
``softphone.audio`` implements the bridge with real devices; ``softphone.phone`` plugs
one into the engine. Neither side imports the other.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

#: The one format that crosses the seam: signed 16-bit little-endian mono PCM.
SAMPLE_RATE = 16_000
FRAME_MS = 20
FRAME_SAMPLES = SAMPLE_RATE * FRAME_MS // 1000  # 320
FRAME_BYTES = FRAME_SAMPLES * 2  # 640


@runtime_checkable
class AudioBridge(Protocol):
    """What the engine's bridge port calls. Every method runs on PJSIP's clock thread
    (with the GIL held): keep it short, never block, never raise."""

    def mic_frame(self, out: memoryview) -> None:
        """Fill ``out`` (FRAME_BYTES writable bytes) with the next microphone frame;
        silence when there is none."""

    def speaker_frame(self, data: memoryview) -> None:
        """Take one received frame (FRAME_BYTES bytes, valid only during the call)."""

    def media_started(self) -> None:
        """Call media became active: flush the microphone ring (stale audio would
        add permanent latency)."""

    def media_stopped(self) -> None:
        """No call media any more (all calls ended or held)."""
