"""VoIP push wake-up end to end on loopback: aioapns -> APNs emulator (TLS, JWT) ->
device channel -> PushKit -> CallKit report -> INVITE from the test line -> answer."""

from __future__ import annotations

from pathlib import Path

import pytest

from softphone.callkit import CallState
from softphone.control import ConflictError
from softphone.phone.runtime import PhoneRuntime
from softphone.settings import Settings
from softphone.sip.pjsua import create_engine

pytestmark = pytest.mark.integration


@pytest.fixture
async def phone(tmp_path: Path):  # type: ignore[no-untyped-def]
    runtime = PhoneRuntime(create_engine(), Settings(), push_dir=tmp_path / "apns")
    await runtime.start()
    assert runtime.push is not None, runtime.problems
    try:
        yield runtime
    finally:
        await runtime.stop()


async def _ring(phone: PhoneRuntime) -> None:
    assert phone.test_line is not None
    host, port = phone.engine.local_address("udp")
    await phone.test_line.ring(f"sip:me@{host}:{port}")


async def test_push_wakes_the_suspended_app_which_reports_then_answers(
    phone: PhoneRuntime,
) -> None:
    c = phone.control
    await c.execute("inject", {"fault": "suspend-app"})
    assert phone.state()["push"]["app_state"] == "suspended"
    sent = await c.execute("push", {"preset": "flexisip", "caller": "Alice", "call": False})
    assert sent["status"] == 200 and sent["apns_id"]
    incoming = await c.execute("wait-for", {"event": "call.incoming", "timeout": 5})
    assert incoming["data"]["via"] == "push" and incoming["data"]["name"] == "Alice"
    suspended = await c.execute("wait-for", {"event": "app.state"})
    assert suspended["data"]["new"] == "suspended" and suspended["data"]["sip_allowed"] is False
    woken = await c.execute("wait-for", {"event": "app.state"})
    assert woken["data"]["new"] == "background" and woken["data"]["sip_allowed"] is True
    assert phone.system.calls[0].state is CallState.RINGING
    await _ring(phone)  # the caller's INVITE follows the push
    await c.execute("wait-for", {"event": "call.invite-matched"})
    await c.execute("answer", {})
    await c.execute("wait-for", {"event": "call.connected"})
    assert phone.test_line is not None
    await phone.test_line.wait_for("answered")
    await c.execute("hangup", {})
    await c.execute("wait-for", {"event": "call.ended"})
    assert not phone.push.registry.failures  # type: ignore[union-attr]


async def test_answer_before_the_invite_waits_for_it(phone: PhoneRuntime) -> None:
    c = phone.control
    await c.execute("push", {"preset": "quickblox", "caller": "Bob", "call": False})
    await c.execute("wait-for", {"event": "call.incoming"})
    await c.execute("answer", {})
    await c.execute("wait-for", {"event": "call.answer-postponed"})
    await _ring(phone)
    await c.execute("wait-for", {"event": "call.connected", "timeout": 10})
    assert phone.system.calls[0].state is CallState.ACTIVE
    await c.execute("hangup", {})
    await c.execute("wait-for", {"event": "call.ended"})


async def test_an_app_that_does_not_report_the_push_is_killed(phone: PhoneRuntime) -> None:
    c = phone.control
    await c.execute("inject", {"fault": "forget-push-report"})
    await c.execute("push", {"preset": "sinch", "caller": "Carol"})
    violation = await c.execute("wait-for", {"event": "push.rule-violated"})
    assert violation["data"]["rule"] == "report-before-handler-returns"
    killed = await c.execute("wait-for", {"event": "app.killed"})
    assert killed["data"]["failures"] == 1
    assert not [x for x in phone.system.calls if not x.has_ended]


async def test_no_invite_after_the_push_fails_the_call(phone: PhoneRuntime) -> None:
    c = phone.control
    await c.execute("inject", {"fault": "invite-timeout", "options": {"seconds": 0.5}})
    await c.execute("push", {"preset": "stream", "caller": "Dan", "call": False})
    await c.execute("wait-for", {"event": "call.incoming"})
    failed = await c.execute("wait-for", {"event": "call.failed", "timeout": 5})
    assert failed["data"]["rule"] == "invite-timeout"
    ended = [x for x in phone.system.calls if x.has_ended] or phone.system.calls
    assert not [x for x in phone.system.calls if not x.has_ended], ended


async def test_a_suspended_app_has_no_sip_socket(phone: PhoneRuntime) -> None:
    c = phone.control
    await c.execute("inject", {"fault": "suspend-app"})
    await _ring(phone)
    refused = await c.execute("wait-for", {"event": "call.refused"})
    assert refused["data"]["status"] == 480
    assert phone.test_line is not None
    ended = await phone.test_line.wait_for("ended")
    assert ended.fields["code"] == 480


async def test_unknown_fault_is_a_clear_error(phone: PhoneRuntime) -> None:
    from softphone.control import NotFoundError

    with pytest.raises(NotFoundError, match="unknown fault"):
        await phone.control.execute("inject", {"fault": "meteor"})
    phone.push = None
    with pytest.raises(ConflictError):
        await phone.control.execute("push", {"preset": "flexisip"})


async def test_a_push_after_its_invite_is_recognised_as_the_same_call(
    phone: PhoneRuntime,
) -> None:
    c = phone.control
    await _ring(phone)  # the INVITE arrives first
    incoming = await c.execute("wait-for", {"event": "call.incoming"})
    sip_call_id = incoming["data"]["sip_call_id"]
    assert sip_call_id
    assert phone.push is not None
    await phone.push.send(preset="flexisip", caller="Late push", call_id=sip_call_id)
    delivered = await c.execute("wait-for", {"event": "push.delivered"})
    assert delivered["data"]["for_active_call"] is True
    ringing = [x for x in phone.system.calls if x.state is CallState.RINGING]
    assert len(ringing) == 1  # no second call for the same Call-ID
    assert not phone.push.registry.failures  # type: ignore[union-attr]
    await c.execute("decline", {})
    await c.execute("wait-for", {"event": "call.ended"})
    await phone.push.send(preset="flexisip", caller="After the end", call_id=sip_call_id)
    again = await c.execute("wait-for", {"event": "push.delivered"})
    assert again["data"]["for_active_call"] is False  # the call is over: a new call
