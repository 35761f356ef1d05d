"""Generated call sounds and their players (recording backend)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from softphone.audio import CallTones, DeviceKind, Ringer, TonePlayer
from softphone.audio._format import SAMPLE_RATE
from softphone.audio.tones import DTMF_FREQS, RingbackStyle, dtmf, render, ringback, ringtone

from .fakes import FakeBackend
from .pulse_server import analyse


def _peaks(samples: np.ndarray, count: int) -> list[float]:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    freqs = np.fft.rfftfreq(len(samples), 1 / SAMPLE_RATE)
    order = np.argsort(spectrum)[::-1]
    found: list[float] = []
    for i in order:
        if all(abs(freqs[i] - f) > 30 for f in found):
            found.append(float(freqs[i]))
        if len(found) == count:
            break
    return sorted(found)


class TestTones:
    @pytest.mark.parametrize("key", list("159*0#"))
    def test_dtmf_has_its_two_frequencies(self, key: str) -> None:
        """Each DTMF key tone holds exactly its Q.23 row and column frequencies."""
        low, high = DTMF_FREQS[key]
        assert _peaks(dtmf(key).samples, 2) == pytest.approx([low, high], abs=10)

    def test_bad_dtmf_key(self) -> None:
        """A non-DTMF key raises a clear error."""
        with pytest.raises(ValueError, match="not a DTMF key: 'x'"):
            dtmf("x")

    def test_ringback_cadences(self) -> None:
        """US: 440+480 Hz 2 s on / 4 s off; EU: 425 Hz 1 s on / 4 s off."""
        us, eu = ringback(RingbackStyle.US), ringback(RingbackStyle.EU)
        assert (us.duration_s, eu.duration_s) == (6.0, 5.0)
        assert _peaks(us.samples[: 2 * SAMPLE_RATE], 2) == pytest.approx([440, 480], abs=5)
        assert not us.samples[int(2.01 * SAMPLE_RATE) :].any()
        assert analyse(eu.samples[:SAMPLE_RATE].astype(np.float64))[0] == pytest.approx(425, abs=5)
        assert us.loop and eu.loop

    def test_levels_never_clip(self) -> None:
        """Every tone peaks at or below -12 dBFS."""
        assert np.abs(ringtone().samples).max() <= 10 ** (-12 / 20) + 1e-6

    def test_rendered_resources_match_the_generator(self, tmp_path: Path) -> None:
        """resources/sounds holds exactly what the generator renders."""
        shipped = Path(__file__).parents[2] / "resources" / "sounds"
        for path in render(tmp_path):
            assert (shipped / path.name).read_bytes() == path.read_bytes(), path.name


class TestPlayers:
    def test_ringer_loops_until_stopped(self) -> None:
        """The ringtone plays on the ringer device, wraps around, and stops on stop()."""
        backend = FakeBackend()
        ringer = Ringer(backend, "ringer-dev")
        assert ringer.start() and ringer.is_ringing
        stream = backend.live(DeviceKind.OUTPUT)
        assert stream.device_id == "ringer-dev"
        length = len(ringtone().samples)
        played = np.concatenate([stream.pull(320) for _ in range(length // 320 + 10)])
        assert np.array_equal(played[length : length + 1000], ringtone().samples[:1000])
        ringer.stop()
        assert stream.closed and not ringer.is_ringing

    def test_one_shot_ends_by_itself(self) -> None:
        """A DTMF tone plays once then is silent and no longer 'playing'."""
        backend = FakeBackend()
        tones = CallTones(backend)
        tones.key("5")
        stream = backend.live(DeviceKind.OUTPUT)
        for _ in range(7):
            stream.pull(320)
        assert not tones.player.is_playing
        assert not stream.pull(320).any()

    def test_early_media_stops_only_ringback(self) -> None:
        """early_media() ends ringback but leaves e.g. a call-waiting beep alone."""
        backend = FakeBackend()
        tones = CallTones(backend)
        tones.start_ringback()
        tones.early_media()
        assert not tones.player.is_playing
        tones.call_waiting()
        tones.early_media()
        assert tones.player.is_playing

    def test_no_device_reports_why(self) -> None:
        """A player with no device returns False and keeps the reason."""
        backend = FakeBackend(fail_open={DeviceKind.OUTPUT})
        player = TonePlayer(backend)
        assert not player.play(ringtone())
        assert player.last_error == "no output device"
