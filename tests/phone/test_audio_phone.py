"""The whole phone on real (virtual) sound devices: a private PulseAudio, the app's
AudioSystem through PortAudio, CallKit's audio session gating the bridge."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from softphone.audio import AudioSystem, DeviceChoice
from softphone.phone.runtime import PhoneRuntime
from softphone.settings import Settings
from softphone.sip.pjsua import create_engine
from tests.audio.pulse_server import PulseServer, analyse, serving, tone
from tests.phone._runtime import running

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def pulse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PulseServer]:
    with serving(tmp_path_factory.mktemp("pulse-phone")) as server:
        yield server


@pytest.fixture
async def phone(pulse: PulseServer, tmp_path: Path) -> AsyncIterator[PhoneRuntime]:
    audio = AudioSystem.default(DeviceChoice(microphone="mic", speaker="spk", ringer="ringer"))
    assert audio.status().available, audio.status()
    async with running(PhoneRuntime(create_engine(), Settings(), audio_system=audio)) as runtime:
        yield runtime


async def _record(pulse: PulseServer, source: str, seconds: float) -> tuple[float, float]:
    samples = await asyncio.to_thread(pulse.record, source, seconds)
    return analyse(samples)


async def test_ringtone_on_the_ringer_until_answered(
    pulse: PulseServer, phone: PhoneRuntime
) -> None:
    assert phone.test_line is not None
    host, port = phone.engine.local_address("udp")
    await phone.test_line.ring(f"sip:me@{host}:{port}")
    await phone.control.execute("wait-for", {"event": "call.incoming"})
    assert phone.audio is not None and phone.audio.audio.ringer.is_ringing
    freq, level = await _record(pulse, "ringer.monitor", 1.0)
    assert level > -40, (freq, level)
    assert not phone.audio.audio.session.is_active  # no call audio before answering
    await phone.control.execute("answer", {})
    await phone.control.execute("wait-for", {"event": "call.connected"})
    await phone.control.execute("wait-for", {"event": "audio.activated"})
    assert not phone.audio.audio.ringer.is_ringing
    await asyncio.sleep(0.3)
    _freq, after = await _record(pulse, "ringer.monitor", 0.8)
    assert after < -60, after
    await phone.control.execute("hangup", {})
    await phone.control.execute("wait-for", {"event": "audio.deactivated"})


async def test_the_echo_line_returns_the_microphone_to_the_speaker(
    pulse: PulseServer, phone: PhoneRuntime
) -> None:
    await phone.control.execute("call", {"to": "echo"})
    await phone.control.execute("wait-for", {"event": "call.connected"})
    await phone.control.execute("wait-for", {"event": "audio.activated"})
    player = pulse.play("micfeed", tone(800, 5, 10 ** (-10 / 20)))
    try:
        await asyncio.sleep(1.0)
        heard = []  # a loaded machine may take a moment to open the devices: 4 tries
        for _ in range(4):
            freq, level = await _record(pulse, "spk.monitor", 1.5)
            heard.append((round(freq), round(level, 1)))
            if freq == pytest.approx(800, abs=15) and level > -25:
                break
        else:
            raise AssertionError(f"no 800 Hz tone back from the echo line: {heard}")
        await phone.control.execute("mute", {"on": True})
        await asyncio.sleep(0.8)
        _f, muted = await _record(pulse, "spk.monitor", 1.0)
        assert muted < -50, muted
    finally:
        player.kill()
        player.wait(timeout=5)
    started = time.monotonic()
    await phone.control.execute("hangup", {})
    await phone.control.execute("wait-for", {"event": "audio.deactivated"})
    assert time.monotonic() - started < 5
