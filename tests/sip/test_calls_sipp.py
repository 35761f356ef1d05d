"""Direct-IP calls between the pjsua2 engine and SIPp UAS/UAC scenarios on loopback."""

from __future__ import annotations

from pathlib import Path

import pytest

from softphone.sip import (
    CallConnected,
    CallEndCause,
    CallEnded,
    CallHoldChanged,
    CallLimitError,
    CallProgressed,
    DtmfReceived,
    EngineConfig,
    IncomingCallReceived,
    OutgoingCallStarted,
    SipMessageLogged,
)
from softphone.sip.pjsua import PjsuaEngine
from tests.sip import scenarios as sc
from tests.sip.conftest import StartEngine, auto_answer
from tests.sip.helpers import EventRecorder, start_sipp

pytestmark = pytest.mark.integration
Engine = tuple[PjsuaEngine, EventRecorder]


async def test_outgoing_call_connects_and_hangs_up(engine: Engine, workdir: Path) -> None:
    eng, rec = engine
    uas = await start_sipp(sc.uas(), workdir)
    cid = await eng.make_call(f"sip:bob@{uas.uri_host}", headers={"X-Softphone": "yes"})
    started = await rec.wait_for(OutgoingCallStarted)
    assert started.call_id == cid and started.sip_call_id
    ring = await rec.wait_for(CallProgressed)
    assert (ring.code, ring.early_media) == (180, False)
    await rec.wait_for(CallConnected, lambda e: e.call_id == cid)
    assert [c.connected for c in eng.active_calls()] == [True]
    await eng.hangup(cid)
    ended = await rec.wait_for(CallEnded)
    assert ended.cause == CallEndCause.LOCAL_HANGUP
    await uas.expect_success()
    invite = next(e for e in rec.of(SipMessageLogged) if e.first_line.startswith("INVITE"))
    assert "X-Softphone: yes" in invite.text
    assert eng.active_calls() == []


async def test_early_media_183(engine: Engine, workdir: Path) -> None:
    eng, rec = engine
    uas = await start_sipp(sc.uas_early_media_then_answer(), workdir)
    cid = await eng.make_call(f"sip:bob@{uas.uri_host}")
    prog = await rec.wait_for(CallProgressed)
    assert (prog.code, prog.early_media) == (183, True)
    await rec.wait_for(CallConnected)
    await eng.hangup(cid)
    await uas.expect_success()


@pytest.mark.parametrize(
    ("code", "reason", "cause"),
    [
        (486, "Busy Here", CallEndCause.BUSY),
        (603, "Decline", CallEndCause.DECLINED),
        (404, "Not Found", CallEndCause.NOT_FOUND),
        (480, "Temporarily Unavailable", CallEndCause.UNAVAILABLE),
    ],
)
async def test_outgoing_refused(
    engine: Engine, workdir: Path, code: int, reason: str, cause: CallEndCause
) -> None:
    eng, rec = engine
    uas = await start_sipp(sc.uas_status(code, reason), workdir)
    cid = await eng.make_call(f"sip:bob@{uas.uri_host}")
    ended = await rec.wait_for(CallEnded, lambda e: e.call_id == cid)
    assert (ended.cause, ended.code) == (cause, code)
    await uas.expect_success()


async def test_cancel_before_answer(engine: Engine, workdir: Path) -> None:
    eng, rec = engine
    uas = await start_sipp(sc.uas_ring_until_cancel(), workdir)
    cid = await eng.make_call(f"sip:bob@{uas.uri_host}")
    await rec.wait_for(CallProgressed)
    await eng.hangup(cid)
    ended = await rec.wait_for(CallEnded)
    assert ended.cause == CallEndCause.CANCELLED
    await uas.expect_success()


async def test_no_answer_timeout(start_engine: StartEngine, workdir: Path) -> None:
    eng, rec = await start_engine(EngineConfig(no_answer_timeout=0.5))
    uas = await start_sipp(sc.uas_ring_until_cancel(), workdir)
    await eng.make_call(f"sip:bob@{uas.uri_host}")
    ended = await rec.wait_for(CallEnded)
    assert ended.cause == CallEndCause.NO_ANSWER
    await uas.expect_success()


async def test_incoming_answered_then_remote_hangup(engine: Engine, workdir: Path) -> None:
    eng, rec = engine
    auto_answer(eng)
    host, port = eng.local_address("udp")
    uac = await start_sipp(
        sc.uac(headers="X-Tenant: acme\n"), workdir, target=f"{host}:{port}", service="me"
    )
    inc = await rec.wait_for(IncomingCallReceived)
    assert inc.remote_uri.startswith("sip:sipp@127.0.0.1")
    assert inc.remote_display_name == "SIPp Caller"
    assert inc.headers["X-Tenant"] == "acme"
    assert inc.account_id is None
    await rec.wait_for(CallConnected)
    ended = await rec.wait_for(CallEnded)
    assert ended.cause == CallEndCause.REMOTE_HANGUP
    await uac.expect_success()


@pytest.mark.parametrize("code", [486, 603, 480])
async def test_incoming_rejected_with_status(engine: Engine, workdir: Path, code: int) -> None:
    eng, rec = engine
    host, port = eng.local_address()
    uac = await start_sipp(sc.uac_expect_status(code), workdir, target=f"{host}:{port}")
    inc = await rec.wait_for(IncomingCallReceived)
    await eng.reject(inc.call_id, code)
    ended = await rec.wait_for(CallEnded)
    assert (ended.cause, ended.code) == (CallEndCause.REJECTED, code)
    await uac.expect_success()


async def test_remote_cancel(engine: Engine, workdir: Path) -> None:
    eng, rec = engine
    host, port = eng.local_address()
    uac = await start_sipp(sc.uac_cancel(), workdir, target=f"{host}:{port}")
    await rec.wait_for(IncomingCallReceived)
    ended = await rec.wait_for(CallEnded)
    assert ended.cause == CallEndCause.REMOTE_CANCELLED
    await uac.expect_success()


async def test_hold_sends_sendonly_and_resume_sendrecv(engine: Engine, workdir: Path) -> None:
    eng, rec = engine
    uas = await start_sipp(sc.uas(sc.HOLD_MIDDLE), workdir)
    cid = await eng.make_call(f"sip:bob@{uas.uri_host}")
    await rec.wait_for(CallConnected)
    await eng.hold(cid)
    held = await rec.wait_for(CallHoldChanged)
    assert (held.local_hold, held.remote_hold) == (True, False)
    await eng.unhold(cid)
    resumed = await rec.wait_for(CallHoldChanged, lambda e: not e.local_hold)
    assert resumed.remote_hold is False
    await eng.hangup(cid)
    await uas.expect_success()  # the scenario checks a=sendonly then a=sendrecv


async def test_remote_hold_seen(engine: Engine, workdir: Path) -> None:
    eng, rec = engine
    auto_answer(eng)
    host, port = eng.local_address()
    uac = await start_sipp(sc.uac(sc.REMOTE_HOLD_MIDDLE, next_cseq=3), workdir, f"{host}:{port}")
    held = await rec.wait_for(CallHoldChanged)
    assert (held.local_hold, held.remote_hold) == (False, True)
    assert eng.active_calls()[0].remote_hold
    await uac.expect_success()


async def test_info_dtmf_sent_and_verified_by_peer(engine: Engine, workdir: Path) -> None:
    eng, rec = engine
    uas = await start_sipp(sc.uas(sc.info_dtmf_middle("5#")), workdir)
    cid = await eng.make_call(f"sip:bob@{uas.uri_host}")
    await rec.wait_for(CallConnected)
    await eng.send_dtmf(cid, "5#", method="info")
    sent = await rec.wait_for(SipMessageLogged, lambda e: e.first_line.startswith("INFO"))
    assert "application/dtmf-relay" in sent.text
    await rec.wait_for(
        SipMessageLogged,
        lambda e: e.direction == "received" and "CSeq:" in e.text and "INFO" in e.text,
    )
    await eng.hangup(cid)
    await uas.expect_success()  # fails unless it saw Signal=5 and Signal=#


async def test_info_dtmf_received(engine: Engine, workdir: Path) -> None:
    eng, rec = engine
    auto_answer(eng)
    host, port = eng.local_address()
    uac = await start_sipp(sc.uac(sc.info_send_middle("7"), next_cseq=3), workdir, f"{host}:{port}")
    dtmf = await rec.wait_for(DtmfReceived)
    assert (dtmf.digit, dtmf.method) == ("7", "info")
    await uac.expect_success()


async def test_info_application_dtmf_received(engine: Engine, workdir: Path) -> None:
    """INFO with ``application/dtmf`` (the body is the digit) is a digit too, answered 200."""
    eng, rec = engine
    auto_answer(eng)
    host, port = eng.local_address()
    middle = sc.info_send_middle("4", ctype="application/dtmf")
    uac = await start_sipp(sc.uac(middle, next_cseq=3), workdir, f"{host}:{port}")
    dtmf = await rec.wait_for(DtmfReceived)
    assert (dtmf.digit, dtmf.method) == ("4", "info")
    await uac.expect_success()  # fails unless the INFO got its 200


async def test_fifth_call_refused(start_engine: StartEngine, workdir: Path) -> None:
    eng, rec = await start_engine(EngineConfig(max_calls=4))
    uas = await start_sipp(sc.uas(), workdir, calls=4, extra=["-l", "4"])
    ids = [await eng.make_call(f"sip:bob@{uas.uri_host}") for _ in range(4)]
    for cid in ids:
        await rec.wait_for(CallConnected, lambda e, c=cid: e.call_id == c)
    with pytest.raises(CallLimitError):
        await eng.make_call(f"sip:bob@{uas.uri_host}")
    host, port = eng.local_address()
    uac = await start_sipp(sc.uac_expect_status(486), workdir, target=f"{host}:{port}")
    await uac.expect_success()  # the 5th incoming INVITE got 486
    assert len(eng.active_calls()) == 4
    for cid in ids:
        await eng.hangup(cid)
    await uas.expect_success()


async def test_stop_with_calls_up_does_not_abort(start_engine: StartEngine, workdir: Path) -> None:
    eng, rec = await start_engine()
    uas = await start_sipp(sc.uas(), workdir, calls=2, extra=["-l", "2"])
    for _ in range(2):
        await eng.make_call(f"sip:bob@{uas.uri_host}")
    await rec.wait_for(CallConnected)
    await eng.stop()
    assert {e.cause for e in rec.of(CallEnded)} <= {
        CallEndCause.LOCAL_HANGUP,
        CallEndCause.CANCELLED,
    }
    assert len(rec.of(CallEnded)) == 2
    await uas.expect_success()


async def test_tcp_transport_call(start_engine: StartEngine, workdir: Path) -> None:
    from softphone.sip import TransportConfig

    eng, rec = await start_engine(
        EngineConfig(transports=(TransportConfig("udp"), TransportConfig("tcp")))
    )
    uas = await start_sipp(sc.uas(), workdir, extra=["-t", "t1"])
    cid = await eng.make_call(f"sip:bob@{uas.uri_host};transport=tcp")
    await rec.wait_for(CallConnected)
    assert eng.local_address("tcp")[1] > 0
    await eng.hangup(cid)
    assert (await rec.wait_for(CallEnded)).cause == CallEndCause.LOCAL_HANGUP
    await uas.expect_success()


async def test_garbage_and_half_transactions_do_not_break_the_engine(
    engine: Engine, workdir: Path
) -> None:
    import socket

    eng, rec = engine
    host, port = eng.local_address()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for junk in (b"\x00\xff" * 300, b"INVITE nonsense\r\n\r\n", b"SIP/2.0 200 OK\r\n\r\n"):
            s.sendto(junk, (host, port))
        # an INVITE whose sender vanishes (never ACKs, never answers anything)
        s.sendto(
            (
                f"INVITE sip:me@{host}:{port} SIP/2.0\r\n"
                f"Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKgone\r\n"
                "From: <sip:gone@127.0.0.1>;tag=g\r\nTo: <sip:me@127.0.0.1>\r\n"
                "Call-ID: gone-1\r\nCSeq: 1 INVITE\r\nContact: <sip:gone@127.0.0.1:9>\r\n"
                "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
            ).encode(),
            (host, port),
        )
    inc = await rec.wait_for(IncomingCallReceived)
    assert inc.sip_call_id == "gone-1"
    await eng.hangup(inc.call_id)  # no stuck call
    await rec.wait_for(CallEnded, lambda e: e.call_id == inc.call_id)
    uas = await start_sipp(sc.uas(), workdir)
    cid = await eng.make_call(f"sip:bob@{uas.uri_host}")
    await rec.wait_for(CallConnected, lambda e: e.call_id == cid)
    await eng.hangup(cid)
    await uas.expect_success()
