"""The Settings page's fields, changed the way the page changes them (``settings-set``),
seen where they act: at once (devices, Do Not Disturb, lock) or after the next start
(codecs, transport, accounts, push), on the wire and in ``state``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from softphone.control.client import ControlClientError
from tests.front.peers import sipp
from tests.front.phones import running, wait_registered
from tests.sip.kamailio import USERS, AuthKamailio
from tests.sip.scenarios import uac_cancel, uac_expect_status, uas

PAYLOAD_TYPES = {"PCMU": "0", "PCMA": "8", "G722": "9"}
# SIPp answering with PCMA (its stock answer is PCMU, which a PCMA-only phone refuses).
UAS_PCMA = uas().replace("RTP/AVP 0 101", "RTP/AVP 8 101").replace("rtpmap:0 PCMU", "rtpmap:8 PCMA")


def _offered(invite: str) -> list[str]:
    """The audio payload types an INVITE's SDP offers (DTMF's dynamic types left out)."""
    found = re.search(r"^m=audio \d+ RTP/\S+ ([\d ]+)", invite, re.M)
    assert found, invite
    return [pt for pt in found.group(1).split() if int(pt) < 96]


@pytest.mark.covers(
    "page:codecs.enabled",
    "page:transport",
    "page:push.environment",
    "page:push.enabled",
    "page:accounts.enabled",
)
def test_settings_page_changes_apply_at_the_next_start(tmp_path: Path) -> None:
    kam = AuthKamailio(tmp_path)
    try:
        host = f"127.0.0.1:{kam.port}"
        toml = (
            f'[[accounts]]\nid = "office"\nuri = "sip:alice@{host}"\nregistrar = "sip:{host}"\n'
            'username = "alice"\n'
        )
        passwords = {"office": USERS["alice"]}
        with running(tmp_path, "a", toml, passwords=passwords) as phone:
            wait_registered(phone, "office")
            codecs = [
                {"name": "PCMU", "enabled": False},
                {"name": "PCMA", "enabled": True},
                {"name": "G722", "enabled": False},
            ]
            saved = phone.settings_set(
                {"codecs": codecs, "transport": "tcp", "push": {"environment": "production"}}
            )["settings"]
            assert saved["sip"]["codecs"] == ["PCMA/8000"]
            assert [a["transport"] for a in saved["accounts"]] == ["tcp"]
            # A bad value is refused with the reason and changes nothing.
            with pytest.raises(ControlClientError, match="transport") as refused:
                phone.settings_set({"transport": "sctp"})
            assert refused.value.status == 400
            assert phone.settings()["settings"] == saved

        with (
            running(tmp_path, "a", None, passwords=passwords) as phone,
            sipp(UAS_PCMA, tmp_path, service="ivr", extra=["-t", "t1"]) as peer,
        ):
            assert phone.state()["push"]["environment"] == "production"
            call = phone.call(f"sip:ivr@{peer.address}")["call"]
            invite = peer.wait_received("INVITE ")
            phone.wait_for("call.connected", timeout=10)
            phone.hangup(call)
            peer.expect_success(15)
            assert invite.splitlines()[1].startswith("Via: SIP/2.0/TCP"), invite
            assert _offered(invite) == [PAYLOAD_TYPES["PCMA"]], invite

            phone.settings_set(
                {"push": {"enabled": False}, "accounts": [{"id": "office", "enabled": False}]}
            )

        with running(tmp_path, "a", None, passwords=passwords) as phone:
            state = phone.state()
            assert state["push"] is None
            assert "office" not in state["registrations"]
            with pytest.raises(ControlClientError, match="office"):
                phone.call("sip:ivr@127.0.0.1", account="office")
    finally:
        kam.stop()


@pytest.mark.covers("page:doNotDisturb", "page:locked")
def test_do_not_disturb_and_lock_switches(tmp_path: Path) -> None:
    with running(tmp_path, "a", "") as phone:
        phone.dnd(True)
        phone.lock(True)
        device = phone.state()["device"]
        assert device == {"locked": True, "do_not_disturb": True}
        address = phone.state()["sip"]["udp"]
        with sipp(uac_expect_status(486), tmp_path, address, service="me") as caller:
            caller.expect_success(15)  # Do Not Disturb: Busy Here
        phone.dnd(False)
        with sipp(uac_cancel(ring_ms=300), tmp_path, address, service="me") as caller:
            caller.expect_success(15)  # rings (180) now, then the caller gives up
        phone.lock(False)
        assert phone.state()["device"] == {"locked": False, "do_not_disturb": False}
