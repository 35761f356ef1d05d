"""3xx redirects through the front door: a real phone calls SIPp, which redirects it
(``Contact:`` of a 302); the phone follows up to ``[calls] max_redirects`` and never
twice to one target, and says why when it does not (wire, ``state``, events, Recents)."""

from __future__ import annotations

from pathlib import Path

import pytest

from softphone.testing import assert_alive
from tests.front.test_transfer import Phones, wait
from tests.sip import dialog_scenarios as ds
from tests.sip import scenarios as sc
from tests.sip.helpers import start_sipp

pytestmark = pytest.mark.integration


@pytest.mark.covers("calls.max_redirects", "readme:redirect")
async def test_302_is_followed_to_the_new_target(softphone: Phones, tmp_path: Path) -> None:
    phone = softphone()
    target = await start_sipp(sc.uas(), tmp_path)
    redirector = await start_sipp(ds.redirect_uas(f"sip:target@{target.uri_host}"), tmp_path)
    dialled = f"sip:office@{redirector.uri_host}"
    call = phone.call(dialled)["call"]
    redirected = await wait(phone, "call.redirected")
    assert redirected["call"] == call
    assert redirected["data"]["followed"] is True
    assert redirected["data"]["handle"] == f"target@{target.uri_host}"
    await wait(phone, "call.connected")
    assert [(c["uuid"], c["handle"]) for c in phone.state()["calls"]] == [
        (call, f"target@{target.uri_host}")
    ]
    await redirector.expect_success()  # 302 sent, ACK received
    phone.hangup()
    await target.expect_success()  # the INVITE came to the target; our BYE answered
    await wait(phone, "call.ended")
    rows = phone.recents()["recents"]
    assert [(r["handle"], r["participants"], r["status"]) for r in rows] == [
        (f"target@{target.uri_host}", [dialled, f"target@{target.uri_host}"], rows[0]["status"])
    ]
    assert rows[0]["duration"] > 0
    assert_alive(phone)


@pytest.mark.covers("calls.max_redirects")
async def test_a_redirect_loop_is_not_followed_and_says_why(
    softphone: Phones, tmp_path: Path
) -> None:
    phone = softphone()
    redirector = await start_sipp(ds.redirect_uas("sip:office@[local_ip]:[local_port]"), tmp_path)
    call = phone.call(f"sip:office@{redirector.uri_host}")["call"]
    refused = await wait(phone, "call.redirected")
    assert refused["call"] == call
    assert refused["data"]["followed"] is False
    assert "loop" in refused["data"]["reason"]
    ended = await wait(phone, "call.ended")
    assert "loop" in ended["data"]["reason"]
    assert phone.state()["calls"] == []
    await redirector.expect_success()
    assert_alive(phone)


@pytest.mark.covers("calls.max_redirects")
async def test_max_redirects_zero_refuses_redirects(softphone: Phones, tmp_path: Path) -> None:
    phone = softphone(settings_toml="[calls]\nmax_redirects = 0\n")
    redirector = await start_sipp(ds.redirect_uas("sip:target@127.0.0.1:9"), tmp_path)
    call = phone.call(f"sip:office@{redirector.uri_host}")["call"]
    refused = await wait(phone, "call.redirected")
    assert refused["call"] == call and refused["data"]["followed"] is False
    assert "calls.max_redirects" in refused["data"]["reason"]
    ended = await wait(phone, "call.ended")
    assert "calls.max_redirects" in ended["data"]["reason"]
    await redirector.expect_success()
    rows = phone.recents()["recents"]
    assert [r["handle"] for r in rows] == [f"sip:office@{redirector.uri_host}"]
    assert_alive(phone)


@pytest.mark.covers("calls.max_redirects")
def test_an_out_of_range_limit_is_said_and_bounded(softphone: Phones) -> None:
    phone = softphone(settings_toml="[calls]\nmax_redirects = 99\n")
    problems = phone.state()["problems"]
    assert any("calls.max_redirects = 99" in p and "using 20" in p for p in problems)
    assert_alive(phone)
