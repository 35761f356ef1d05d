"""The phone (real CallKit layer + real pjsua2 engine) against the embedded test line."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from softphone.callkit import CallState
from softphone.phone.runtime import PhoneRuntime
from softphone.settings import Settings
from softphone.sip.pjsua import create_engine
from tests.phone._runtime import running

pytestmark = pytest.mark.integration


@pytest.fixture
async def phone(tmp_path: Path):  # type: ignore[no-untyped-def]
    async with running(
        PhoneRuntime(create_engine(), Settings(), control_file=tmp_path / "control.json")
    ) as runtime:
        yield runtime


async def _until(predicate, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise TimeoutError("condition not met")
        await asyncio.sleep(0.02)


async def test_call_the_echo_line_dtmf_hold_and_hang_up(phone: PhoneRuntime) -> None:
    assert phone.test_line is not None and not phone.problems
    control = phone.control
    result = await control.execute("call", {"to": "echo"})
    uuid = result["call"]
    await control.execute("wait-for", {"event": "call.ringing", "timeout": 10})
    await control.execute("wait-for", {"event": "call.connected", "timeout": 10})
    call = phone.system.calls[0]
    assert str(call.uuid) == uuid and call.state is CallState.ACTIVE and call.has_connected

    await control.execute("dtmf", {"digits": "12#"})
    for digit in "12#":
        await phone.test_line.wait_for("dtmf", digit=digit)

    await control.execute("hold", {"on": True})
    await control.execute("wait-for", {"event": "call.held"})
    await phone.test_line.wait_for("held")
    assert phone.system.calls[0].is_on_hold
    await control.execute("hold", {"on": False})
    await control.execute("wait-for", {"event": "call.resumed"})

    await control.execute("hangup", {})
    await control.execute("wait-for", {"event": "call.ended"})
    await phone.test_line.wait_for("ended")
    await _until(lambda: not [c for c in phone.system.calls if not c.has_ended])


async def test_the_simulated_caller_rings_and_we_answer(phone: PhoneRuntime) -> None:
    assert phone.test_line is not None
    host, port = phone.engine.local_address("udp")
    await phone.test_line.ring(f"sip:me@{host}:{port}")
    await phone.control.execute("wait-for", {"event": "call.incoming"})
    ringing = phone.system.calls[0]
    assert ringing.state is CallState.RINGING and ringing.display_name == "Softphone Test Line"
    await phone.control.execute("answer", {})
    await phone.control.execute("wait-for", {"event": "call.connected"})
    await phone.test_line.wait_for("answered")
    await phone.test_line.hangup()
    ended = await phone.control.execute("wait-for", {"event": "call.ended"})
    assert ended["data"]["by"] == "remote"


async def test_do_not_disturb_answers_the_invite_busy(phone: PhoneRuntime) -> None:
    assert phone.test_line is not None
    await phone.control.execute("dnd", {"on": True})
    host, port = phone.engine.local_address("udp")
    await phone.test_line.ring(f"sip:me@{host}:{port}")
    refused = await phone.control.execute("wait-for", {"event": "call.refused"})
    assert refused["data"]["status"] == 486
    ended = await phone.test_line.wait_for("ended")
    assert ended.fields["code"] == 486


async def test_the_echo_line_sends_our_audio_back(phone: PhoneRuntime) -> None:
    from softphone.phone.probe import ToneProbeBridge

    probe = ToneProbeBridge(freq=1000.0, level=0.3)
    phone.engine.set_audio_bridge(probe)
    await phone.control.execute("call", {"to": "echo"})
    await phone.control.execute("wait-for", {"event": "call.connected"})
    await asyncio.sleep(1.0)
    heard = probe.received_level()
    assert probe.frames_received > 20
    assert heard > 0.1, f"the 1 kHz probe tone came back at {heard:.3f}"
    probe.sending = False  # silence in, silence back
    await asyncio.sleep(0.8)
    assert probe.received_level(0.3) < 0.02
    await phone.control.execute("hangup", {})
    await phone.control.execute("wait-for", {"event": "call.ended"})
