"""The call-audio bridge: PJSIP's 20 ms frames <-> real microphone and speaker.

Implements ``softphone.sip.media.ClockedAudioBridge`` structurally (no import: sibling
layers). With the engine's clock (the app's case) the devices run PJSIP's conference:

- one duplex stream: each 20 ms block's microphone and speaker buffers go to PJSIP by
  address (:meth:`DeviceAudioBridge._on_clocked_block`); capture and playback share the
  stream's clock, and PJSIP's port-0 delay buffer absorbs what differs between them;
- separate streams (no duplex pair): the speaker's stream clocks PJSIP and the
  microphone reaches it through a bounded ring whose reader runs a
  :class:`DriftCompensator`, because the two devices' clocks disagree.

Without a clock (an engine that calls :meth:`mic_frame`/:meth:`speaker_frame` on its
own 20 ms clock) both directions go through rings with drift compensation.
"""

from __future__ import annotations

import ctypes
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple, Protocol

import numpy as np

from softphone.audio._format import FRAME_SAMPLES, SAMPLE_RATE
from softphone.audio.backend import AudioBackend, AudioStream, AudioUnavailableError
from softphone.audio.drift import DriftCompensator
from softphone.audio.ring import SampleRing

SILENCE_DBFS = -120.0
#: PortAudio block: 10 ms. Through ALSA's pulse plugin the device buffers scale with
#: the block: 320 samples measured 136 ms loop latency, 160 samples 84 ms, for
#: ~0.5 % more CPU (python -m benchmarks audio, device-path loop).
DEVICE_BLOCK = FRAME_SAMPLES // 2
_PCM_SCALE = np.float32(1.0 / 32768.0)
_NO_OUTPUT = "No output device"


class EngineClock(Protocol):
    """``softphone.sip.media.MediaClock``, restated (sibling layers do not import)."""

    frame_samples: int

    def attach(self) -> None: ...

    def detach(self) -> None: ...

    def exchange(self, mic: int, speaker: int) -> bool: ...


class _ClockAddresses(NamedTuple):
    """Where the clocked path's int16 buffers live (looked up once, not per block)."""

    pcm: int  # the newest microphone block (level meter), or the ring's mic frame
    mic: int  # the microphone scaled by the gain
    spk: int  # the speaker frame of the separate-streams path
    zeros: int  # a silent frame (mute, hold)


def _dbfs(block: np.ndarray) -> float:
    """RMS of float samples in dBFS (a full-scale sine = 0)."""
    if len(block) == 0:
        return SILENCE_DBFS
    power = float(np.dot(block, block)) / len(block)
    return 10.0 * math.log10(power * 2.0) if power > 1e-12 else SILENCE_DBFS


def _pcm_at(address: int, samples: int) -> np.ndarray:
    """An int16 array over ``samples`` samples of C memory (no copy)."""
    return np.ctypeslib.as_array((ctypes.c_int16 * samples).from_address(address))


@dataclass(frozen=True)
class AudioStatus:
    """For the UI: can the user hear and be heard, and if not, why."""

    available: bool
    reason: str = ""
    input_device: str | None = None
    output_device: str | None = None


@dataclass(frozen=True)
class BridgeCounters:
    mic_underruns: int
    mic_overruns: int
    speaker_underruns: int
    speaker_overruns: int
    mic_resyncs: int
    speaker_resyncs: int
    mic_ratio: float
    speaker_ratio: float
    mic_target_ms: float  # adaptive: grows after underruns, relaxes when stable
    speaker_target_ms: float
    device_errors: int
    device_xruns: int
    mic_frames: int  # frames the engine asked for
    speaker_frames: int  # frames the engine delivered


class DeviceAudioBridge:
    """Full-duplex 16 kHz mono bridge between the SIP engine and sound devices.

    The engine calls :meth:`mic_frame`/:meth:`speaker_frame` every 20 ms; the
    :class:`~softphone.audio.session.AudioSession` calls :meth:`start_devices` and
    :meth:`stop_devices`. Before the devices run, the microphone yields silence and
    received audio is discarded.
    """

    def __init__(
        self,
        backend: AudioBackend | None,
        *,
        mic_target_ms: int = 40,  # 30 ms: 2-4 mic underruns/min with the GUI busy
        speaker_target_ms: int = 30,
        ring_ms: int = 500,
        device_block: int = DEVICE_BLOCK,
        on_device_error: Callable[[str], None] | None = None,
    ) -> None:
        self._backend = backend
        self._block = device_block
        ring = SAMPLE_RATE * ring_ms // 1000
        biggest = max(device_block, FRAME_SAMPLES)
        self._mic_ring = SampleRing(ring)
        self._spk_ring = SampleRing(ring)
        mic_target = SAMPLE_RATE * mic_target_ms // 1000
        spk_target = SAMPLE_RATE * speaker_target_ms // 1000
        self._mic = DriftCompensator(
            self._mic_ring, mic_target, biggest, max_target=mic_target * 5 // 2
        )
        self._spk = DriftCompensator(
            self._spk_ring, spk_target, biggest, max_target=spk_target * 5 // 2
        )
        self._mic_buf = np.zeros(FRAME_SAMPLES, dtype=np.float32)
        self._spk_in = np.zeros(FRAME_SAMPLES, dtype=np.float32)
        self._lock = threading.Lock()
        self._streams: list[AudioStream] = []
        self._on_device_error = on_device_error
        self._status = AudioStatus(False, "Audio session not active")
        self._running = False
        self.muted = False
        self.held = False
        self.speaker_volume = 1.0
        self.mic_gain = 1.0
        # The level meter: the newest microphone samples in the ring, measured only
        # when the UI asks (a few times a second), not on every 10 ms block.
        self._level_buf = np.zeros(device_block, dtype=np.float32)
        self._mic_out: memoryview | None = None  # the engine's frame buffer, and
        self._mic_pcm = np.zeros(0, dtype="<i2")  # its int16 view (made once)
        self._device_errors = 0
        self._closed_xruns = 0
        self._mic_frames = 0
        self._speaker_frames = 0
        self.input_device: str | None = None
        self.output_device: str | None = None
        self._clock: EngineClock | None = None
        self._clocked = False  # the running streams clock the engine
        self._clock_pcm = np.zeros(0, dtype=np.int16)  # clocked: mic copy (meter), zeros,
        self._clock_mic = np.zeros(0, dtype=np.int16)  # scaled mic, speaker scratch
        self._clock_spk = np.zeros(0, dtype=np.int16)
        self._zeros = np.zeros(0, dtype=np.int16)
        self._addr = _ClockAddresses(0, 0, 0, 0)

    # --- the engine's clock (ClockedAudioBridge) ---------------------------------------

    def use_clock(self, clock: EngineClock | None) -> None:
        """The engine's conference clock: from the next :meth:`start_devices` on, the
        devices run it. ``None``: stop calling the old one (the engine is going)."""
        with self._lock:
            self._clock = clock
            if clock is not None:
                n = clock.frame_samples
                self._clock_pcm = np.zeros(n, dtype=np.int16)
                self._clock_mic = np.zeros(n, dtype=np.int16)
                self._clock_spk = np.zeros(n, dtype=np.int16)
                self._zeros = np.zeros(n, dtype=np.int16)
                self._addr = _ClockAddresses(
                    self._clock_pcm.ctypes.data,
                    self._clock_mic.ctypes.data,
                    self._clock_spk.ctypes.data,
                    self._zeros.ctypes.data,
                )
            running = self._running
        if running and clock is not None:
            self.start_devices(self.input_device, self.output_device)

    def _on_clocked_block(self, mic: int, speaker: int, frames: int) -> None:
        """One duplex block (int16, by address): the microphone into PJSIP's
        conference, its output onto the speaker. PortAudio's thread."""
        clock = self._clock
        nbytes = frames * 2
        if clock is None or frames != len(self._zeros):
            ctypes.memset(speaker, 0, nbytes)
            return
        ctypes.memmove(self._addr.pcm, mic, nbytes)  # for the level meter
        self._run_clock(clock, mic, speaker, nbytes)

    def _run_clock(self, clock: EngineClock, mic: int, speaker: int, nbytes: int) -> None:
        self._mic_frames += 1
        if self.held or self.muted or not self._running:
            mic = self._addr.zeros
        elif self.mic_gain != 1.0:
            scaled = self._clock_mic
            pcm = _pcm_at(mic, len(scaled))
            np.clip(pcm * self.mic_gain, -32768, 32767, out=scaled, casting="unsafe")
            mic = self._addr.mic
        if not clock.exchange(mic, speaker) or self.held:
            ctypes.memset(speaker, 0, nbytes)
            return
        self._speaker_frames += 1
        volume = self.speaker_volume
        if volume != 1.0:
            pcm = _pcm_at(speaker, nbytes // 2)
            np.clip(pcm * volume, -32768, 32767, out=pcm, casting="unsafe")

    def _on_clocked_output(self, out: np.ndarray) -> None:
        """Separate streams: the speaker's block clocks PJSIP; the microphone comes from
        its ring through the drift compensator (two device clocks meet here)."""
        clock = self._clock
        if clock is None or len(out) != len(self._zeros):
            out[:] = 0.0
            return
        buf = self._mic_buf[: len(out)]
        mic = self._clock_pcm
        if self._mic.read(buf):
            np.multiply(buf, 32767.0, out=mic, casting="unsafe")
        else:
            mic[:] = 0
        spk = self._clock_spk
        self._run_clock(clock, self._addr.pcm, self._addr.spk, spk.nbytes)
        np.multiply(spk, _PCM_SCALE, out=out, casting="unsafe")

    # --- the AudioBridge protocol (PJSIP's clock thread) ---------------------------

    def mic_frame(self, out: memoryview) -> None:
        self._mic_frames += 1
        if out is self._mic_out:  # the engine reuses one buffer: view it once
            frame = self._mic_pcm
        else:
            frame = np.frombuffer(out, dtype="<i2")
            self._mic_out, self._mic_pcm = out, frame
        if not self._running or self.muted or self.held:
            frame[:] = 0
            self._mic_ring.clear()  # nothing stale when the microphone comes back
            return
        buf = self._mic_buf
        if not self._mic.read(buf):
            frame[:] = 0
            return
        # Clip, then scale straight into the int16 frame (truncating, as before).
        scale = 32767.0 * self.mic_gain
        if scale > 0.0:
            np.minimum(buf, 32767.0 / scale, out=buf)
            np.maximum(buf, -32768.0 / scale, out=buf)
        np.multiply(buf, scale, out=frame, casting="unsafe")

    def speaker_frame(self, data: memoryview) -> None:
        self._speaker_frames += 1
        if not self._running or self.held:
            return
        pcm = np.frombuffer(data, dtype="<i2")
        buf = self._spk_in[: len(pcm)]
        np.multiply(pcm, _PCM_SCALE, out=buf, casting="unsafe")
        self._spk_ring.write(buf)

    def media_started(self) -> None:
        self._mic_ring.clear()
        self._mic.reset()
        self._spk_ring.clear()
        self._spk.reset()

    def media_stopped(self) -> None:
        self._spk_ring.clear()
        self._spk.reset()

    # --- device threads -------------------------------------------------------------

    def _on_mic_block(self, block: np.ndarray) -> None:
        self._mic_ring.write(block)

    def _on_duplex_block(self, block: np.ndarray, out: np.ndarray) -> None:
        self._on_mic_block(block)
        self._on_speaker_block(out)

    def _on_speaker_block(self, out: np.ndarray) -> None:
        if self.held or not self._spk.read(out):
            out[:] = 0.0
            return
        volume = self.speaker_volume
        if volume != 1.0:
            out *= volume
            if volume > 1.0:  # else already in [-1, 1): int16 / 32768, interpolated
                np.minimum(out, 1.0, out=out)
                np.maximum(out, -1.0, out=out)

    # --- controls (any thread) --------------------------------------------------------

    def set_muted(self, muted: bool) -> None:
        """Mute: the peer hears silence (the meter still shows the microphone)."""
        self.muted = muted

    def set_held(self, held: bool) -> None:
        """Hold: no audio in either direction."""
        self.held = held
        if held:
            self._spk_ring.clear()

    def set_speaker_volume(self, volume: float) -> None:
        """Linear speaker volume, 0.0 (silent) .. 4.0 (+12 dB), as ``[audio]`` allows."""
        self.speaker_volume = _checked("speaker volume", volume)

    def set_mic_gain(self, gain: float) -> None:
        """Linear microphone gain, 0.0 .. 4.0 (+12 dB), as ``[audio]`` allows."""
        self.mic_gain = _checked("mic gain", gain)

    def input_level_dbfs(self) -> float:
        """Microphone RMS of the last device block in dBFS (a full-scale sine = 0)."""
        if not self._running:
            return SILENCE_DBFS
        if self._clocked and len(self._clock_pcm) and self._mic_ring.fill == 0:
            return _dbfs(self._clock_pcm.astype(np.float32) * _PCM_SCALE)
        n = self._mic_ring.latest(self._level_buf)
        return _dbfs(self._level_buf[:n])

    def counters(self) -> BridgeCounters:
        return BridgeCounters(
            mic_underruns=self._mic.stats.underruns,
            mic_overruns=self._mic_ring.overruns,
            speaker_underruns=self._spk.stats.underruns,
            speaker_overruns=self._spk_ring.overruns,
            mic_resyncs=self._mic.stats.resyncs,
            speaker_resyncs=self._spk.stats.resyncs,
            mic_ratio=self._mic.stats.ratio,
            speaker_ratio=self._spk.stats.ratio,
            mic_target_ms=self._mic.target_fill * 1000 / SAMPLE_RATE,
            speaker_target_ms=self._spk.target_fill * 1000 / SAMPLE_RATE,
            device_errors=self._device_errors,
            device_xruns=self._closed_xruns + sum(s.xruns for s in self._streams),
            mic_frames=self._mic_frames,
            speaker_frames=self._speaker_frames,
        )

    def status(self) -> AudioStatus:
        return self._status

    # --- device lifetime (the audio session) --------------------------------------

    @property
    def devices_running(self) -> bool:
        return self._running

    def start_devices(
        self, input_device: str | None = None, output_device: str | None = None
    ) -> None:
        """Open and start the microphone and speaker streams (``None`` = default).
        A missing device leaves that direction silent and says why in :meth:`status`."""
        with self._lock:
            self._close_streams()
            self.input_device, self.output_device = input_device, output_device
            self.media_started()
            problems = self._open_streams(input_device, output_device)
            self._running = bool(self._streams)
            if not self._running:
                self._unclock()
            self._status = AudioStatus(
                available=not problems,
                reason="; ".join(problems),
                input_device=input_device,
                output_device=output_device,
            )

    def stop_devices(self) -> None:
        with self._lock:
            self._close_streams()
            self._unclock()
            self._running = False
            self._status = AudioStatus(False, "Audio session not active")

    def streams_healthy(self) -> bool:
        """False when a started stream died (device unplugged, server gone)."""
        return all(stream.active for stream in self._streams)

    def _open_streams(self, input_device: str | None, output_device: str | None) -> list[str]:
        if self._backend is None:
            return ["No audio backend"]
        if self._clock is not None:
            return self._open_clocked(self._clock, input_device, output_device)
        try:
            duplex = self._backend.open_duplex(
                input_device, output_device, SAMPLE_RATE, self._block, self._on_duplex_block
            )
            duplex.start()
        except AudioUnavailableError:
            pass  # e.g. no microphone: open what works one by one and say what failed
        else:
            self._streams.append(duplex)
            return []
        return self._open_separately(input_device, output_device, self._on_speaker_block)

    def _open_clocked(
        self, clock: EngineClock, input_device: str | None, output_device: str | None
    ) -> list[str]:
        """The devices run the engine's conference: one duplex stream when the pair
        opens as one, else a microphone ring plus a speaker stream that clocks it. With
        no speaker stream nothing can clock it: PJSIP's null device goes on (silence)."""
        assert self._backend is not None
        try:
            clock.attach()
        except RuntimeError as exc:
            self._device_errors += 1
            return [f"Audio engine: {exc}"]
        self._clocked = True
        block = clock.frame_samples
        try:
            duplex = self._backend.open_duplex_raw(
                input_device, output_device, SAMPLE_RATE, block, self._on_clocked_block
            )
            self._streams.append(duplex)
            duplex.start()
        except AudioUnavailableError:
            self._close_streams()  # e.g. no microphone: open what works one by one
        else:
            return []
        problems = self._open_separately(
            input_device, output_device, self._on_clocked_output, block
        )
        if any(p.startswith(_NO_OUTPUT) for p in problems):
            clock.detach()
            self._clocked = False
        return problems

    def _open_separately(
        self,
        input_device: str | None,
        output_device: str | None,
        on_output: Callable[[np.ndarray], None],
        output_block: int | None = None,
    ) -> list[str]:
        """Microphone and speaker as two streams; each that fails is said (not fatal)."""
        assert self._backend is not None
        problems = []
        for opener, device, callback, label, block in (
            (self._backend.open_input, input_device, self._on_mic_block, "No input device",
             self._block),
            (self._backend.open_output, output_device, on_output, _NO_OUTPUT,
             output_block or self._block),
        ):  # fmt: skip
            try:
                stream = opener(device, SAMPLE_RATE, block, callback)
                stream.start()
            except AudioUnavailableError as exc:
                self._device_errors += 1
                problems.append(f"{label}: {exc}")
                if self._on_device_error is not None:
                    self._on_device_error(str(exc))
                continue
            self._streams.append(stream)
        return problems

    def _unclock(self) -> None:
        """PJSIP's own clock again (after the streams that ran it are closed)."""
        if self._clocked and self._clock is not None:
            self._clock.detach()
        self._clocked = False

    def _close_streams(self) -> None:
        for stream in self._streams:
            self._closed_xruns += stream.xruns
            try:
                stream.close()
            except Exception:  # a dead device may fail to close; it is gone either way
                self._device_errors += 1
        self._streams = []


def _checked(what: str, value: float) -> float:
    if not 0.0 <= value <= 4.0 or math.isnan(value):
        raise ValueError(f"{what} must be between 0.0 and 4.0, got {value!r}")
    return float(value)
