"""Playing call sounds: the ringer and the in-call tone player."""

from __future__ import annotations

import threading

from softphone.audio._format import FRAME_SAMPLES, SAMPLE_RATE
from softphone.audio.backend import AudioBackend, AudioStream, AudioUnavailableError
from softphone.audio.ring import FloatArray
from softphone.audio.tones import (
    RingbackStyle,
    Tone,
    call_waiting,
    dtmf,
    end_of_call,
    ringback,
    ringtone,
)


class TonePlayer:
    """Plays one :class:`Tone` at a time on one output device, in its own PortAudio
    stream (PulseAudio mixes it with call audio). The stream is opened on
    :meth:`play` and closed on :meth:`stop` or the next :meth:`play`."""

    def __init__(self, backend: AudioBackend | None, device_id: str | None = None) -> None:
        self._backend = backend
        self.device_id = device_id
        self._stream: AudioStream | None = None
        self._tone: Tone | None = None
        self._pos = 0
        self._finished = True
        self._lock = threading.Lock()
        self.last_error = ""

    @property
    def current(self) -> Tone | None:
        """The tone now sounding (``None`` when silent or a one-shot has ended)."""
        tone = self._tone
        return None if tone is None or self._finished else tone

    @property
    def is_playing(self) -> bool:
        return self.current is not None

    def play(self, tone: Tone) -> bool:
        """Start ``tone`` from its beginning, replacing whatever played; False (and
        :attr:`last_error`) when no device could be opened."""
        self.stop()
        with self._lock:
            self._tone, self._pos, self._finished = tone, 0, False
        if self._backend is None:
            self.last_error = "No audio backend"
            self._finished = True
            return False
        try:
            stream = self._backend.open_output(
                self.device_id, SAMPLE_RATE, FRAME_SAMPLES, self._fill
            )
            stream.start()
        except AudioUnavailableError as exc:
            self.last_error = str(exc)
            self._finished = True
            return False
        self._stream = stream
        return True

    def stop(self) -> None:
        """Silence and release the device (idempotent)."""
        stream, self._stream = self._stream, None
        with self._lock:
            self._finished = True
        if stream is not None:
            stream.close()

    def set_device(self, device_id: str | None) -> None:
        """Use another device; a looping tone continues there."""
        self.device_id = device_id
        tone = self.current
        if tone is not None and tone.loop:
            self.play(tone)

    def _fill(self, out: FloatArray) -> None:
        with self._lock:
            tone = self._tone
            if tone is None or self._finished:
                out[:] = 0.0
                return
            self._pos = _copy_tone(tone, self._pos, out)
            if not tone.loop and self._pos >= len(tone.samples):
                self._finished = True


def _copy_tone(tone: Tone, pos: int, out: FloatArray) -> int:
    samples, n, done = tone.samples, len(out), 0
    while done < n:
        if pos >= len(samples):
            if not tone.loop:
                out[done:] = 0.0
                return pos
            pos = 0
        take = min(n - done, len(samples) - pos)
        out[done : done + take] = samples[pos : pos + take]
        done, pos = done + take, pos + take
    return pos


class Ringer:
    """The incoming-call ringtone, looped on the ringer device until :meth:`stop`
    (answer, decline, or the caller cancelling)."""

    def __init__(self, backend: AudioBackend | None, device_id: str | None = None) -> None:
        self._player = TonePlayer(backend, device_id)
        self._tone = ringtone()

    @property
    def is_ringing(self) -> bool:
        return self._player.is_playing

    @property
    def last_error(self) -> str:
        return self._player.last_error

    def start(self) -> bool:
        return self._player.play(self._tone)

    def stop(self) -> None:
        self._player.stop()

    def set_device(self, device_id: str | None) -> None:
        self._player.set_device(device_id)


class CallTones:
    """Call-progress sounds on the speaker device: ringback until answer or early
    media, DTMF key feedback, the call-waiting beep and the end-of-call tone."""

    def __init__(
        self,
        backend: AudioBackend | None,
        device_id: str | None = None,
        ringback_style: RingbackStyle = RingbackStyle.US,
    ) -> None:
        self.player = TonePlayer(backend, device_id)
        self._ringback = ringback(ringback_style)
        self._waiting = call_waiting()
        self._end = end_of_call()
        self._dtmf = {key: dtmf(key) for key in "0123456789*#ABCD"}

    def start_ringback(self) -> bool:
        return self.player.play(self._ringback)

    def early_media(self) -> None:
        """The peer sends its own progress audio: our ringback must stop."""
        self.stop_ringback()

    def stop_ringback(self) -> None:
        if self.player.current is self._ringback:
            self.player.stop()

    def key(self, key: str) -> bool:
        tone = self._dtmf.get(key.upper())
        if tone is None:
            raise ValueError(f"not a DTMF key: {key!r} (use 0-9, *, #, A-D)")
        return self.player.play(tone)

    def call_waiting(self) -> bool:
        return self.player.play(self._waiting)

    def end_of_call(self) -> bool:
        return self.player.play(self._end)

    def stop(self) -> None:
        self.player.stop()

    def set_device(self, device_id: str | None) -> None:
        self.player.set_device(device_id)


__all__ = ["CallTones", "Ringer", "TonePlayer"]
