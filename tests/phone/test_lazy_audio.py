"""The phone as the app starts it: sound devices open with the first call (a private
PulseAudio, PortAudio), not at start-up; the call then rings and carries audio."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from softphone.audio import AudioSystem, DeviceChoice
from softphone.phone.audio_control import LateBridge, LazyAudioSystem
from softphone.phone.runtime import PhoneRuntime
from softphone.settings import Settings
from softphone.sip.pjsua import create_engine
from tests.audio.pulse_server import PulseServer, analyse, serving, tone


class _Recorder:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def mic_frame(self, out: memoryview) -> None:
        self.calls.append("mic")
        out[:] = b"\x01" * len(out)

    def speaker_frame(self, data: memoryview) -> None:
        self.calls.append("speaker")

    def media_started(self) -> None:
        self.calls.append("started")

    def media_stopped(self) -> None:
        self.calls.append("stopped")


def test_late_bridge_is_silent_until_attached_then_forwards() -> None:
    bridge = LateBridge()
    frame = bytearray(b"\x07" * 640)
    bridge.media_started()
    bridge.mic_frame(memoryview(frame))
    bridge.speaker_frame(memoryview(b"\x00" * 640))
    assert frame == bytearray(640)  # silence before the devices exist
    real = _Recorder()
    bridge.attach(real)
    assert real.calls == ["started"]  # media was already on: the real bridge is told
    bridge.mic_frame(memoryview(frame))
    bridge.speaker_frame(memoryview(b"\x00" * 640))
    bridge.media_stopped()
    assert real.calls == ["started", "mic", "speaker", "stopped"]
    assert frame == bytearray(b"\x01" * 640)


def test_a_failing_factory_gives_a_silent_system_and_says_why() -> None:
    seen: list[tuple[Any, str]] = []

    def broken() -> AudioSystem:
        raise OSError("PortAudio library not found")

    lazy = LazyAudioSystem(broken, lambda system, error: seen.append((system, error)))
    assert not lazy.is_open and lazy.status().available
    system = lazy.open()
    assert lazy.is_open and seen == [(system, "PortAudio library not found")]
    assert not system.status().available
    assert lazy.open() is system and len(seen) == 1


@pytest.fixture(scope="module")
def pulse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PulseServer]:
    with serving(tmp_path_factory.mktemp("pulse-lazy")) as server:
        yield server


@pytest.fixture
async def phone(pulse: PulseServer, tmp_path: Path) -> AsyncIterator[PhoneRuntime]:
    made: list[AudioSystem] = []

    def make() -> AudioSystem:
        made.append(
            AudioSystem.default(DeviceChoice(microphone="mic", speaker="spk", ringer="ringer"))
        )
        return made[-1]

    runtime = PhoneRuntime(create_engine(), Settings())
    runtime.attach_audio(LazyAudioSystem(make))  # type: ignore[arg-type]  # as the app does
    await runtime.start()
    assert not made, "the devices must not open at start-up"
    try:
        yield runtime
    finally:
        await runtime.stop()


def _lazy(phone: PhoneRuntime) -> LazyAudioSystem:
    assert phone.audio is not None and isinstance(phone.audio.audio, LazyAudioSystem)
    return phone.audio.audio


async def _record(pulse: PulseServer, source: str, seconds: float) -> tuple[float, float]:
    samples = await asyncio.to_thread(pulse.record, source, seconds)
    return analyse(samples)


@pytest.mark.integration
@pytest.mark.slow
async def test_the_first_incoming_call_opens_the_devices_and_rings(
    pulse: PulseServer, phone: PhoneRuntime
) -> None:
    lazy = _lazy(phone)
    assert not lazy.is_open
    assert phone.test_line is not None
    host, port = phone.engine.local_address("udp")
    await phone.test_line.ring(f"sip:me@{host}:{port}")
    await phone.control.execute("wait-for", {"event": "call.incoming"})
    for _ in range(100):
        if lazy.is_open and lazy.open().ringer.is_ringing:
            break
        await asyncio.sleep(0.05)
    assert lazy.is_open and lazy.open().ringer.is_ringing
    _freq, level = await _record(pulse, "ringer.monitor", 1.0)
    assert level > -40, level
    await phone.control.execute("answer", {})
    await phone.control.execute("wait-for", {"event": "audio.activated"})
    assert not lazy.open().ringer.is_ringing
    await phone.control.execute("hangup", {})
    await phone.control.execute("wait-for", {"event": "audio.deactivated"})


@pytest.mark.integration
@pytest.mark.slow
async def test_the_first_outgoing_call_carries_audio_both_ways(
    pulse: PulseServer, phone: PhoneRuntime
) -> None:
    await phone.control.execute("call", {"to": "echo"})
    await phone.control.execute("wait-for", {"event": "call.connected"})
    await phone.control.execute("wait-for", {"event": "audio.activated"})
    assert _lazy(phone).is_open
    player = pulse.play("micfeed", tone(800, 4, 10 ** (-10 / 20)))
    try:
        await asyncio.sleep(1.0)
        freq, level = await _record(pulse, "spk.monitor", 1.5)
        assert freq == pytest.approx(800, abs=15)
        assert level > -25, level
    finally:
        player.kill()
        player.wait(timeout=5)
    await phone.control.execute("hangup", {})
    await phone.control.execute("wait-for", {"event": "audio.deactivated"})
