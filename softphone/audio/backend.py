"""What the bridge and the tone players need from a sound system (a seam for tests)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from softphone.audio.ring import FloatArray

#: Called on the device's own thread with one block of mono float32 samples.
InputCallback = Callable[[FloatArray], None]
#: Called on the device's own thread to fill one block of mono float32 samples.
OutputCallback = Callable[[FloatArray], None]

#: Called on the device's thread with one captured block and one block to fill.
DuplexCallback = Callable[[FloatArray, FloatArray], None]

#: Called on the device's thread with the addresses of one captured block and one block
#: to fill (signed 16-bit mono) and the frame count: no Python object per block, for
#: handing the buffers straight to C (PJSIP's conference).
RawDuplexCallback = Callable[[int, int, int], None]


class DeviceKind(Enum):
    INPUT = "input"
    OUTPUT = "output"


@dataclass(frozen=True)
class AudioDevice:
    """One microphone or speaker. ``id`` is stable across runs and re-plugging (a
    PulseAudio sink/source name, or ``portaudio:<name>``) and is what settings store;
    ``name`` is for people."""

    id: str
    name: str
    kind: DeviceKind
    is_default: bool = False


class AudioUnavailableError(RuntimeError):
    """No sound system or no such device; the message says why, for the UI."""


class AudioStream(Protocol):
    """A running device stream (PortAudio's, or a test double)."""

    @property
    def active(self) -> bool: ...

    @property
    def xruns(self) -> int:
        """Device-level dropouts (PortAudio's over/underflow flags) so far."""

    def start(self) -> None: ...

    def close(self) -> None: ...


class AudioBackend(Protocol):
    """Lists devices and opens mono float32 streams on them."""

    def list_devices(self) -> list[AudioDevice]:
        """All devices now present; raises :class:`AudioUnavailableError`."""

    def open_input(
        self, device_id: str | None, rate: int, blocksize: int, callback: InputCallback
    ) -> AudioStream:
        """Open (not start) a capture stream; ``None`` = the default device."""

    def open_output(
        self, device_id: str | None, rate: int, blocksize: int, callback: OutputCallback
    ) -> AudioStream:
        """Open (not start) a playback stream; ``None`` = the default device."""

    def open_duplex(
        self,
        input_id: str | None,
        output_id: str | None,
        rate: int,
        blocksize: int,
        callback: DuplexCallback,
    ) -> AudioStream:
        """Open (not start) one capture+playback stream; raises
        :class:`AudioUnavailableError` when the pair cannot run as one stream."""

    def open_duplex_raw(
        self,
        input_id: str | None,
        output_id: str | None,
        rate: int,
        blocksize: int,
        callback: RawDuplexCallback,
    ) -> AudioStream:
        """:meth:`open_duplex` with signed 16-bit samples handed over by address."""
