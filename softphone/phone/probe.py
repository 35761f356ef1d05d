"""An audio bridge that needs no sound card: it speaks a test tone into the call and
measures that tone in what comes back. The demo uses it to prove the echo line talks."""

from __future__ import annotations

import math
import threading

import numpy as np

from softphone.sip.media import FRAME_SAMPLES, SAMPLE_RATE


def tone_level(samples: np.ndarray, freq: float, rate: int = SAMPLE_RATE) -> float:
    """Amplitude (0..1 of full scale) of ``freq`` in ``samples`` (Goertzel, int16 input)."""
    if samples.size == 0:
        return 0.0
    x = samples.astype(np.float64) / 32768.0
    n = np.arange(x.size)
    ref = np.exp(-2j * np.pi * freq * n / rate)
    return float(2.0 * abs(np.dot(x, ref)) / x.size)


class ToneProbeBridge:
    """``AudioBridge`` that sends a sine and keeps the last second it received."""

    def __init__(self, freq: float = 1000.0, level: float = 0.3) -> None:
        self.freq = freq
        self.level = level
        self._phase = 0
        self._lock = threading.Lock()
        self._received = np.zeros(SAMPLE_RATE, dtype=np.int16)
        self.frames_sent = 0
        self.frames_received = 0
        self.media_starts = 0
        self.sending = True

    def mic_frame(self, out: memoryview) -> None:
        buf = np.frombuffer(out, dtype=np.int16)
        if not self.sending:
            buf[:] = 0
            return
        n = np.arange(self._phase, self._phase + FRAME_SAMPLES)
        buf[:] = (np.sin(2 * math.pi * self.freq * n / SAMPLE_RATE) * self.level * 32767).astype(
            np.int16
        )
        self._phase = (self._phase + FRAME_SAMPLES) % SAMPLE_RATE
        self.frames_sent += 1

    def speaker_frame(self, data: memoryview) -> None:
        frame = np.frombuffer(data, dtype=np.int16)
        with self._lock:
            self._received = np.roll(self._received, -frame.size)
            self._received[-frame.size :] = frame
            self.frames_received += 1

    def media_started(self) -> None:
        self.media_starts += 1

    def media_stopped(self) -> None:
        pass

    def received_level(self, seconds: float = 0.5) -> float:
        """Level of the probe tone in the last ``seconds`` received."""
        with self._lock:
            tail = self._received[-int(SAMPLE_RATE * seconds) :].copy()
        return tone_level(tail, self.freq)
