"""Quitting through the front door: SIGTERM (what ``kill``, systemd and the test fixture
send) ends the calls on the wire and the phone exits 0 within 2 s."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.front.test_transfer import Phones, address, wait
from tests.sip import scenarios as sc
from tests.sip.helpers import start_sipp

pytestmark = pytest.mark.integration


@pytest.mark.covers("readme:sigterm")
async def test_sigterm_hangs_up_and_exits_within_2_s(softphone: Phones, tmp_path: Path) -> None:
    phone = softphone()
    caller = await start_sipp(sc.uac_wait_bye(), tmp_path, address(phone))
    await wait(phone, "call.incoming")
    phone.answer()
    await wait(phone, "audio.activated")
    started = time.monotonic()
    phone.process.terminate()
    code = phone.process.wait(10)
    took = time.monotonic() - started
    assert code == 0
    assert took <= 2.0, f"SIGTERM to exit took {took:.2f} s"
    await caller.expect_success()  # our BYE reached the caller
