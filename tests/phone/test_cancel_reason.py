"""A caller's CANCEL says why (RFC 3326 ``Reason``): CallKit hears "answered elsewhere",
"declined elsewhere" or "remote ended", and Recents records it (SIPp -> the real app)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from softphone.callkit import CXCallEndedReason
from softphone.phone.runtime import PhoneRuntime
from softphone.settings import Settings
from softphone.sip.pjsua import create_engine
from tests.phone._runtime import running
from tests.sip import scenarios as sc
from tests.sip.helpers import start_sipp

pytestmark = pytest.mark.integration


@pytest.fixture
async def phone() -> AsyncIterator[PhoneRuntime]:
    async with running(PhoneRuntime(create_engine(), Settings(), with_test_line=False)) as runtime:
        yield runtime


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ('SIP;cause=200;text="Call completed elsewhere"', CXCallEndedReason.ANSWERED_ELSEWHERE),
        ('SIP;cause=603;text="Declined"', CXCallEndedReason.DECLINED_ELSEWHERE),
        ("", CXCallEndedReason.REMOTE_ENDED),
    ],
)
async def test_cancel_reason_becomes_the_ended_reason(
    phone: PhoneRuntime, tmp_path: Path, header: str, expected: CXCallEndedReason
) -> None:
    host, port = phone.engine.local_address("udp")
    uac = await start_sipp(sc.uac_cancel(ring_ms=500, reason=header), tmp_path, f"{host}:{port}")
    await phone.control.execute("wait-for", {"event": "call.incoming", "timeout": 5})
    ended = await phone.control.execute("wait-for", {"event": "call.ended", "timeout": 5})
    assert ended["data"]["ended_reason"] == expected.value
    ends = [e for e in phone.system.events if type(e).__name__ == "CallEnded"]
    assert getattr(ends[-1], "reason", None) is expected
    await uac.expect_success()
