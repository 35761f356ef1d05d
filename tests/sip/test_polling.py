"""The engine polls PJSIP when there is work, not on a fixed tick: SIP sockets wake it,
and when idle it follows PJSIP's timer heap. With the idle poll stretched to a minute,
anything timer-driven (here a registration refresh) still happens, and callbacks'
events reach subscribers in order."""

from __future__ import annotations

from pathlib import Path

import pytest

from softphone.sip import (
    AccountConfig,
    EngineConfig,
    IncomingCallReceived,
    RegistrationStateChanged,
    RegistrationStatus,
    TransportConfig,
)
from softphone.sip.pjsua import create_engine
from tests.sip import scenarios as sc
from tests.sip.conftest import auto_answer
from tests.sip.helpers import EventRecorder, start_sipp

pytestmark = pytest.mark.integration

_OK = (
    "  <send><![CDATA[\n"
    "SIP/2.0 200 OK\n[last_Via:]\n[last_From:]\n[last_To:];tag=reg[call_number]\n"
    "[last_Call-ID:]\n[last_CSeq:]\n[last_Contact:];expires={expires}\n"
    "Expires: {expires}\nContent-Length: 0\n\n]]></send>\n"
)


def _registrar(granted: list[int]) -> str:
    """Answer one REGISTER per entry of ``granted`` with that expiry."""
    body = "".join('  <recv request="REGISTER"/>\n' + _OK.format(expires=e) for e in granted)
    return sc.HEAD.format(name="registrar") + body + sc.TAIL


async def test_idle_engine_follows_pjsip_timers(workdir: Path) -> None:
    """Granted 7 s, PJSIP refreshes after 5 s from a timer: no socket wakes the loop
    for it, and the idle poll (60 s here) would be far too late."""
    reg = await start_sipp(_registrar([7, 7, 0]), workdir, timeout_s=30)
    eng = create_engine(idle_poll_interval=60.0)
    rec = EventRecorder()
    eng.subscribe(rec)
    await eng.start(EngineConfig(transports=(TransportConfig("udp", 0),), log_messages=False))
    try:
        eng.add_account(
            AccountConfig(
                id="a",
                uri="sip:alice@127.0.0.1",
                registrar=f"sip:{reg.uri_host}",
                expires=60,
                register_on_add=False,
            )
        )
        first = await eng.register("a", timeout=5)
        assert first.state == RegistrationStatus.REGISTERED
        n = len(rec.events)
        refreshed = await rec.wait_for(
            RegistrationStateChanged,
            lambda e: e.state == RegistrationStatus.REGISTERED,
            timeout=12,
            start=n,
        )
        assert refreshed.expires == 7
        await eng.unregister("a", timeout=5)
        await reg.expect_success(timeout=10)
    finally:
        await eng.stop()
        reg.kill()


async def test_callback_events_keep_their_order(workdir: Path) -> None:
    """Events from pjsua2 callbacks are dispatched right after libHandleEvents, events
    from API calls with call_soon: one queue keeps them in emission order."""
    eng = create_engine(idle_poll_interval=60.0)
    rec = EventRecorder()
    eng.subscribe(rec)
    await eng.start(EngineConfig(transports=(TransportConfig("udp", 0),), log_messages=False))
    try:
        auto_answer(eng)
        host, port = eng.local_address("udp")
        uac = await start_sipp(sc.uac(pause_ms=100), workdir, target=f"{host}:{port}")
        await uac.expect_success(timeout=15)
        names = [type(e).__name__ for e in rec.events]
        assert names[0] == IncomingCallReceived.__name__
        assert names.index("CallConnected") < names.index("CallEnded") == len(names) - 1
    finally:
        await eng.stop()
