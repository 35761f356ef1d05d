"""Requests outside a call through the front door: SIPp sends MESSAGE, REGISTER,
SUBSCRIBE, PUBLISH and OPTIONS to a real phone (its address from ``state``); the
responses are checked on the wire, MESSAGE in events, and offers the phone cannot serve
are refused before ringing (488)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from softphone.testing import RunningPhone, assert_alive
from tests.front.test_transfer import Phones, address, wait
from tests.sip import dialog_scenarios as ds
from tests.sip.helpers import Sipp, start_sipp

pytestmark = pytest.mark.integration


def logged(sipp: Sipp) -> dict[str, str]:
    """``NAME=value`` lines the scenario logged."""
    out: dict[str, str] = {}
    for log in sipp.workdir.glob("*_logs.log"):
        for name, value in re.findall(r"(?m)^([A-Z-]+)=(.*)$", log.read_text(errors="replace")):
            out[name] = value.strip()
    return out


async def send(phone: RunningPhone, tmp_path: Path, scenario: str) -> Sipp:
    sipp = await start_sipp(scenario, tmp_path, address(phone), extra=["-trace_logs"])
    await sipp.expect_success()
    return sipp


@pytest.mark.covers("calls.accept_messages", "readme:messages")
async def test_message_is_shown(softphone: Phones, tmp_path: Path) -> None:
    phone = softphone()
    await send(
        phone, tmp_path, ds.out_of_dialog("MESSAGE", 200, body="Hello from SIPp", log_headers=())
    )
    got = await wait(phone, "message.received")
    assert got["data"]["body"] == "Hello from SIPp"
    assert got["data"]["sender"].startswith("sip:sipp@127.0.0.1")
    assert got["data"]["name"] == "SIPp Caller"
    assert_alive(phone)


@pytest.mark.covers("calls.accept_messages")
async def test_messages_off_are_refused_with_405(softphone: Phones, tmp_path: Path) -> None:
    phone = softphone(settings_toml="[calls]\naccept_messages = false\n")
    sipp = await send(phone, tmp_path, ds.out_of_dialog("MESSAGE", 405, body="Hi"))
    allow = logged(sipp)["ALLOW"]
    assert "INVITE" in allow and "MESSAGE" not in allow
    with pytest.raises(Exception, match="408"):
        phone.wait_for("message.received", timeout=0.5)
    assert_alive(phone)


@pytest.mark.covers("readme:not-a-server")
@pytest.mark.parametrize(
    ("method", "extra"),
    [
        ("REGISTER", "Expires: 60\n"),
        ("SUBSCRIBE", "Event: presence\nExpires: 60\nAccept: application/pidf+xml\n"),
        ("PUBLISH", "Event: presence\nExpires: 60\n"),
    ],
)
async def test_server_requests_get_405(
    softphone: Phones, tmp_path: Path, method: str, extra: str
) -> None:
    phone = softphone()
    sipp = await send(phone, tmp_path, ds.out_of_dialog(method, 405, extra=extra))
    allow = logged(sipp)["ALLOW"]
    assert "INVITE" in allow and method not in allow and "SUBSCRIBE" not in allow
    assert phone.state()["calls"] == []
    assert_alive(phone)


@pytest.mark.covers("readme:options")
async def test_options_tells_the_real_capabilities(softphone: Phones, tmp_path: Path) -> None:
    phone = softphone()
    sipp = await send(
        phone,
        tmp_path,
        ds.out_of_dialog("OPTIONS", 200, log_headers=("Allow", "Accept", "Supported")),
    )
    got = logged(sipp)
    allow = {m.strip() for m in got["ALLOW"].split(",")}
    assert {"INVITE", "BYE", "CANCEL", "REFER", "NOTIFY", "INFO", "MESSAGE"} <= allow
    assert not allow & {"SUBSCRIBE", "PUBLISH", "REGISTER"}
    assert "application/sdp" in got["ACCEPT"]
    assert "replaces" in got["SUPPORTED"]
    assert_alive(phone)


@pytest.mark.covers("readme:ipv6-refused")
async def test_ipv6_offer_is_refused_before_ringing(softphone: Phones, tmp_path: Path) -> None:
    phone = softphone()
    await send(phone, tmp_path, ds.ipv6_offer_caller(488))  # 488 without a 180 first
    with pytest.raises(Exception, match="408"):
        phone.wait_for("call.incoming", timeout=0.5)
    assert phone.state()["calls"] == []
    assert_alive(phone)
