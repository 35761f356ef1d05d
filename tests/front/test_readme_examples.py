"""The README's "Adding a SIP account" examples, used exactly as printed.

The ``toml`` block becomes the profile's ``settings.toml`` and the ``python`` block is run
as a user would run it; only what cannot be reached here is replaced: the host name
``pbx.example.com`` (a Kamailio with digest auth on 127.0.0.1) and the placeholder
password (that Kamailio's password for alice).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from softphone.settings import SettingsStore, profile_paths
from softphone.settings._store import tomllib  # tomllib, or tomli on Python 3.10
from tests.front.inventory import REPO, readme_example
from tests.front.peers import sipp
from tests.front.phones import PASSPHRASE, running, wait_registered
from tests.sip.kamailio import USERS, AuthKamailio
from tests.sip.scenarios import uas

TOML = "readme:adding-a-sip-account/toml"
PYTHON = "readme:adding-a-sip-account/python"
PAYLOAD_TYPES = {"PCMU/8000": "0", "PCMA/8000": "8", "G722/16000": "9"}  # static RTP types


@pytest.fixture
def kamailio(tmp_path: Path) -> Iterator[AuthKamailio]:
    kam = AuthKamailio(tmp_path)
    try:
        yield kam
    finally:
        kam.stop()


@pytest.mark.covers(
    TOML,
    PYTHON,
    "accounts.id",
    "accounts.uri",
    "accounts.registrar",
    "accounts.username",
    "accounts.transport",
    "accounts.srtp",
    "sip.codecs",
)
def test_readme_account_example_registers_and_calls_with_its_codecs(
    tmp_path: Path, kamailio: AuthKamailio
) -> None:
    host = f"127.0.0.1:{kamailio.port}"
    settings_toml = readme_example(TOML).text.replace("pbx.example.com", host)
    snippet = readme_example(PYTHON).text.replace("the-password", USERS["alice"])
    home = tmp_path / "home"
    env = {"SOFTPHONE_HOME": str(home), "SOFTPHONE_SECRETS_PASSPHRASE": PASSPHRASE}

    # The real loader takes the example as it is: no problem, every key known.
    paths = profile_paths("default", root=home).ensure()
    paths.settings_file.write_text(settings_toml)
    loaded = SettingsStore(paths).load()
    assert loaded.message == "", loaded.message
    assert loaded.settings.to_dict()["accounts"] == [
        {**acc, "display_name": "", "register": True, "enabled": True}
        for acc in tomllib.loads(settings_toml)["accounts"]
    ]
    readme_codecs = tomllib.loads(settings_toml)["sip"]["codecs"]

    # The password goes in exactly the way the README's snippet puts it.
    script = tmp_path / "set_password.py"
    script.write_text(snippet)
    done = subprocess.run(
        [sys.executable, str(script)],
        env={**os.environ, **env},
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr

    with running(home, "default", None) as phone:  # the file written above, kept
        wait_registered(phone, "office")
        assert "REGISTER from=alice" in "\n".join(kamailio.registrations())
        with sipp(uas(), tmp_path, service="ivr") as peer:
            call = phone.call(f"sip:ivr@{peer.address}")["call"]
            invite = peer.wait_received("INVITE ")
            phone.wait_for("call.connected", timeout=10)
            phone.hangup(call)
            peer.expect_success(15)
    assert "sip:alice@127.0.0.1" in _header(invite, "From")  # the README account's identity
    assert invite.splitlines()[1].startswith("Via: SIP/2.0/UDP"), invite  # transport = "udp"
    assert "a=crypto" not in invite and " RTP/AVP " in invite, invite  # srtp = "off"
    offered = re.search(r"^m=audio \d+ RTP/\S+ ([\d ]+)", invite, re.M)
    assert offered, invite
    expected = [PAYLOAD_TYPES[c] for c in readme_codecs]
    audio_types = [pt for pt in offered.group(1).split() if int(pt) < 96]  # not DTMF
    assert audio_types == expected, f"offered {offered.group(0)!r}, README says {readme_codecs}"


def _header(message: str, name: str) -> str:
    found = re.search(rf"^{name}:(.*)$", message, re.M | re.I)
    return found.group(1) if found else ""
