"""The audio seam between the SIP engine and the device layer.

On Linux the pjsua2 wheel has no sound backend. Two ways across:

- :class:`ClockedAudioBridge` (what ``softphone.audio`` does): the engine hands the bridge
  a :class:`MediaClock` and the sound device's own callback runs PJSIP's conference
  bridge, one microphone frame in and one speaker frame out per block, as a native
  PJSIP sound device does (``pjmedia_snd_port``). No Python runs on PJSIP's side; while
  no device runs, PJSIP's null device clocks the conference (silence both ways).
- a plain :class:`AudioBridge` (probes, tests): the engine owns a conference port and,
  every 20 ms on PJSIP's clock thread, asks it for one microphone frame and hands it one
  speaker frame.

``softphone.phone`` plugs a bridge into the engine. Neither side imports the other.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

#: The one format that crosses the seam: signed 16-bit little-endian mono PCM.
SAMPLE_RATE = 16_000
FRAME_MS = 20
FRAME_SAMPLES = SAMPLE_RATE * FRAME_MS // 1000  # 320
FRAME_BYTES = FRAME_SAMPLES * 2  # 640
#: PJSIP's conference frame, and so a clocked bridge's device block. Measured
#: (``python -m benchmarks audio``, two phones): 10 ms blocks cut mouth-to-ear latency
#: from ~105 to ~85 ms but cost ~1 % of a core more per phone (twice the wake-ups).
CONFERENCE_FRAME_MS = 20


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


@runtime_checkable
class MediaClock(Protocol):
    """PJSIP's conference bridge, run by a sound device's clock. Plain addresses of
    ``frame_samples`` signed 16-bit mono samples cross the seam (a device callback has
    raw buffers, and no Python object is made per block)."""

    frame_samples: int

    def attach(self) -> None:
        """The device clock takes over (PJSIP's null-device clock stops). Any thread;
        call before the device stream starts."""

    def detach(self) -> None:
        """PJSIP's own clock runs the conference again. Any thread; afterwards
        :meth:`exchange` does nothing and returns False."""

    def exchange(self, mic: int, speaker: int) -> bool:
        """Put the microphone frame at address ``mic`` into the conference and run it
        once; fills the frame at ``speaker`` and returns True, or returns False when
        there is nothing to play (``speaker`` not written). On the device's thread."""


@runtime_checkable
class ClockedAudioBridge(AudioBridge, Protocol):
    """A bridge whose devices run the conference through a :class:`MediaClock`."""

    def use_clock(self, clock: MediaClock | None) -> None:
        """The engine's clock (None: the engine is gone; stop calling it)."""
