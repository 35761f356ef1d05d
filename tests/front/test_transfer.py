"""Transfers through the front door: a real phone process (the ``softphone`` fixture),
driven by its control API / CLI, transferred by SIPp (REFER, INVITE with Replaces) and
transferring (our REFER) -- checked on the wire (SIPp's scenario), in ``state``, in
events and in Recents, and the phone never dies of a signal."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from softphone.testing import RunningPhone, assert_alive
from tests.sip import dialog_scenarios as ds
from tests.sip.helpers import start_sipp

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


def _dialog_of(phone: RunningPhone) -> tuple[str, str, str]:
    """(Call-ID, our tag, the peer's tag) of the phone's only call, from the Inspector
    export (the SIP ladder a user attaches to a bug report)."""
    raise NotImplementedError


_TAG = re.compile(r"tag=([^;>\s]+)")
