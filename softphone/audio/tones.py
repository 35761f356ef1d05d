"""Call sounds, synthesised with numpy (16 kHz mono float32, -12 dBFS peaks).

Cadences follow ITU-T E.180 / national specs: US ringback 440+480 Hz 2 s on 4 s off;
EU (CEPT) ringback 425 Hz 1 s on 4 s off; DTMF per ITU-T Q.23; US call waiting
440 Hz. The ringtone is our own short marimba phrase. ``python -m
softphone.audio.tones DIR`` renders them all as WAV files into DIR
(resources/sounds).
"""

from __future__ import annotations

import sys
import wave
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

import numpy as np

from softphone.audio._format import SAMPLE_RATE
from softphone.audio.ring import FloatArray

LEVEL = 10 ** (-12 / 20)  # peak amplitude of every tone

DTMF_FREQS: dict[str, tuple[float, float]] = {
    key: (low, high)
    for low, row in zip((697.0, 770.0, 852.0, 941.0), ("123A", "456B", "789C", "*0#D"), strict=True)
    for high, key in zip((1209.0, 1336.0, 1477.0, 1633.0), row, strict=True)
}


class RingbackStyle(Enum):
    US = "us"
    EU = "eu"


@dataclass(frozen=True)
class Tone:
    """A named sound; ``loop`` sounds repeat until stopped."""

    name: str
    samples: FloatArray
    loop: bool

    @property
    def duration_s(self) -> float:
        return len(self.samples) / SAMPLE_RATE


def _t(seconds: float) -> np.ndarray:
    return np.arange(round(seconds * SAMPLE_RATE)) / SAMPLE_RATE


def _sines(freqs: tuple[float, ...], seconds: float, level: float = LEVEL) -> np.ndarray:
    t = _t(seconds)
    out = sum(np.sin(2 * np.pi * f * t) for f in freqs) / len(freqs)
    ramp = min(len(t) // 2, int(0.005 * SAMPLE_RATE))  # 5 ms fades: no clicks
    envelope = np.ones(len(t))
    envelope[:ramp] = np.linspace(0, 1, ramp)
    envelope[len(t) - ramp :] = np.linspace(1, 0, ramp)
    return np.asarray(level * out * envelope)


def _silence(seconds: float) -> np.ndarray:
    return np.zeros(len(_t(seconds)))


def _cat(*parts: np.ndarray) -> FloatArray:
    return np.concatenate(parts).astype(np.float32)


def ringback(style: RingbackStyle = RingbackStyle.US) -> Tone:
    if style is RingbackStyle.US:
        samples = _cat(_sines((440.0, 480.0), 2.0), _silence(4.0))
    else:
        samples = _cat(_sines((425.0,), 1.0), _silence(4.0))
    return Tone(f"ringback-{style.value}", samples, loop=True)


def dtmf(key: str, seconds: float = 0.12) -> Tone:
    if key.upper() not in DTMF_FREQS:
        raise ValueError(f"not a DTMF key: {key!r} (use 0-9, *, #, A-D)")
    return Tone(f"dtmf-{key}", _cat(_sines(DTMF_FREQS[key.upper()], seconds)), loop=False)


def call_waiting() -> Tone:
    beep = _sines((440.0,), 0.2)
    return Tone("call-waiting", _cat(beep, _silence(0.2), beep), loop=False)


def end_of_call() -> Tone:
    beep = _sines((480.0, 620.0), 0.15)
    gap = _silence(0.1)
    return Tone("end-of-call", _cat(beep, gap, beep, gap, beep), loop=False)


def ringtone() -> Tone:
    """A marimba-like arpeggio (decaying partials), 1.6 s of notes then 1.4 s rest."""
    notes = (659.25, 783.99, 1046.5, 783.99, 1318.5, 1046.5)
    parts = []
    for freq in notes:
        t = _t(0.2)
        decay = np.exp(-t * 14.0)
        body = np.sin(2 * np.pi * freq * t) + 0.3 * np.sin(2 * np.pi * 4 * freq * t) * decay
        parts.append(LEVEL * 0.8 * body * decay)
    parts.append(_silence(0.4))
    phrase = np.concatenate(parts)
    return Tone("ringtone", _cat(phrase, phrase, _silence(0.6)), loop=True)


def all_tones() -> list[Tone]:
    fixed = [ringtone(), ringback(RingbackStyle.US), ringback(RingbackStyle.EU)]
    return [*fixed, call_waiting(), end_of_call(), *(dtmf(k) for k in "0123456789*#")]


def write_wav(tone: Tone, path: Path) -> None:
    pcm = np.clip(tone.samples * 32767.0, -32768, 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(pcm.tobytes())


def _file_name(tone: Tone) -> str:
    return tone.name.replace("*", "star").replace("#", "hash") + ".wav"


def render(directory: Path) -> list[Path]:
    """Write every tone as ``<name>.wav`` into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for tone in all_tones():
        path = directory / _file_name(tone)
        write_wav(tone, path)
        paths.append(path)
    return paths


if __name__ == "__main__":
    for written in render(Path(sys.argv[1] if len(sys.argv) > 1 else "resources/sounds")):
        print(written)
