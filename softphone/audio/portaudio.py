"""The real backend: PortAudio (``sounddevice``) callback streams.

PortAudio runs each stream's callback on its own high-priority thread, so call audio
keeps flowing while the GUI thread is busy (measured: zero dropouts, where Qt audio
on the GUI thread had hundreds). PySide6-Essentials has no QtMultimedia, which
settles the choice. With PulseAudio present, devices are PulseAudio's sinks/sources
(:mod:`softphone.audio.pulse`) reached through ALSA's pulse plugin; without it, the
PortAudio device list is used directly (ids ``portaudio:<name>``).
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from softphone.audio.backend import (
    AudioDevice,
    AudioStream,
    AudioUnavailableError,
    DeviceKind,
    DuplexCallback,
    InputCallback,
    OutputCallback,
    RawDuplexCallback,
)
from softphone.audio.pulse import list_pulse_devices, pulse_env_var

PORTAUDIO_PREFIX = "portaudio:"
_PULSE_PCM = "pulse"
# setenv + open must not interleave between threads opening streams.
_OPEN_LOCK = threading.Lock()


def _sd() -> Any:
    try:
        import sounddevice
    except OSError as exc:  # libportaudio2 missing
        raise AudioUnavailableError(f"PortAudio library not found ({exc})") from exc
    return sounddevice


class PortAudioBackend:
    """Device listing and stream opening on PortAudio; PulseAudio-aware."""

    def __init__(
        self,
        *,
        use_pulse: bool = True,
        latency: float | str = "low",
        call_latency: float | str = 0.0,
    ) -> None:
        """``latency``: PortAudio's suggested latency ("low", "high" or seconds). Through
        ALSA's pulse plugin the block size matters more (see ``bridge.DEVICE_BLOCK``);
        ``PULSE_LATENCY_MSEC`` measured no effect. ``call_latency``: the same for the
        call's raw duplex stream; 0 = the smallest buffers the device allows (measured
        with 20 ms blocks: ~105 ms mouth-to-ear vs ~115-125 ms with "low")."""
        self._use_pulse = use_pulse
        self._latency = latency
        self._call_latency = call_latency
        self.open_streams = 0

    def list_devices(self) -> list[AudioDevice]:
        """PulseAudio's devices when its server answers, else PortAudio's own list.
        PortAudio (and ALSA's pulse hook, evaluated once per init) only sees devices
        and servers that appeared since it started after a re-init, done here while
        no stream is open; with PulseAudio, pactl sees hot-plugs without one."""
        if self._use_pulse:
            if self._pulse_pcm_index() is None and self.open_streams == 0:
                self.rescan_portaudio()
            if self._pulse_pcm_index() is not None:
                return list_pulse_devices()
        elif self.open_streams == 0:
            self.rescan_portaudio()
        devices = self._portaudio_devices()
        if not devices and self._use_pulse:
            list_pulse_devices()  # raises with the server's reason when there is none
        if not devices:
            raise AudioUnavailableError("PortAudio: no audio devices")
        return devices

    def rescan_portaudio(self) -> None:
        """Re-initialise PortAudio (and ALSA's configuration). Only while no stream
        is open: :meth:`list_devices` checks."""
        sd = _sd()
        sd._terminate()
        sd._initialize()

    def open_input(
        self, device_id: str | None, rate: int, blocksize: int, callback: InputCallback
    ) -> AudioStream:
        xruns = [0]

        def on_block(indata: Any, frames: int, _time: Any, status: Any) -> None:
            if status:
                xruns[0] += 1
            callback(indata[:, 0])

        device, env = self._resolve(DeviceKind.INPUT, device_id)
        return self._create("InputStream", device, env, rate, blocksize, on_block, xruns)

    def open_output(
        self, device_id: str | None, rate: int, blocksize: int, callback: OutputCallback
    ) -> AudioStream:
        xruns = [0]

        def on_block(outdata: Any, frames: int, _time: Any, status: Any) -> None:
            if status:
                xruns[0] += 1
            callback(outdata[:, 0])

        device, env = self._resolve(DeviceKind.OUTPUT, device_id)
        return self._create("OutputStream", device, env, rate, blocksize, on_block, xruns)

    def open_duplex(
        self,
        input_id: str | None,
        output_id: str | None,
        rate: int,
        blocksize: int,
        callback: DuplexCallback,
    ) -> AudioStream:
        """One full-duplex stream: one device thread instead of two (measured: 2.7 %
        vs 4.2 % of a core through ALSA's pulse plugin)."""
        xruns = [0]
        frombuffer, f32 = np.frombuffer, np.float32

        def on_block(indata: Any, outdata: Any, frames: int, _time: Any, status: Any) -> None:
            # A raw stream: sounddevice hands over cffi buffers (mono float32), so one
            # frombuffer each instead of its array wrapping, reshape and our slicing.
            if status:
                xruns[0] += 1
            callback(frombuffer(indata, f32), frombuffer(outdata, f32))

        in_dev, in_env = self._resolve(DeviceKind.INPUT, input_id)
        out_dev, out_env = self._resolve(DeviceKind.OUTPUT, output_id)
        env = {**in_env, **out_env}
        return self._create("RawStream", (in_dev, out_dev), env, rate, blocksize, on_block, xruns)

    def open_duplex_raw(
        self,
        input_id: str | None,
        output_id: str | None,
        rate: int,
        blocksize: int,
        callback: RawDuplexCallback,
    ) -> AudioStream:
        """A duplex int16 stream whose PortAudio callback is a cffi function taking the
        buffer addresses as integers: sounddevice's wrapper (buffer objects, flag
        objects, exception checks) is skipped, and the addresses go to C as they are.
        Pointers are declared ``uintptr_t``: passed identically on every ABI PortAudio
        runs on (SysV x86-64, AArch64, Windows x64)."""
        xruns = [0]

        def on_block(
            in_ptr: int, out_ptr: int, frames: int, _time: int, status: int, _user: int
        ) -> int:
            if status:
                xruns[0] += 1
            callback(in_ptr, out_ptr, frames)
            return 0  # paContinue

        raw = _raw_ffi().callback("RawPaCallback", on_block, error=0)
        in_dev, in_env = self._resolve(DeviceKind.INPUT, input_id)
        out_dev, out_env = self._resolve(DeviceKind.OUTPUT, output_id)
        env = {**in_env, **out_env}
        stream = self._create(
            "_StreamBase", (in_dev, out_dev), env, rate, blocksize, raw, xruns, np.int16,
            self._call_latency,
        )  # fmt: skip
        stream.keep = raw  # PortAudio holds only the function pointer
        return stream

    def _create(
        self,
        cls_name: str,
        device: Any,
        env: dict[str, str],
        rate: int,
        blocksize: int,
        cb: Any,
        xruns: list[int],
        dtype: Any = np.float32,
        latency: float | str | None = None,
    ) -> _PortAudioStream:
        sd = _sd()
        label = {"InputStream": "input", "OutputStream": "output"}.get(cls_name, "duplex")
        # _StreamBase with wrap_callback=None takes a C callback as it is (sounddevice
        # 0.5.6, pinned; its RawStream would wrap it in Python objects again).
        extra = {"kind": "duplex", "wrap_callback": None} if cls_name == "_StreamBase" else {}
        with _OPEN_LOCK:
            saved = {k: os.environ.get(k) for k in env}
            os.environ.update(env)
            try:
                stream = getattr(sd, cls_name)(
                    samplerate=rate,
                    blocksize=blocksize,
                    channels=1,
                    dtype=dtype,
                    device=device,
                    latency=self._latency if latency is None else latency,
                    callback=cb,
                    **extra,
                )
            except sd.PortAudioError as exc:
                raise AudioUnavailableError(f"PortAudio: cannot open {label}: {exc}") from exc
            finally:
                for key, value in saved.items():
                    if value is None:
                        os.environ.pop(key, None)
                    else:
                        os.environ[key] = value
        self.open_streams += 1
        return _PortAudioStream(stream, label, self._stream_closed, xruns)

    def _stream_closed(self) -> None:
        self.open_streams -= 1

    def _resolve(self, kind: DeviceKind, device_id: str | None) -> tuple[Any, dict[str, str]]:
        if device_id is not None and device_id.startswith(PORTAUDIO_PREFIX):
            return self._portaudio_index(kind, device_id[len(PORTAUDIO_PREFIX) :]), {}
        pulse = self._pulse_pcm_index() if self._use_pulse else None
        if pulse is None:
            if device_id is not None:
                raise AudioUnavailableError(f"No PulseAudio for device {device_id!r}")
            return None, {}
        return pulse, ({pulse_env_var(kind): device_id} if device_id else {})

    def _pulse_pcm_index(self) -> int | None:
        sd = _sd()
        for index, info in enumerate(sd.query_devices()):
            if info["name"] == _PULSE_PCM:
                return index
        return None

    def _portaudio_devices(self) -> list[AudioDevice]:
        sd = _sd()
        defaults = sd.default.device
        out: list[AudioDevice] = []
        for index, info in enumerate(sd.query_devices()):
            for kind, channels, default in (
                (DeviceKind.INPUT, "max_input_channels", defaults[0]),
                (DeviceKind.OUTPUT, "max_output_channels", defaults[1]),
            ):
                if info[channels] > 0:
                    name = str(info["name"])
                    out.append(
                        AudioDevice(
                            PORTAUDIO_PREFIX + name, name, kind, is_default=index == default
                        )
                    )
        return out

    def _portaudio_index(self, kind: DeviceKind, name: str) -> int:
        channels = "max_input_channels" if kind is DeviceKind.INPUT else "max_output_channels"
        for index, info in enumerate(_sd().query_devices()):
            if info["name"] == name and info[channels] > 0:
                return index
        raise AudioUnavailableError(f"No {kind.value} device {name!r}")


@functools.cache
def _raw_ffi() -> Any:
    """A cffi instance declaring PortAudio's stream callback with integer pointers."""
    import cffi

    ffi = cffi.FFI()
    ffi.cdef(
        "typedef int RawPaCallback(uintptr_t input, uintptr_t output,"
        " unsigned long frames, uintptr_t time_info, unsigned long status,"
        " uintptr_t user);"
    )
    return ffi


class _PortAudioStream:
    """A sounddevice stream whose errors are :class:`AudioUnavailableError`."""

    keep: Any = None  # what must live as long as the stream (a C callback)

    def __init__(
        self, stream: Any, label: str, on_close: Callable[[], None], xruns: list[int]
    ) -> None:
        self._stream = stream
        self._xruns = xruns
        self._label = label
        self._on_close: Callable[[], None] | None = on_close

    @property
    def active(self) -> bool:
        return bool(self._stream.active)

    @property
    def xruns(self) -> int:
        """Callbacks PortAudio flagged with an overflow/underflow (device dropouts)."""
        return self._xruns[0]

    def start(self) -> None:
        try:
            self._stream.start()
        except _sd().PortAudioError as exc:
            self.close()
            raise AudioUnavailableError(f"PortAudio: cannot start {self._label}: {exc}") from exc

    def close(self) -> None:
        self._stream.close(ignore_errors=True)
        on_close, self._on_close = self._on_close, None
        if on_close is not None:
            on_close()
