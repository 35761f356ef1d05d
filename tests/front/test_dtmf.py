"""DTMF through the front door: ``dtmf_method`` in settings.toml, ``softphone dtmf`` (with
``--method``) on the command line, and digits a peer sends by SIP INFO (both kinds)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from softphone.testing import RunningPhone
from tests.sip import scenarios as sc
from tests.sip.helpers import start_sipp

pytestmark = pytest.mark.integration
Phones = Callable[..., RunningPhone]
INFO_SETTINGS = '[sip]\ndtmf_method = "info"\n'


def cli(tmp_path: Path, phone: RunningPhone, *args: str) -> str:
    """``python -m softphone --profile P ARGS`` as a user types it (the fixture's home)."""
    env = {**os.environ, "SOFTPHONE_HOME": str(tmp_path / "softphone-home")}
    done = subprocess.run(
        [sys.executable, "-m", "softphone", "--profile", phone.profile, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, f"softphone {' '.join(args)}: {done.stderr}"
    return done.stdout


async def run(fn: Callable[..., Any], *args: Any) -> Any:
    """A blocking client/CLI call, off the loop (SIPp's output keeps being read)."""
    return await asyncio.to_thread(fn, *args)


@pytest.mark.covers("sip.dtmf_method", "readme:dtmf --method")
async def test_info_method_from_settings_sends_info_on_the_wire(
    softphone: Phones, tmp_path: Path
) -> None:
    """``dtmf_method = "info"``: the phone starts, ``softphone dtmf 12#`` sends three INFOs
    with ``application/dtmf-relay`` (SIPp fails unless it sees Signal=1, 2, # in order)."""
    phone = softphone("alice", settings_toml=INFO_SETTINGS)
    assert phone.state()["problems"] == []
    uas = await start_sipp(sc.uas(sc.info_dtmf_middle("12#")), tmp_path)
    try:
        await run(cli, tmp_path, phone, "call", f"sip:bob@{uas.uri_host}")
        await run(phone.wait_for, "call.connected", 10)
        await run(cli, tmp_path, phone, "dtmf", "12#")
        sent = [await run(phone.wait_for, "dtmf.sent", 10) for _ in "12#"]
        assert [e["data"]["digits"] for e in sent] == ["1", "2", "#"]
        await run(cli, tmp_path, phone, "hangup")
        await uas.expect_success()
    finally:
        uas.kill()


@pytest.mark.covers("sip.dtmf_method", "readme:dtmf --method")
def test_method_option_overrides_the_setting(softphone: Phones, tmp_path: Path) -> None:
    """With ``dtmf_method = "info"``, ``dtmf 5 --method rfc4733`` reaches the other phone as
    RFC 4733, and a plain ``dtmf 7`` as SIP INFO (the receiving phone says which)."""
    alice = softphone("alice", settings_toml=INFO_SETTINGS)
    bob = softphone("bob")
    alice.call(f"sip:bob@{bob.state()['sip']['udp']}")
    bob.wait_for("call.incoming", timeout=10)
    bob.answer()
    alice.wait_for("call.connected", timeout=10)
    bob.wait_for("call.connected", timeout=10)
    cli(tmp_path, alice, "dtmf", "5", "--method", "rfc4733")
    got = bob.wait_for("dtmf.received", timeout=10)["data"]
    assert (got["digit"], got["method"]) == ("5", "rfc4733")
    cli(tmp_path, alice, "dtmf", "7")
    got = bob.wait_for("dtmf.received", timeout=10)["data"]
    assert (got["digit"], got["method"]) == ("7", "info")
    alice.hangup()
    bob.wait_for("call.ended", timeout=10)


@pytest.mark.covers("sip.dtmf_method")
async def test_digits_received_by_info_dtmf_relay_and_application_dtmf(
    softphone: Phones, tmp_path: Path
) -> None:
    """SIPp calls the phone and sends INFO ``application/dtmf-relay`` (3), then INFO
    ``application/dtmf`` (9): ``wait-for dtmf.received`` sees both, by "info", and SIPp
    fails unless each INFO was answered 200."""
    phone = softphone("alice", settings_toml=INFO_SETTINGS)
    middle = sc.info_send_middle("3", cseq=2) + sc.info_send_middle(
        "9", cseq=3, ctype="application/dtmf"
    )
    uac = await start_sipp(sc.uac(middle, next_cseq=4), tmp_path, phone.state()["sip"]["udp"])
    try:
        await run(phone.wait_for, "call.incoming", 10)
        await run(phone.answer)
        got = [(await run(phone.wait_for, "dtmf.received", 10))["data"] for _ in "39"]
        assert [(d["digit"], d["method"]) for d in got] == [("3", "info"), ("9", "info")]
        await uac.expect_success()
    finally:
        uac.kill()


@pytest.mark.covers("sip.dtmf_method", "readme:sip_info alias")
def test_old_sip_info_spelling_still_works(softphone: Phones) -> None:
    """``dtmf_method = "sip_info"`` (the old name): the phone starts with "info" and a note."""
    phone = softphone("alice", settings_toml='[sip]\ndtmf_method = "sip_info"\n')
    assert phone.request("settings")["settings"]["sip"]["dtmf_method"] == "info"
    (note,) = phone.state()["problems"]
    assert "sip.dtmf_method" in note and "old name" in note
