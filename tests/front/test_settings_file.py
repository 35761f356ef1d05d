"""settings.toml through the front door: a bad value costs only itself (its key is reported,
its default used, everything else applies), an unparseable file means defaults, the file
is never rewritten by starting the phone, and ``settings-set`` (the Settings page) saves."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from softphone.control import ControlClientError
from softphone.settings import profile_paths
from softphone.testing import RunningPhone
from tests.lab.peers import free_udp_port
from tests.sip import scenarios as sc
from tests.sip.helpers import start_sipp

pytestmark = pytest.mark.integration
Phones = Callable[..., RunningPhone]

BAD_ACCOUNT = '[[accounts]]\nid = "carol"\nuri = "sip:carol@127.0.0.2"\ntransport = "sctp"\n\n'
GOOD_ACCOUNT = '[[accounts]]\nid = "good"\nuri = "sip:alice@{peer}"\nregister = false\n\n'
SIP = '[sip]\nudp_port = {port}\ncodecs = ["PCMA/8000", "PCMU/8000"]\ndtmf_method = "{dtmf}"\n'


def settings_file(tmp_path: Path, profile: str) -> Path:
    return profile_paths(profile, root=tmp_path / "softphone-home").settings_file


@pytest.mark.parametrize(
    ("bad", "key", "reason"),
    [
        ("udp_port", "sip.udp_port", "must be 0-65535"),
        ("dtmf_method", "sip.dtmf_method", "must be one of rfc4733, info, got 'bogus'"),
        ("account", "accounts[0].transport", "must be one of udp, tcp, tls, got 'sctp'"),
    ],
)
@pytest.mark.covers(
    "sip.dtmf_method",
    "sip.udp_port",
    "sip.codecs",
    "accounts.transport",
    "readme:a bad setting costs only itself",
)
async def test_one_bad_value_costs_only_itself(
    softphone: Phones, tmp_path: Path, bad: str, key: str, reason: str
) -> None:
    """One bad value: the phone starts, ``state`` names the key and the reason, the good
    account (its domain and identity on the wire), the fixed UDP port and the codec order
    are in effect, and settings.toml is byte-for-byte what the user wrote."""
    uas = await start_sipp(sc.uas(expect=("sip:alice@127[.]0[.]0[.]1", "RTP/AVP 8 ")), tmp_path)
    port = free_udp_port()
    content = (BAD_ACCOUNT if bad == "account" else "") + GOOD_ACCOUNT.format(peer=uas.uri_host)
    content += SIP.format(
        port=99999 if bad == "udp_port" else port,
        dtmf="bogus" if bad == "dtmf_method" else "info",
    )
    try:
        phone = await asyncio.to_thread(softphone, "alice", settings_toml=content)
        state = phone.state()
        problems = [p for p in state["problems"] if key in p]
        assert len(problems) == 1 and reason in problems[0], state["problems"]
        if bad != "udp_port":
            assert state["sip"]["udp"] == f"127.0.0.1:{port}"
        settings = phone.request("settings")["settings"]
        assert [a["id"] for a in settings["accounts"]] == ["good"]
        assert settings["sip"]["dtmf_method"] == ("rfc4733" if bad == "dtmf_method" else "info")
        await asyncio.to_thread(phone.call, "100")  # the first account's domain: SIPp
        await asyncio.to_thread(phone.wait_for, "call.connected", 10)
        await asyncio.to_thread(phone.hangup)
        await uas.expect_success()  # fails unless From is alice and PCMA is offered first
    finally:
        uas.kill()
    path = settings_file(tmp_path, "alice")
    assert path.read_text() == content
    assert sorted(p.name for p in path.parent.iterdir()) == ["settings.toml"]
    log_dir = profile_paths("alice", root=tmp_path / "softphone-home").log_dir
    logs = "".join(p.read_text() for p in log_dir.iterdir() if p.is_file())
    assert key in logs, "the problem is in the log"


@pytest.mark.covers("readme:unparseable settings")
def test_unparseable_file_means_defaults_and_stays(softphone: Phones, tmp_path: Path) -> None:
    """A settings.toml that is not TOML: the phone starts on defaults, says so in
    ``state``, and leaves the file exactly as it was (no copy, no rewrite)."""
    content = '[[accounts]\nid = "office"\nuri = "sip:alice@pbx.example.com"\n'
    phone = softphone("alice", settings_toml=content)
    (problem,) = phone.state()["problems"]
    assert "cannot be read as TOML" in problem and "defaults" in problem
    assert phone.request("settings")["settings"]["accounts"] == []
    path = settings_file(tmp_path, "alice")
    assert path.read_text() == content
    assert sorted(p.name for p in path.parent.iterdir()) == ["settings.toml"]


@pytest.mark.covers("sip.dtmf_method", "page:dtmf_method")
def test_settings_set_dtmf_method_round_trips(softphone: Phones, tmp_path: Path) -> None:
    """``settings-set {"dtmf_method": "info"}`` (the Settings page's Save) is saved, read
    back and used for the next tone at once (the other phone receives it by SIP INFO); a
    bad value is a 400 naming the key and changes nothing."""
    phone = softphone("alice", settings_toml="[sip]\nudp_port = 0\n")
    bob = softphone("bob")
    phone.call(f"sip:bob@{bob.state()['sip']['udp']}")
    bob.wait_for("call.incoming", timeout=10)
    bob.answer()
    phone.wait_for("call.connected", timeout=10)
    result = phone.request("settings-set", changes={"dtmf_method": "info"})
    phone.dtmf("4")
    got = bob.wait_for("dtmf.received", timeout=10)["data"]
    assert (got["digit"], got["method"]) == ("4", "info")
    phone.hangup()
    assert result["settings"]["sip"]["dtmf_method"] == "info"
    assert phone.request("settings")["settings"]["sip"]["dtmf_method"] == "info"
    path = settings_file(tmp_path, "alice")
    assert 'dtmf_method = "info"' in path.read_text()
    before = path.read_bytes()
    with pytest.raises(ControlClientError) as exc:
        phone.request("settings-set", changes={"dtmf_method": "sip-info"})
    assert exc.value.status == 400 and "dtmf_method" in exc.value.message
    assert phone.request("settings")["settings"]["sip"]["dtmf_method"] == "info"
    assert path.read_bytes() == before
