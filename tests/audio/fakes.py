"""A recording stand-in for the sound system (one layer above PortAudio; the real
backend is exercised against PulseAudio in test_pulse_*.py)."""

from __future__ import annotations

import ctypes
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from softphone.audio import AudioDevice, AudioUnavailableError, DeviceKind
from softphone.audio.backend import (
    DuplexCallback,
    InputCallback,
    OutputCallback,
    RawDuplexCallback,
)


@dataclass
class FakeStream:
    kind: DeviceKind | None  # None: duplex
    device_id: str | None
    callback: Any
    active: bool = False
    closed: bool = False
    xruns: int = 0

    def start(self) -> None:
        self.active = True

    def close(self) -> None:
        self.active, self.closed = False, True

    def push(self, block: np.ndarray) -> None:
        """Deliver a microphone block as the device thread would."""
        self.callback(block.astype(np.float32))

    def pull(self, n: int) -> np.ndarray:
        """Ask for a speaker block as the device thread would."""
        out = np.full(n, np.nan, dtype=np.float32)
        self.callback(out)
        return out


def pcm_at(address: int, samples: int) -> np.ndarray:
    return np.ctypeslib.as_array((ctypes.c_int16 * samples).from_address(address))


@dataclass
class FakeRawStream(FakeStream):
    """A duplex int16 stream handing buffer addresses to its callback."""

    def cycle(self, mic: np.ndarray) -> np.ndarray:
        """One device block: ``mic`` (int16) captured, the played block returned."""
        captured = np.ascontiguousarray(mic, dtype=np.int16)
        played = np.full(len(captured), 12345, dtype=np.int16)  # stale unless written
        self.callback(captured.ctypes.data, played.ctypes.data, len(captured))
        return played


@dataclass
class FakeClock:
    """The engine's conference clock (``MediaClock``): records what the microphone
    sent and plays queued frames; ``False`` (nothing to play) when none is queued."""

    frame_samples: int = 320
    attached: bool = False
    sent: list[np.ndarray] = field(default_factory=list)
    to_play: list[np.ndarray] = field(default_factory=list)
    attaches: int = 0
    fail_attach: str = ""

    def attach(self) -> None:
        if self.fail_attach:
            raise RuntimeError(self.fail_attach)
        self.attached = True
        self.attaches += 1

    def detach(self) -> None:
        self.attached = False

    def exchange(self, mic: int, speaker: int) -> bool:
        assert self.attached, "exchange on a detached clock"
        self.sent.append(pcm_at(mic, self.frame_samples).copy())
        if not self.to_play:
            return False
        pcm_at(speaker, self.frame_samples)[:] = self.to_play.pop(0)
        return True


@dataclass
class FakeBackend:
    devices: list[AudioDevice] = field(
        default_factory=lambda: [
            AudioDevice("mic-1", "Built-in Mic", DeviceKind.INPUT, is_default=True),
            AudioDevice("spk-1", "Built-in Speaker", DeviceKind.OUTPUT, is_default=True),
        ]
    )
    unavailable: str = ""
    fail_open: set[DeviceKind] = field(default_factory=set)
    streams: list[FakeStream] = field(default_factory=list)
    duplex: bool = False

    def list_devices(self) -> list[AudioDevice]:
        if self.unavailable:
            raise AudioUnavailableError(self.unavailable)
        return list(self.devices)

    def open_input(
        self, device_id: str | None, rate: int, blocksize: int, callback: InputCallback
    ) -> FakeStream:
        return self._open(DeviceKind.INPUT, device_id, callback)

    def open_output(
        self, device_id: str | None, rate: int, blocksize: int, callback: OutputCallback
    ) -> FakeStream:
        return self._open(DeviceKind.OUTPUT, device_id, callback)

    def open_duplex(
        self,
        input_id: str | None,
        output_id: str | None,
        rate: int,
        blocksize: int,
        callback: DuplexCallback,
    ) -> FakeStream:
        if not self.duplex:
            raise AudioUnavailableError("duplex not supported")
        stream = FakeStream(None, f"{input_id}+{output_id}", callback)
        self.streams.append(stream)
        return stream

    def open_duplex_raw(
        self,
        input_id: str | None,
        output_id: str | None,
        rate: int,
        blocksize: int,
        callback: RawDuplexCallback,
    ) -> FakeRawStream:
        if not self.duplex:
            raise AudioUnavailableError("duplex not supported")
        stream = FakeRawStream(None, f"{input_id}+{output_id}", callback)
        self.streams.append(stream)
        return stream

    def _open(
        self, kind: DeviceKind, device_id: str | None, callback: InputCallback | OutputCallback
    ) -> FakeStream:
        if kind in self.fail_open or self.unavailable:
            raise AudioUnavailableError(self.unavailable or f"no {kind.value} device")
        stream = FakeStream(kind, device_id, callback)
        self.streams.append(stream)
        return stream

    def live(self, kind: DeviceKind) -> FakeStream:
        (stream,) = [s for s in self.streams if s.kind is kind and not s.closed]
        return stream
