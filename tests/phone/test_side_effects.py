"""A side effect never stops a call's transition (issue 17): with every tone, device
call, Recents write and event listener failing, each transition still happens, every
event still arrives, and each failure is reported as a problem. The real app, CallKit
layer and Recents recorder over the in-memory SIP engine (faked one layer down)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from softphone.control import ConflictError, WaitTimeoutError
from softphone.phone.runtime import PhoneRuntime
from softphone.phone.voip_app import AppEvent
from softphone.recents import CallRecord, RecentsStore
from softphone.settings import Settings
from softphone.sip.fake import FakeSipEngine
from tests.phone._runtime import running


class BrokenAudio:
    """Every sound fails, as PortAudio does when its device vanished."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def _fail(self, what: str) -> None:
        self.calls.append(what)
        raise RuntimeError(f"PortAudioError: {what}: device unavailable")

    def activate(self) -> None:
        self._fail("activate")

    def deactivate(self) -> None:
        self._fail("deactivate")

    def ringback(self, on: bool) -> None:
        self._fail("ringback")

    def key_tone(self, digit: str) -> None:
        self._fail("key_tone")

    def end_tone(self) -> None:
        self._fail("end_tone")


class EndToneBroken(BrokenAudio):
    """Only ``audio.tones.end_of_call()`` fails (PortAudio's error of issue 17)."""

    def activate(self) -> None:
        self.calls.append("activate")

    def deactivate(self) -> None:
        self.calls.append("deactivate")

    def ringback(self, on: bool) -> None:
        self.calls.append("ringback")


class BrokenRecents(RecentsStore):
    """A store whose writes fail with something unexpected."""

    def add(self, record: CallRecord) -> int:
        raise RuntimeError("the database went away")


@pytest.fixture
async def phone(tmp_path: Path) -> AsyncIterator[PhoneRuntime]:
    runtime = PhoneRuntime(
        FakeSipEngine(ring_delay=0.05, answer_delay=0.1),
        Settings(),
        audio=BrokenAudio(),
        with_test_line=False,
        recents=BrokenRecents(tmp_path / "recents.sqlite3"),
    )

    def broken_listener(event: AppEvent) -> None:  # e.g. a window update that raises
        if event.name != "problem":
            raise RuntimeError(f"listener broke on {event.name}")

    runtime.app.subscribe(broken_listener)
    runtime.system.subscribe(lambda _e: 1 / 0)  # a broken CallKit observer too
    async with running(runtime) as started:
        yield started


async def _wait(phone: PhoneRuntime, name: str) -> dict[str, Any]:
    return await phone.control.execute("wait-for", {"event": name, "timeout": 5})


async def test_every_transition_happens_with_every_side_effect_failing(
    phone: PhoneRuntime,
) -> None:
    """Outgoing: ringing, connected, held, resumed, DTMF, remote hold, ended; incoming:
    ringing, answered, ended by the caller; a busy callee: ended. All events arrive."""
    control = phone.control
    engine = phone.engine
    assert isinstance(engine, FakeSipEngine)
    placed = await control.execute("call", {"to": "sip:bob@127.0.0.1:5999"})
    for name in ("call.outgoing", "call.ringing", "call.connected", "audio.activated"):
        assert (await _wait(phone, name))["call"] in (placed["call"], None), name
    await control.execute("hold", {"on": True})
    await _wait(phone, "call.held")
    await control.execute("hold", {"on": False})
    await _wait(phone, "call.resumed")
    await control.execute("dtmf", {"digits": "1"})
    await _wait(phone, "dtmf.sent")
    sip_id = phone.app.calls.get(next(iter(c.uuid for c in phone.system.calls)))
    assert sip_id is not None and sip_id.sip_call_id is not None
    engine.simulate_remote_hold(sip_id.sip_call_id, True)
    await _wait(phone, "call.remote-hold")
    engine.simulate_remote_hold(sip_id.sip_call_id, False)
    await _wait(phone, "call.remote-resume")
    await control.execute("hangup", {})
    ended = await _wait(phone, "call.ended")
    assert (ended["call"], ended["data"]["outcome"]) == (placed["call"], "ended")

    sip_call = engine.simulate_incoming_call("sip:carol@127.0.0.1:5998")
    assert sip_call is not None
    incoming = await _wait(phone, "call.incoming")
    await control.execute("answer", {"call": incoming["call"]})
    await _wait(phone, "call.connected")
    engine.simulate_remote_hangup(sip_call)
    ended = await _wait(phone, "call.ended")
    assert (ended["call"], ended["data"]["outcome"]) == (incoming["call"], "remote_ended")

    await control.execute("call", {"to": "sip:busy@127.0.0.1:5999"})
    ended = await _wait(phone, "call.ended")
    assert (ended["data"]["outcome"], ended["data"]["code"]) == ("busy", 486)

    assert phone.system.calls == [] or all(c.has_ended for c in phone.system.calls)
    problems = " | ".join(phone.state()["problems"])
    for failed in (
        "audio ringback failed",
        "audio activate failed",
        "audio key_tone failed",
        "audio end_tone failed",
        "Recents write failed",
        "event listener for call.connected failed",
        "event listener for call.ended failed",
    ):
        assert failed in problems, failed
    assert "PortAudioError" in problems


async def test_a_failing_end_tone_does_not_hide_call_ended(phone: PhoneRuntime) -> None:
    """The bug of issue 17: the end-of-call tone raised inside the end handling, so
    ``call.ended`` never came and ``wait-for call.ended`` hung."""
    engine = phone.engine
    assert isinstance(engine, FakeSipEngine)
    phone.app.audio = EndToneBroken()  # only the end-of-call tone fails
    await phone.control.execute("call", {"to": "sip:bob@127.0.0.1:5999"})
    await _wait(phone, "call.connected")
    live = next(c for c in phone.app.calls if c.sip_call_id is not None)
    assert live.sip_call_id is not None
    engine.simulate_remote_hangup(live.sip_call_id)
    ended = await _wait(phone, "call.ended")
    assert ended["data"]["by"] == "remote"
    assert phone.state()["calls"] == []
    assert any("audio end_tone failed" in p for p in phone.state()["problems"])


async def test_answer_while_the_cancel_is_being_processed_is_409(phone: PhoneRuntime) -> None:
    """The caller's CANCEL reached SIP but the app has not handled it yet when the user
    answers: ``answer`` is a 409 saying so, not a 200 for a call that then ends."""
    engine = phone.engine
    assert isinstance(engine, FakeSipEngine)
    sip_call = engine.simulate_incoming_call("sip:carol@127.0.0.1:5998")
    assert sip_call is not None
    incoming = await _wait(phone, "call.incoming")
    engine.simulate_remote_hangup(sip_call)  # CANCEL: its CallEnded is still queued
    with pytest.raises(ConflictError, match=r"the caller hung up \(CANCEL\) before the answer"):
        await phone.control.execute("answer", {"call": incoming["call"]})
    ended = await _wait(phone, "call.ended")
    assert ended["data"]["outcome"] == "remote_cancelled"
    with pytest.raises(WaitTimeoutError):
        await phone.control.execute("wait-for", {"event": "call.connected", "timeout": 0.1})


async def test_the_side_effect_error_fault_breaks_one_effect_until_cleared() -> None:
    """``inject side-effect-error`` makes the named side effect raise: the call goes on
    and ``problems`` names it; ``on: false`` clears it."""
    runtime = PhoneRuntime(FakeSipEngine(ring_delay=0.05), Settings(), with_test_line=False)
    async with running(runtime) as phone:
        broken = {"effect": "event listener for call.connected"}
        result = await phone.control.execute(
            "inject", {"fault": "side-effect-error", "options": broken}
        )
        assert result["broken"] == ["event listener for call.connected"]
        await phone.control.execute("call", {"to": "sip:bob@127.0.0.1:5999"})
        await _wait(phone, "call.connected")
        await phone.control.execute("hangup", {})
        await _wait(phone, "call.ended")
        failed = [p for p in phone.state()["problems"] if "call.connected failed" in p]
        assert failed and "injected failure" in failed[0]
        cleared = {**broken, "on": False}
        await phone.control.execute("inject", {"fault": "side-effect-error", "options": cleared})
        await phone.control.execute("call", {"to": "sip:bob@127.0.0.1:5999"})
        await _wait(phone, "call.connected")
        assert len([p for p in phone.state()["problems"] if "call.connected" in p]) == len(failed)


async def test_a_failing_screen_update_stops_no_other_screen(phone: PhoneRuntime) -> None:
    """The window's service: a screen callback that raises is a problem; the other
    screens still hear every change and the call goes on."""
    from softphone.ui.phone_service import RuntimePhoneService

    service = RuntimePhoneService(phone)
    heard: list[int] = []

    def broken_screen() -> None:
        raise RuntimeError("a view-model broke")

    service.subscribe(broken_screen)
    service.subscribe(lambda: heard.append(len(heard)))
    await phone.control.execute("call", {"to": "sip:bob@127.0.0.1:5999"})
    await _wait(phone, "call.connected")
    await phone.control.execute("hangup", {})
    await _wait(phone, "call.ended")
    assert len(heard) >= 3  # outgoing, ringing, connected, ended ...
    assert any("window update failed" in p for p in phone.state()["problems"])
