"""Calls with baresip and linphonec as the other phone."""

from __future__ import annotations

from pathlib import Path

import pytest

from softphone.sip import CallConnected, CallEndCause, CallEnded, IncomingCallReceived
from tests.sip.conftest import StartEngine, auto_answer
from tests.sip.other_phones import Baresip, Linphonec

pytestmark = pytest.mark.integration


async def test_call_baresip_and_hang_up(start_engine: StartEngine, tmp_path: Path) -> None:
    eng, rec = await start_engine()
    bs = await Baresip.start(tmp_path)
    try:
        cid = await eng.make_call(f"sip:baresip@127.0.0.1:{bs.port}")
        await rec.wait_for(CallConnected, lambda e: e.call_id == cid)
        stats = eng.call_stats(cid)
        assert stats.codec.startswith(("PCMU", "PCMA", "G722"))
        await eng.hangup(cid)
        assert (await rec.wait_for(CallEnded)).cause == CallEndCause.LOCAL_HANGUP
        await bs.wait_output(b"session closed")
    finally:
        await bs.close()


async def test_baresip_calls_us(start_engine: StartEngine, tmp_path: Path) -> None:
    eng, rec = await start_engine()
    auto_answer(eng)
    host, port = eng.local_address()
    bs = await Baresip.start(tmp_path, dial=f"sip:me@{host}:{port}")
    try:
        inc = await rec.wait_for(IncomingCallReceived)
        assert "baresip" in inc.remote_uri
        await rec.wait_for(CallConnected)
    finally:
        await bs.close()
    assert (await rec.wait_for(CallEnded)).cause == CallEndCause.REMOTE_HANGUP


async def test_call_linphonec(start_engine: StartEngine, tmp_path: Path) -> None:
    eng, rec = await start_engine()
    lp = await Linphonec.start(tmp_path)
    try:
        cid = await eng.make_call(f"sip:linphone@127.0.0.1:{lp.port}")
        await rec.wait_for(CallConnected, lambda e: e.call_id == cid, timeout=15)
        await eng.hangup(cid)
        assert (await rec.wait_for(CallEnded)).cause == CallEndCause.LOCAL_HANGUP
    finally:
        await lp.close()
