"""Call waiting, swap and merge through CallKit actions on the real engine, with two
test lines as the other parties."""

from __future__ import annotations

import asyncio
import uuid as _uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from softphone.callkit import CallState, CallWaitingChoiceRequiredError
from softphone.phone.runtime import PhoneRuntime
from softphone.settings import Settings
from softphone.sip.pjsua import create_engine
from softphone.sip.testline import TestLineProcess

pytestmark = pytest.mark.integration


@pytest.fixture
async def two(tmp_path: Path) -> AsyncIterator[tuple[PhoneRuntime, TestLineProcess]]:
    runtime = PhoneRuntime(create_engine(), Settings())
    await runtime.start()
    carol = TestLineProcess(user="carol")
    await carol.start()
    try:
        yield runtime, carol
    finally:
        await carol.stop()
        await runtime.stop()


async def _until_states(phone: PhoneRuntime, **want: CallState) -> None:
    """Wait until each call (by name: first/second) is in the wanted state."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    uuids = {name: _uuid.UUID(value) for name, value in _NAMES.items() if name in want}
    while True:
        states = {n: getattr(phone.system.call(u), "state", None) for n, u in uuids.items()}
        if all(states[n] is s for n, s in want.items()):
            return
        if loop.time() > deadline:
            raise AssertionError(f"calls are {states}, wanted {want}")
        await asyncio.sleep(0.02)


_NAMES: dict[str, str] = {}


def _by_state(phone: PhoneRuntime, state: CallState) -> list[_uuid.UUID]:
    return [c.uuid for c in phone.system.calls if c.state is state]


async def _second_call_waiting(phone: PhoneRuntime, carol: TestLineProcess) -> _uuid.UUID:
    c = phone.control
    await c.execute("call", {"to": "echo"})
    await c.execute("wait-for", {"event": "call.connected"})
    host, port = phone.engine.local_address("udp")
    await carol.ring(f"sip:me@{host}:{port}")
    await c.execute("wait-for", {"event": "call.incoming"})
    (waiting,) = _by_state(phone, CallState.RINGING)
    with pytest.raises(CallWaitingChoiceRequiredError) as choice:
        await phone.system.answer(waiting)
    assert set(choice.value.choices) >= {"decline", "hold_and_accept", "end_and_accept"}
    return waiting


async def test_hold_and_accept_then_swap_then_merge(
    two: tuple[PhoneRuntime, TestLineProcess],
) -> None:
    phone, carol = two
    line = phone.test_line
    assert line is not None
    waiting = await _second_call_waiting(phone, carol)
    first = next(c.uuid for c in phone.system.calls if c.uuid != waiting)

    _NAMES.update(first=str(first), second=str(waiting))
    await phone.system.hold_and_accept(waiting)
    await carol.wait_for("answered")
    await line.wait_for("held")
    await _until_states(phone, first=CallState.HELD, second=CallState.ACTIVE)

    start = len(carol.events)
    await phone.system.swap()
    await carol.wait_for("held", after=start)
    await _until_states(phone, first=CallState.ACTIVE, second=CallState.HELD)

    await phone.system.merge()
    await phone.control.execute("wait-for", {"event": "call.grouped"})
    await _until_states(phone, first=CallState.ACTIVE, second=CallState.ACTIVE)
    await carol.wait_for("media", after=start)  # carol hears us again (sendrecv)
    calls = [phone.system.call(u) for u in (first, waiting)]
    assert all(c is not None and c.state is CallState.ACTIVE for c in calls)
    groups = {c.group_uuid for c in calls if c is not None}
    assert len(groups) == 1 and None not in groups

    await phone.control.execute("hangup", {"call": str(first)})
    await phone.control.execute("hangup", {"call": str(waiting)})
    await line.wait_for("ended")
    await carol.wait_for("ended")


async def test_end_and_accept(two: tuple[PhoneRuntime, TestLineProcess]) -> None:
    phone, carol = two
    line = phone.test_line
    assert line is not None
    waiting = await _second_call_waiting(phone, carol)
    await phone.system.end_and_accept(waiting)
    await line.wait_for("ended")
    await carol.wait_for("answered")
    _NAMES.update(second=str(waiting))
    await _until_states(phone, second=CallState.ACTIVE)
    for _ in range(100):
        live = [c for c in phone.system.calls if not c.has_ended]
        if [c.uuid for c in live] == [waiting]:
            break
        await asyncio.sleep(0.02)
    assert [c.uuid for c in live] == [waiting]
    await phone.control.execute("hangup", {})
    await carol.wait_for("ended")


async def test_decline_the_waiting_call_keeps_the_first(
    two: tuple[PhoneRuntime, TestLineProcess],
) -> None:
    phone, carol = two
    waiting = await _second_call_waiting(phone, carol)
    await phone.system.decline(waiting)
    ended = await carol.wait_for("ended")
    assert ended.fields["code"] == 603
    for _ in range(100):
        live = [c for c in phone.system.calls if not c.has_ended]
        if len(live) == 1:
            break
        await asyncio.sleep(0.02)
    assert len(live) == 1 and live[0].state is CallState.ACTIVE


async def test_a_call_beyond_the_call_groups_is_refused_busy(
    two: tuple[PhoneRuntime, TestLineProcess],
) -> None:
    phone, carol = two
    await phone.control.execute("inject", {"fault": "max-call-groups", "options": {"groups": 1}})
    await phone.control.execute("call", {"to": "echo"})
    await phone.control.execute("wait-for", {"event": "call.connected"})
    host, port = phone.engine.local_address("udp")
    await carol.ring(f"sip:me@{host}:{port}")  # call waiting: one more may ring
    await phone.control.execute("wait-for", {"event": "call.incoming"})
    dave = TestLineProcess(user="dave")
    await dave.start()
    try:
        await dave.ring(f"sip:me@{host}:{port}")
        refused = await phone.control.execute("wait-for", {"event": "call.refused"})
        assert refused["data"]["status"] == 486
        assert (await dave.wait_for("ended")).fields["code"] == 486
    finally:
        await dave.stop()
    rejected = [e for e in phone.system.events if type(e).__name__ == "IncomingCallRejected"]
    assert rejected[-1].code.name == "CALL_LIMIT_REACHED"


async def test_locking_mid_call_changes_nothing_for_the_call(
    two: tuple[PhoneRuntime, TestLineProcess],
) -> None:
    phone, carol = two
    host, port = phone.engine.local_address("udp")
    await carol.ring(f"sip:me@{host}:{port}")
    await phone.control.execute("wait-for", {"event": "call.incoming"})
    await phone.control.execute("inject", {"fault": "lock", "options": {"on": True}})
    assert phone.system.device_locked
    await phone.control.execute("answer", {})  # answering from the lock screen
    await phone.control.execute("wait-for", {"event": "call.connected"})
    await phone.control.execute("lock", {"on": False})
    await phone.control.execute("lock", {"on": True})
    await phone.control.execute("hangup", {})
    await carol.wait_for("ended")
    assert phone.system.device_locked
