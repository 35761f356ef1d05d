"""One contract suite run against FakeSipEngine and the pjsua2 engine (with SIPp peers)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from softphone.sip import (
    CallConnected,
    CallEndCause,
    CallEnded,
    CallHoldChanged,
    CallMuteChanged,
    CallProgressed,
    EngineConfig,
    IncomingCallReceived,
    InvalidUriError,
    Ipv6NotSupportedError,
    OutgoingCallStarted,
    SipEngine,
    SipError,
    SipEvent,
    UnknownAccountError,
    UnknownCallError,
    UnsupportedTransportError,
)
from softphone.sip.fake import FakeSipEngine
from softphone.sip.pjsua import create_engine
from tests.sip import scenarios as sc
from tests.sip.helpers import EventRecorder, Sipp, start_sipp

UAS = {
    "answer": sc.uas(),
    "hold": sc.uas(sc.HOLD_MIDDLE),
    "busy": sc.uas_status(486, "Busy Here"),
    "decline": sc.uas_status(603, "Decline"),
    "notfound": sc.uas_status(404, "Not Found"),
    "noanswer": sc.uas_ring_until_cancel(),
}


class Harness:
    """The engine under test plus a far end that behaves as asked."""

    def __init__(self, kind: str, workdir: Path) -> None:
        self.kind = kind
        self.workdir = workdir
        self.engine: Any = FakeSipEngine() if kind == "fake" else create_engine()
        self.rec = EventRecorder()
        self.engine.subscribe(self.rec)
        self.sipps: list[Sipp] = []
        self._tasks: set[asyncio.Future[Any]] = set()

    async def start(self) -> None:
        await self.engine.start(EngineConfig())

    async def remote_uri(self, behaviour: str) -> str:
        if self.kind == "fake":
            return f"sip:{behaviour}@127.0.0.1:5062"
        s = await start_sipp(UAS[behaviour], self.workdir)
        self.sipps.append(s)
        return f"sip:{behaviour}@{s.uri_host}"

    async def incoming(self, behaviour: str) -> None:
        """A call arrives. ``bye``: caller hangs up once answered; ``cancel``: caller
        cancels while ringing; ``expect:<code>``: caller expects that refusal."""
        if self.kind == "fake":
            fake: FakeSipEngine = self.engine
            key = fake.simulate_incoming_call('"SIPp Caller" <sip:sipp@127.0.0.1:5070>')
            assert key is not None
            loop = asyncio.get_running_loop()
            if behaviour == "cancel":
                loop.call_later(0.1, fake.simulate_remote_hangup, key)
            elif behaviour == "bye":

                def on(ev: SipEvent) -> None:
                    if isinstance(ev, CallConnected) and ev.call_id == key:
                        loop.call_later(0.1, fake.simulate_remote_hangup, key)

                fake.subscribe(on)
            return
        host, port = self.engine.local_address()
        xml = {"bye": sc.uac(), "cancel": sc.uac_cancel()}.get(behaviour)
        if xml is None:
            xml = sc.uac_expect_status(int(behaviour.split(":")[1]))
        self.sipps.append(await start_sipp(xml, self.workdir, target=f"{host}:{port}"))

    async def finish(self) -> None:
        for s in self.sipps:
            await s.expect_success()

    async def close(self) -> None:
        await self.engine.stop()
        for s in self.sipps:
            s.kill()


@pytest.fixture(params=["fake", pytest.param("pjsua", marks=pytest.mark.integration)])
async def h(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Harness]:
    harness = Harness(request.param, tmp_path)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.close()


def test_both_satisfy_the_protocol() -> None:
    assert isinstance(FakeSipEngine(), SipEngine)
    assert isinstance(create_engine(), SipEngine)


async def test_outgoing_answered_then_local_hangup(h: Harness) -> None:
    cid = await h.engine.make_call(await h.remote_uri("answer"))
    assert (await h.rec.wait_for(OutgoingCallStarted)).call_id == cid
    assert (await h.rec.wait_for(CallProgressed)).code == 180
    await h.rec.wait_for(CallConnected)
    [info] = h.engine.active_calls()
    assert info.call_id == cid and info.connected
    await h.engine.hangup(cid)
    ended = await h.rec.wait_for(CallEnded)
    assert ended.cause == CallEndCause.LOCAL_HANGUP
    assert h.engine.active_calls() == []
    await h.finish()


@pytest.mark.parametrize(
    ("behaviour", "cause", "code"),
    [
        ("busy", CallEndCause.BUSY, 486),
        ("decline", CallEndCause.DECLINED, 603),
        ("notfound", CallEndCause.NOT_FOUND, 404),
    ],
)
async def test_outgoing_refused(h: Harness, behaviour: str, cause: CallEndCause, code: int) -> None:
    await h.engine.make_call(await h.remote_uri(behaviour))
    ended = await h.rec.wait_for(CallEnded)
    assert (ended.cause, ended.code) == (cause, code)
    await h.finish()


async def test_cancel_before_answer(h: Harness) -> None:
    cid = await h.engine.make_call(await h.remote_uri("noanswer"))
    await h.rec.wait_for(CallProgressed)
    await h.engine.hangup(cid)
    assert (await h.rec.wait_for(CallEnded)).cause == CallEndCause.CANCELLED
    await h.finish()


async def test_hold_resume_and_mute(h: Harness) -> None:
    cid = await h.engine.make_call(await h.remote_uri("hold"))
    await h.rec.wait_for(CallConnected)
    h.engine.set_mute(cid, True)
    assert (await h.rec.wait_for(CallMuteChanged)).muted
    assert h.engine.active_calls()[0].muted
    await h.engine.hold(cid)
    assert (await h.rec.wait_for(CallHoldChanged)).local_hold
    await h.engine.unhold(cid)
    assert not (await h.rec.wait_for(CallHoldChanged, lambda e: not e.local_hold)).remote_hold
    await h.engine.hangup(cid)
    await h.rec.wait_for(CallEnded)
    await h.finish()


async def test_incoming_answered_then_remote_hangup(h: Harness) -> None:
    await h.incoming("bye")
    inc = await h.rec.wait_for(IncomingCallReceived)
    assert inc.remote_uri.startswith("sip:sipp@127.0.0.1")
    assert inc.remote_display_name == "SIPp Caller"
    assert inc.sip_call_id
    await h.engine.answer(inc.call_id)
    await h.rec.wait_for(CallConnected)
    assert (await h.rec.wait_for(CallEnded)).cause == CallEndCause.REMOTE_HANGUP
    await h.finish()


async def test_incoming_rejected(h: Harness) -> None:
    await h.incoming("expect:603")
    inc = await h.rec.wait_for(IncomingCallReceived)
    await h.engine.reject(inc.call_id, 603)
    ended = await h.rec.wait_for(CallEnded)
    assert (ended.cause, ended.code) == (CallEndCause.REJECTED, 603)
    await h.finish()


async def test_remote_cancel(h: Harness) -> None:
    await h.incoming("cancel")
    await h.rec.wait_for(IncomingCallReceived)
    assert (await h.rec.wait_for(CallEnded)).cause == CallEndCause.REMOTE_CANCELLED
    await h.finish()


async def test_stop_with_a_call_up_ends_it(h: Harness) -> None:
    await h.engine.make_call(await h.remote_uri("answer"))
    await h.rec.wait_for(CallConnected)
    await h.engine.stop()
    assert (await h.rec.wait_for(CallEnded)).cause == CallEndCause.LOCAL_HANGUP
    await h.finish()


async def test_bad_input_raises_clear_errors(h: Harness) -> None:
    eng = h.engine
    for bad in ("", "bob", "http://x", "sip:", "sip:bob@", "sip:bob@host:99999"):
        with pytest.raises(InvalidUriError):
            await eng.make_call(bad)
    with pytest.raises(Ipv6NotSupportedError, match="IPv6"):
        await eng.make_call("sip:bob@[::1]:5060")
    with pytest.raises(UnsupportedTransportError):
        await eng.make_call("sip:bob@127.0.0.1;transport=sctp")
    with pytest.raises(UnsupportedTransportError):
        await eng.make_call("sip:bob@127.0.0.1;transport=tls")  # no TLS transport configured
    with pytest.raises(UnknownCallError):
        await eng.hangup("no-such-call")
    with pytest.raises(UnknownAccountError):
        await eng.make_call("sip:bob@127.0.0.1", account_id="nobody")
    with pytest.raises(UnknownAccountError):
        eng.registration_state("nobody")
    assert eng.active_calls() == []
    cid = await eng.make_call(await h.remote_uri("answer"))
    await h.rec.wait_for(CallConnected)
    with pytest.raises(SipError, match="DTMF"):
        await eng.send_dtmf(cid, "12x")
    with pytest.raises(SipError, match="method"):
        await eng.send_dtmf(cid, "1", method="carrier-pigeon")
    with pytest.raises(SipError):
        await eng.answer(cid)  # outgoing
    await eng.hangup(cid)
    await h.rec.wait_for(CallEnded)
    await h.finish()
