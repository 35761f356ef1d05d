"""Outgoing calls go out on the user's SIP account (its identity and credentials), the
embedded test line is reached directly, and an unknown account is a clear error."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from softphone.control import InvalidParamsError
from softphone.phone.runtime import PhoneRuntime
from softphone.settings import AccountSettings, MemorySecretStore, Settings
from softphone.sip.pjsua import create_engine
from softphone.sip.testline import TestLineProcess
from tests.sip.kamailio import USERS, AuthKamailio

pytestmark = pytest.mark.integration


async def test_calls_use_the_account_unless_told_otherwise(tmp_path: Path) -> None:
    kam = AuthKamailio(tmp_path)
    account = AccountSettings(
        id="main", uri=f"sip:alice@127.0.0.1:{kam.port}", registrar=kam.uri, username="alice"
    )
    secrets = MemorySecretStore()
    secrets.set("sip:main", USERS["alice"])
    phone = PhoneRuntime(create_engine(), Settings(accounts=(account,)), secrets=secrets)
    callee = TestLineProcess(user="callee")
    await phone.start()
    await callee.start()
    try:
        assert phone.app.accounts == ["main"]
        await phone.control.execute("call", {"to": callee.uri})
        incoming = await callee.wait_for("incoming")
        assert "alice@" in incoming.fields["remote"]  # From: the account's identity
        await phone.control.execute("wait-for", {"event": "call.connected"})
        await phone.control.execute("hangup", {})
        await phone.control.execute("wait-for", {"event": "call.ended"})
        # the embedded test line is reached directly, whatever the accounts
        await phone.control.execute("call", {"to": "echo"})
        await phone.control.execute("wait-for", {"event": "call.connected"})
        await phone.control.execute("hangup", {})
        with pytest.raises(InvalidParamsError, match="no account 'nope'"):
            await phone.control.execute("call", {"to": callee.uri, "account": "nope"})
        await asyncio.sleep(0)
    finally:
        await callee.stop()
        await phone.stop()
        kam.stop()
