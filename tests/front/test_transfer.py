"""Transfers through the front door: a real phone process (the ``softphone`` fixture),
driven by its control API / CLI, transferred by SIPp (REFER, INVITE with Replaces) and
transferring (our REFER) -- checked on the wire (SIPp's scenario), in ``state``, in
events and in Recents, and the phone never dies of a signal."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from softphone.control.client import ControlClientError
from softphone.testing import RunningPhone, assert_alive
from tests.sip import dialog_scenarios as ds
from tests.sip import scenarios as sc
from tests.sip.helpers import Sipp, start_sipp

pytestmark = pytest.mark.integration

Phones = Callable[..., RunningPhone]


async def wait(phone: RunningPhone, event: str, timeout: float = 10.0) -> dict[str, Any]:
    result: dict[str, Any] = await asyncio.to_thread(phone.wait_for, event, timeout)
    return result


async def until(check: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


def address(phone: RunningPhone) -> str:
    return str(phone.state()["sip"]["udp"])


@pytest.mark.covers("calls.accept_transfers", "readme:transfer")
async def test_refer_moves_the_call_to_the_target(softphone: Phones, tmp_path: Path) -> None:
    phone = softphone()
    target = await start_sipp(ds.answer_then_bye(2000), tmp_path)
    target_handle = f"target@{target.uri_host}"
    caller = await start_sipp(
        ds.refer_caller(f"sip:target@{target.uri_host}"), tmp_path, address(phone)
    )
    incoming = await wait(phone, "call.incoming")
    call = incoming["call"]
    phone.answer()
    moved = await wait(phone, "call.transferred")
    assert moved["call"] == call
    assert moved["data"]["handle"] == target_handle
    assert moved["data"]["previous"] == incoming["data"]["handle"]
    calls = phone.state()["calls"]
    assert [(c["uuid"], c["handle"]) for c in calls] == [(call, target_handle)]
    await caller.expect_success()  # 202, NOTIFYs up to "SIP/2.0 200", BYE answered
    ended = await wait(phone, "call.ended", 15)  # the target hung up: its BYE answered
    assert ended["call"] == call
    await target.expect_success()
    assert phone.state()["calls"] == []
    rows = phone.recents()["recents"]
    assert len(rows) == 1
    assert rows[0]["handle"] == target_handle
    assert rows[0]["participants"] == [incoming["data"]["handle"], target_handle]
    assert_alive(phone)


@pytest.mark.covers("calls.accept_transfers")
async def test_transfers_turned_off_refuse_refer_with_603(
    softphone: Phones, tmp_path: Path
) -> None:
    phone = softphone(settings_toml="[calls]\naccept_transfers = false\n")
    caller = await start_sipp(
        ds.refer_refused("sip:target@127.0.0.1:9", 603), tmp_path, address(phone)
    )
    incoming = await wait(phone, "call.incoming")
    phone.answer()
    refused = await wait(phone, "call.transfer-refused")
    assert refused["call"] == incoming["call"]
    assert refused["data"]["status"] == 603
    await caller.expect_success()
    await wait(phone, "call.ended")
    rows = phone.recents()["recents"]
    assert [r["handle"] for r in rows] == [incoming["data"]["handle"]]
    assert rows[0]["participants"] == []
    assert_alive(phone)


def _logged_dialog(workdir: Path) -> tuple[str, str, str]:
    """(Call-ID, the phone's tag, SIPp's tag) that wait_bye_caller logged."""
    for log in workdir.glob("*_logs.log"):
        found = re.search(r"DIALOG (\S+) (\S+) (\S+)", log.read_text(errors="replace"))
        if found:
            return found.group(1), found.group(2), found.group(3)
    raise AssertionError(f"no DIALOG line in {workdir}")


@pytest.mark.covers("calls.accept_transfers", "readme:transfer")
async def test_invite_with_replaces_takes_the_call_over(softphone: Phones, tmp_path: Path) -> None:
    phone = softphone()
    first = await start_sipp(ds.wait_bye_caller(), tmp_path, address(phone), extra=["-trace_logs"])
    incoming = await wait(phone, "call.incoming")
    call = incoming["call"]
    phone.answer()
    await wait(phone, "audio.activated")
    await until(lambda: any(first.workdir.glob("*_logs.log")) and _has_dialog(first.workdir))
    call_id, phone_tag, sipp_tag = _logged_dialog(first.workdir)
    second = await start_sipp(
        ds.replaces_caller(call_id, phone_tag, sipp_tag), tmp_path, address(phone)
    )
    replaced = await wait(phone, "call.replaced")
    assert replaced["call"] == call
    assert replaced["data"]["previous"] == incoming["data"]["handle"]
    new_handle = "carol@127.0.0.1"
    assert replaced["data"]["handle"] == new_handle
    assert [(c["uuid"], c["handle"]) for c in phone.state()["calls"]] == [(call, new_handle)]
    await first.expect_success()  # PJSIP sent BYE to the replaced dialog
    await second.expect_success()  # answered at once, our BYE answered
    ended = await wait(phone, "call.ended")
    assert ended["call"] == call
    assert phone.state()["calls"] == []
    rows = phone.recents()["recents"]
    assert [(r["handle"], r["participants"]) for r in rows] == [
        (new_handle, [incoming["data"]["handle"], new_handle])
    ]
    assert_alive(phone)


def _has_dialog(workdir: Path) -> bool:
    return any("DIALOG" in p.read_text(errors="replace") for p in workdir.glob("*_logs.log"))


def cli(phone: RunningPhone, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m softphone --profile P ARGS`` against the running phone (SOFTPHONE_HOME)."""
    home = phone.log_path.parent
    return subprocess.run(
        [sys.executable, "-m", "softphone", "--profile", phone.profile, *args],
        env={**os.environ, "SOFTPHONE_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=30,
    )


def refer_to(sipp: Sipp) -> str:
    for log in sipp.workdir.glob("*_logs.log"):
        found = re.search(r"REFER-TO (.*)", log.read_text(errors="replace"))
        if found:
            return found.group(1)
    raise AssertionError("the peer logged no REFER")


@pytest.mark.covers("readme:transfer")
async def test_blind_transfer_from_the_cli(softphone: Phones, tmp_path: Path) -> None:
    phone = softphone()
    peer = await start_sipp(ds.refer_target_uas("carol"), tmp_path, extra=["-trace_logs"])
    call = phone.call(f"sip:bob@{peer.uri_host}")["call"]
    await wait(phone, "call.connected")
    done = cli(phone, "transfer", "--to", "sip:carol@127.0.0.1:5999")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["call"] == call
    codes = []
    while not codes or codes[-1] < 200:  # the REFER accepted (100), then the NOTIFY (200)
        progress = await wait(phone, "call.transfer-progress")
        assert progress["call"] == call
        codes.append(progress["data"]["code"])
    assert codes[-1] == 200
    result = await wait(phone, "call.transfer-result")
    assert result["data"]["ok"] is True
    ended = await wait(phone, "call.ended")  # we leave once the transferee has Carol
    assert ended["call"] == call
    await peer.expect_success()  # REFER (Refer-To carol), NOTIFY answered, our BYE
    assert "sip:carol@127.0.0.1:5999" in refer_to(peer)
    assert phone.state()["calls"] == []
    assert [r["handle"] for r in phone.recents()["recents"]] == [f"sip:bob@{peer.uri_host}"]
    assert_alive(phone)


@pytest.mark.covers("readme:transfer")
async def test_attended_transfer_from_the_api(softphone: Phones, tmp_path: Path) -> None:
    phone = softphone()
    first_peer = await start_sipp(ds.refer_target_uas("Replaces"), tmp_path, extra=["-trace_logs"])
    second_peer = await start_sipp(sc.uas(), tmp_path)
    first = phone.call(f"sip:bob@{first_peer.uri_host}")["call"]
    await wait(phone, "call.connected")
    second = phone.call(f"sip:carol@{second_peer.uri_host}")["call"]
    await until(lambda: any(c["uuid"] == second and c["connected"] for c in phone.state()["calls"]))
    with pytest.raises(ControlClientError) as bad:
        phone.transfer(call=first, replaces=first)
    assert bad.value.status == 400
    phone.transfer(call=first, replaces=second)
    result = await wait(phone, "call.transfer-result")
    assert result["call"] == first and result["data"]["ok"] is True
    await first_peer.expect_success()
    assert "Replaces" in refer_to(first_peer) and "carol" in refer_to(first_peer)
    await until(lambda: [c["uuid"] for c in phone.state()["calls"]] == [second])
    phone.hangup(call=second)
    await second_peer.expect_success()
    assert_alive(phone)


@pytest.mark.covers("readme:transfer")
async def test_baresip_transfers_the_phone(softphone: Phones, tmp_path: Path) -> None:
    """Another phone (baresip's /transfer: REFER) moves our call to a third party."""
    from tests.sip.other_phones import Baresip

    phone = softphone()
    target = await start_sipp(ds.answer_then_bye(2000), tmp_path)
    baresip = await Baresip.start(tmp_path)
    try:
        call = phone.call(f"sip:baresip@127.0.0.1:{baresip.port}")["call"]
        await wait(phone, "call.connected")
        assert baresip.proc.stdin is not None
        baresip.proc.stdin.write(f"/transfer sip:target@{target.uri_host}\n".encode())
        await baresip.proc.stdin.drain()
        moved = await wait(phone, "call.transferred")
        assert moved["call"] == call and moved["data"]["handle"] == f"target@{target.uri_host}"
        ended = await wait(phone, "call.ended", 15)  # the target hangs up after 2 s
        assert ended["call"] == call
        await target.expect_success()
    finally:
        await baresip.close()
    assert phone.state()["calls"] == []
    rows = phone.recents()["recents"]
    assert [r["handle"] for r in rows] == [f"target@{target.uri_host}"]
    assert_alive(phone)
