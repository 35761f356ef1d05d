"""The engine's own events for requests outside a call and offers it cannot serve,
with SIPp on the wire (the phone layer maps them to events and banners)."""

from __future__ import annotations

from pathlib import Path

import pytest

from softphone.sip import IncomingCallReceived, IncomingCallRefused, MessageReceived
from softphone.sip.pjsua import PjsuaEngine
from softphone.sip.pjsua._out_of_dialog import offer_problem
from tests.sip import dialog_scenarios as ds
from tests.sip.helpers import EventRecorder, start_sipp

pytestmark = pytest.mark.integration


async def test_ipv6_offer_is_refused_with_488_and_an_event(
    engine: tuple[PjsuaEngine, EventRecorder], tmp_path: Path
) -> None:
    eng, rec = engine
    host, port = eng.local_address()
    sipp = await start_sipp(ds.ipv6_offer_caller(488), tmp_path, f"{host}:{port}")
    refused = await rec.wait_for(IncomingCallRefused)
    await sipp.expect_success()  # 488, no 180 before it
    assert refused.status == 488 and "IPv6" in refused.reason
    assert refused.sip_call_id
    assert not rec.of(IncomingCallReceived)
    assert eng.active_calls() == []


async def test_message_is_an_event(
    engine: tuple[PjsuaEngine, EventRecorder], tmp_path: Path
) -> None:
    eng, rec = engine
    host, port = eng.local_address()
    sipp = await start_sipp(
        ds.out_of_dialog("MESSAGE", 200, body="ping", log_headers=()), tmp_path, f"{host}:{port}"
    )
    got = await rec.wait_for(MessageReceived)
    await sipp.expect_success()
    assert (got.body, got.content_type, got.display_name) == ("ping", "text/plain", "SIPp Caller")


@pytest.mark.parametrize(
    ("sdp", "problem"),
    [
        ("v=0\r\nc=IN IP6 ::1\r\nm=audio 4000 RTP/AVP 0\r\n", "IPv6"),
        (
            "v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 4000 RTP/AVP 96\r\na=rtpmap:96 opus/48000/2\r\n",
            "no common codec (offered OPUS)",
        ),
        (
            "v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 4000 RTP/AVP 96 0\r\na=rtpmap:96 opus/48000\r\n",
            "",
        ),
        ("", ""),
    ],
)
def test_offer_problem(sdp: str, problem: str) -> None:
    found = offer_problem(sdp)
    assert (problem in found) if problem else found == ""
