"""``[sip]`` addresses and user agent, and ``[[accounts]]`` keys, seen on the wire."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from softphone.control.client import ControlClientError
from tests.front.peers import poll, sipp
from tests.front.phones import running, wait_registered
from tests.lab.peers import free_udp_port
from tests.sip.kamailio import USERS, AuthKamailio
from tests.sip.scenarios import uac, uas


def _header(message: str, name: str) -> str:
    found = re.search(rf"^{name}:\s*(.*)$", message, re.M | re.I)
    return found.group(1).strip() if found else ""


@pytest.mark.covers("sip.bind_address", "sip.udp_port", "sip.user_agent")
def test_bind_address_udp_port_and_user_agent(tmp_path: Path) -> None:
    port = free_udp_port()
    toml = f'[sip]\nbind_address = "127.0.0.2"\nudp_port = {port}\nuser_agent = "FrontDoor/7.1"\n'
    with running(tmp_path, "a", toml) as phone:
        assert phone.state()["sip"]["udp"] == f"127.0.0.2:{port}"
        # A caller reaches the phone at that address and port ...
        with sipp(uac(pause_ms=200), tmp_path, f"127.0.0.2:{port}", service="me") as caller:
            phone.wait_for("call.incoming", timeout=10)
            phone.answer()
            caller.expect_success(15)
        ok = caller.received("SIP/2.0 200")[0]
        assert re.search(r"^Contact:.*@127\.0\.0\.2:" + str(port), ok, re.M | re.I), ok
        with sipp(uas(), tmp_path, service="bob") as callee:
            call = phone.call(f"sip:bob@{callee.address}")["call"]
            invite = callee.wait_received("INVITE ")
            phone.wait_for("call.connected", timeout=10)
            phone.hangup(call)
            callee.expect_success(15)
        assert _header(invite, "User-Agent") == "FrontDoor/7.1", invite  # the phone's requests
        assert re.search(r"^Via: SIP/2.0/UDP 127\.0\.0\.2:" + str(port), invite, re.M), invite


@pytest.mark.covers(
    "accounts.id",
    "accounts.uri",
    "accounts.display_name",
    "accounts.registrar",
    "accounts.username",
    "accounts.register",
    "accounts.enabled",
)
def test_accounts_register_show_their_name_and_stay_off_when_disabled(tmp_path: Path) -> None:
    kam = AuthKamailio(tmp_path)
    try:
        host = f"127.0.0.1:{kam.port}"
        toml = (
            f'[[accounts]]\nid = "office"\nuri = "sip:alice@{host}"\n'
            f'display_name = "Alice Office"\nregistrar = "sip:{host}"\nusername = "alice"\n'
            f'[[accounts]]\nid = "quiet"\nuri = "sip:bob@{host}"\nregistrar = "sip:{host}"\n'
            'username = "bob"\nregister = false\n'
            f'[[accounts]]\nid = "old"\nuri = "sip:carol@{host}"\nregistrar = "sip:{host}"\n'
            'username = "carol"\nenabled = false\n'
        )
        passwords = {"office": USERS["alice"], "quiet": USERS["bob"], "old": USERS["carol"]}
        with running(tmp_path, "a", toml, passwords=passwords) as phone:
            wait_registered(phone, "office")
            with sipp(uas(), tmp_path, service="ivr", calls=2) as peer:
                for account in ("office", "quiet"):
                    call = phone.request("call", to=f"sip:ivr@{peer.address}", account=account)
                    phone.wait_for("call.connected", timeout=10)
                    phone.hangup(call["call"])
                    phone.wait_for("call.ended", timeout=10)
                poll("two INVITEs", lambda: len(peer.received("INVITE ")) >= 2)
                office, quiet = peer.received("INVITE ")[:2]
                froms = {"office": _header(office, "From"), "quiet": _header(quiet, "From")}
                peer.expect_success(15)
            with pytest.raises(ControlClientError, match="old"):
                phone.request("call", to=f"sip:ivr@{host}", account="old")
            state = phone.state()
        registers = "\n".join(kam.registrations())
    finally:
        kam.stop()
    assert froms["office"].startswith('"Alice Office" <sip:alice@127.0.0.1'), froms
    assert "sip:bob@127.0.0.1" in froms["quiet"], froms
    assert "REGISTER from=alice" in registers
    assert "from=bob" not in registers and "from=carol" not in registers, registers
    assert set(state["registrations"]) == {"office"}, state["registrations"]
