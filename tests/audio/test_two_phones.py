"""Two phones in two processes (pjsua2 engine + our device bridge), each on its own
virtual microphone and speaker of a private PulseAudio: a tone crosses the call in
both directions; mute and hold silence it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .phones import Phone
from .pulse_server import PulseServer, analyse, tone

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def phones(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[PulseServer, Phone, Phone]]:
    directory: Path = tmp_path_factory.mktemp("two-phones")
    pulse = PulseServer(directory, phones=("a", "b")).start()
    started: list[Phone] = []
    try:
        started.append(Phone(pulse, "a"))
        started.append(Phone(pulse, "b"))
        a, b = started
        a.do("call", uri=f"sip:b@127.0.0.1:{b.port}")
        for phone in (a, b):
            connected = phone.wait("connected")
            assert connected["audio"], connected
        yield pulse, a, b
    finally:
        for phone in started:
            phone.close()
        pulse.stop()


def _heard(pulse: PulseServer, into: str, out: str, freq: float) -> tuple[float, float]:
    """Play ``freq`` at -10 dBFS into ``into``'s mic; measure ``out``'s speaker."""
    player = pulse.play(f"{into}_feed", tone(freq, 4, 10 ** (-10 / 20)))
    try:
        time.sleep(0.6)
        return analyse(pulse.record(f"{out}_spk.monitor", 1.5))
    finally:
        player.kill()
        player.wait(timeout=5)


class TestTwoPhones:
    def test_tone_crosses_a_to_b(self, phones: tuple[PulseServer, Phone, Phone]) -> None:
        """1 kHz into A's microphone arrives at B's speaker at about the same level."""
        pulse, _a, _b = phones
        freq, level = _heard(pulse, "a", "b", 1000)
        assert freq == pytest.approx(1000, abs=10)
        assert level == pytest.approx(-10, abs=4)

    def test_tone_crosses_b_to_a(self, phones: tuple[PulseServer, Phone, Phone]) -> None:
        """700 Hz into B's microphone arrives at A's speaker."""
        pulse, _a, _b = phones
        freq, level = _heard(pulse, "b", "a", 700)
        assert freq == pytest.approx(700, abs=10)
        assert level == pytest.approx(-10, abs=4)

    def test_mute_silences_a(self, phones: tuple[PulseServer, Phone, Phone]) -> None:
        """A muted: B hears nothing of A's tone; unmuted again it comes back."""
        pulse, a, _b = phones
        a.do("mute")
        try:
            assert _heard(pulse, "a", "b", 1000)[1] < -60
        finally:
            a.do("unmute")
        assert _heard(pulse, "a", "b", 1000)[1] > -16

    def test_hold_silences_both_ways(self, phones: tuple[PulseServer, Phone, Phone]) -> None:
        """A holds: neither direction carries audio; after unhold both do again."""
        pulse, a, _b = phones
        a.do("hold")
        try:
            assert _heard(pulse, "a", "b", 1000)[1] < -60
            assert _heard(pulse, "b", "a", 700)[1] < -60
        finally:
            a.do("unhold")

    def test_audio_resumes_after_unhold(self, phones: tuple[PulseServer, Phone, Phone]) -> None:
        """After hold and unhold, B's tone reaches A again."""
        pulse, a, _b = phones
        a.do("hold")
        a.do("unhold")
        assert _heard(pulse, "b", "a", 700)[1] > -16
