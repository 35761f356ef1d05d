"""Each injectable fault has its effect on a real phone (CallKit + pjsua2 + test line)."""

from __future__ import annotations

from pathlib import Path

import pytest

from softphone.callkit import CallState
from softphone.phone.runtime import PhoneRuntime
from softphone.settings import Settings
from softphone.sip.pjsua import create_engine
from softphone.sip.testline import TestLineProcess
from tests.phone._runtime import running

pytestmark = pytest.mark.integration


@pytest.fixture
async def phone(tmp_path: Path):  # type: ignore[no-untyped-def]
    async with running(
        PhoneRuntime(create_engine(), Settings(), push_dir=tmp_path / "apns")
    ) as runtime:
        yield runtime


async def _connected_echo_call(phone: PhoneRuntime) -> None:
    await phone.control.execute("call", {"to": "echo"})
    await phone.control.execute("wait-for", {"event": "call.connected"})


async def test_block_list_declines_the_caller_with_603(phone: PhoneRuntime) -> None:
    await phone.control.execute("inject", {"fault": "block", "options": {"number": "15550100"}})
    caller = TestLineProcess(user="15550100")
    await caller.start()
    try:
        host, port = phone.engine.local_address("udp")
        await caller.ring(f"sip:me@{host}:{port}")
        refused = await phone.control.execute("wait-for", {"event": "call.refused"})
        assert refused["data"]["status"] == 603
        assert (await caller.wait_for("ended")).fields["code"] == 603
    finally:
        await caller.stop()
    rejected = [e for e in phone.system.events if type(e).__name__ == "IncomingCallRejected"]
    assert rejected and rejected[-1].code.name == "FILTERED_BY_BLOCK_LIST"


async def test_an_action_never_fulfilled_times_out(phone: PhoneRuntime) -> None:
    await _connected_echo_call(phone)
    await phone.control.execute(
        "inject", {"fault": "stall-next-action", "options": {"timeout": 0.5}}
    )
    await phone.control.execute("mute", {"on": True})
    await phone.control.execute("wait-for", {"event": "action.stalled"})
    await phone.control.execute("wait-for", {"event": "action.timed-out", "timeout": 5})
    timed_out = [e for e in phone.system.events if type(e).__name__ == "ActionTimedOut"]
    assert timed_out
    assert not phone.system.calls[0].is_muted


async def test_a_cellular_call_holds_ours_and_gives_it_back(phone: PhoneRuntime) -> None:
    await _connected_echo_call(phone)
    await phone.control.execute("inject", {"fault": "cellular-call", "options": {"seconds": 0.5}})
    await phone.control.execute("wait-for", {"event": "call.held"})
    assert phone.test_line is not None
    await phone.test_line.wait_for("held")
    await phone.control.execute("wait-for", {"event": "cellular.call-ended", "timeout": 5})
    await phone.control.execute("wait-for", {"event": "call.resumed"})
    assert phone.system.calls[0].state is CallState.ACTIVE


async def test_cellular_call_needs_a_call(phone: PhoneRuntime) -> None:
    from softphone.control import ConflictError

    with pytest.raises(ConflictError):
        await phone.control.execute("inject", {"fault": "cellular-call"})


async def test_a_duplicate_push_is_recognised_as_the_same_call(phone: PhoneRuntime) -> None:
    await phone.control.execute("inject", {"fault": "push-duplicate", "options": {"call_id": "c1"}})
    first = await phone.control.execute("wait-for", {"event": "push.delivered"})
    second = await phone.control.execute("wait-for", {"event": "push.delivered"})
    assert first["data"]["for_active_call"] is False
    assert second["data"]["for_active_call"] is True
    ringing = [c for c in phone.system.calls if c.state is CallState.RINGING]
    assert len(ringing) == 1


async def test_a_delayed_push_still_rings(phone: PhoneRuntime) -> None:
    await phone.control.execute("inject", {"fault": "push-delay", "options": {"seconds": 0.5}})
    await phone.control.execute("wait-for", {"event": "call.incoming", "timeout": 5})


async def test_a_push_delivered_after_its_expiration_is_dropped(phone: PhoneRuntime) -> None:
    await phone.control.execute("inject", {"fault": "push-expired", "options": {"seconds": 2.5}})
    violation = await phone.control.execute(
        "wait-for", {"event": "push.rule-violated", "timeout": 5}
    )
    assert violation["data"]["rule"] == "apns-expiration"
    assert not [c for c in phone.system.calls if not c.has_ended]


async def test_reordered_pushes_arrive_second_first(phone: PhoneRuntime) -> None:
    sent = await phone.control.execute(
        "inject", {"fault": "push-reorder", "options": {"seconds": 1.5}}
    )
    first = await phone.control.execute("wait-for", {"event": "call.incoming", "timeout": 5})
    second = await phone.control.execute("wait-for", {"event": "call.incoming", "timeout": 5})
    assert first["data"]["name"] == "Second sent" and second["data"]["name"] == "First sent"
    assert sent["first"] != sent["second"]


async def test_a_duplicate_call_uuid_is_refused_by_callkit_and_answered_482(
    phone: PhoneRuntime,
) -> None:
    await _connected_echo_call(phone)
    first = phone.system.calls[0]
    done = await phone.control.execute("inject", {"fault": "duplicate-uuid"})
    assert done["uuid"] == str(first.uuid)
    caller = TestLineProcess(user="15550111")
    await caller.start()
    try:
        host, port = phone.engine.local_address("udp")
        await caller.ring(f"sip:me@{host}:{port}")
        refused = await phone.control.execute("wait-for", {"event": "call.refused"})
        assert refused["data"]["status"] == 482
        assert (await caller.wait_for("ended")).fields["code"] == 482
    finally:
        await caller.stop()
    rejected = [e for e in phone.system.events if type(e).__name__ == "IncomingCallRejected"]
    assert rejected and rejected[-1].code.name == "CALL_UUID_ALREADY_EXISTS"
    assert first.state is CallState.ACTIVE  # the call whose UUID was reused goes on
    assert phone.app.calls.get(first.uuid) is not None


async def test_duplicate_uuid_needs_a_call(phone: PhoneRuntime) -> None:
    from softphone.control import ConflictError

    with pytest.raises(ConflictError, match="needs a call"):
        await phone.control.execute("inject", {"fault": "duplicate-uuid"})


async def test_unblocking_lets_the_caller_ring_again(phone: PhoneRuntime) -> None:
    phone.set_blocked("+1 555 0101", True)
    assert phone.is_blocked("15550101")
    phone.set_blocked("+1 555 0101", False)
    assert not phone.is_blocked("15550101")
    caller = TestLineProcess(user="15550101")
    await caller.start()
    try:
        host, port = phone.engine.local_address("udp")
        await caller.ring(f"sip:me@{host}:{port}")
        await phone.control.execute("wait-for", {"event": "call.incoming", "timeout": 5})
    finally:
        await caller.stop()
    with pytest.raises(ValueError, match="only phone numbers"):
        phone.set_blocked("alice@example.com", True)


async def test_the_block_command_blocks_and_unblocks(phone: PhoneRuntime) -> None:
    from softphone.control import InvalidParamsError

    done = await phone.control.execute("block", {"number": "+1 555 0102", "on": True})
    assert done == {"number": "+1 555 0102", "blocked": True}
    caller = TestLineProcess(user="15550102")
    await caller.start()
    try:
        host, port = phone.engine.local_address("udp")
        await caller.ring(f"sip:me@{host}:{port}")
        assert (await caller.wait_for("ended")).fields["code"] == 603
        undone = await phone.control.execute("block", {"number": "15550102", "on": False})
        assert undone["blocked"] is False
        await caller.ring(f"sip:me@{host}:{port}")
        await phone.control.execute("wait-for", {"event": "call.incoming", "timeout": 5})
    finally:
        await caller.stop()
    with pytest.raises(InvalidParamsError, match="only phone numbers"):
        await phone.control.execute("block", {"number": "alice@example.com", "on": True})


async def test_settings_read_and_changed_through_the_api(
    phone: PhoneRuntime, tmp_path: Path
) -> None:
    from softphone.control import InvalidParamsError

    saved: list[Settings] = []
    phone._save_settings = saved.append
    before = await phone.control.execute("settings", {})
    assert before["settings"]["sip"]["codecs"][0].startswith("PCMU")
    changes = {
        "codecs": [{"name": "PCMA", "enabled": True}, {"name": "PCMU", "enabled": False}],
        "push": {"environment": "production"},
    }
    after = await phone.control.execute("settings-set", {"changes": changes})
    assert after["settings"]["sip"]["codecs"] == ["PCMA/8000"]
    assert after["settings"]["push"]["environment"] == "production"
    assert saved and saved[-1].sip.codecs == ("PCMA/8000",)
    with pytest.raises(InvalidParamsError, match="transport must be"):
        await phone.control.execute("settings-set", {"changes": {"transport": "carrier-pigeon"}})
    with pytest.raises(InvalidParamsError, match="at least one codec"):
        await phone.control.execute("settings-set", {"changes": {"codecs": []}})
    with pytest.raises(InvalidParamsError, match="do not fit"):
        await phone.control.execute("settings-set", {"changes": {"codecs": [1, 2]}})
    assert (await phone.control.execute("settings", {}))["settings"] == after["settings"]
