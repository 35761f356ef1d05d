"""``[push]``: the VoIP push set-up a user configures, seen in ``state`` and in pushes."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from softphone.control.client import ControlClientError
from tests.front.phones import running


def _p8_key(path: Path) -> Path:
    """An ES256 provider key in Apple's AuthKey_XXXX.p8 format (PKCS#8 PEM)."""
    key = ec.generate_private_key(ec.SECP256R1())
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return path


@pytest.mark.covers(
    "push.bundle_id",
    "push.environment",
    "push.team_id",
    "push.key_id",
    "push.key_file",
    "push.use_emulator",
)
def test_push_goes_out_with_the_configured_app_key_and_environment(tmp_path: Path) -> None:
    key = _p8_key(tmp_path / "AuthKey_KEY1234567.p8")
    toml = (
        '[push]\nuse_emulator = true\nbundle_id = "com.acme.front"\nenvironment = "production"\n'
        f'team_id = "TEAM12345A"\nkey_id = "KEY1234567"\nkey_file = "{key}"\n'
    )
    with running(tmp_path, "a", toml) as phone:
        push = phone.state()["push"]
        assert push["environment"] == "production"
        assert push["topic"] == "com.acme.front.voip"
        assert (push["team_id"], push["key_id"], push["key_file"]) == (
            "TEAM12345A",
            "KEY1234567",
            str(key),
        )
        sent = phone.push(preset="flexisip", caller="Ann")
        assert sent["status"] == 200, sent  # JWT signed with that key, for that topic
        phone.wait_for("push.delivered", timeout=10)
        phone.wait_for("call.incoming", timeout=10)
        phone.decline()

    # A key file that is no key: the push is refused with the reason, the phone runs on.
    bad = tmp_path / "AuthKey_BAD.p8"
    bad.write_text("not a key\n")
    with running(tmp_path, "b", f'[push]\nkey_file = "{bad}"\n') as phone:
        with pytest.raises(ControlClientError, match="key_file") as refused:
            phone.push(preset="flexisip", caller="Ann")
        assert refused.value.status == 400, refused.value
        assert phone.state()["push"]["key_file"] == str(bad)


@pytest.mark.covers("push.enabled", "push.use_emulator")
def test_push_off_or_without_the_emulator_accepts_no_push(tmp_path: Path) -> None:
    for profile, toml in (
        ("off", "[push]\nenabled = false\n"),
        ("real", "[push]\nuse_emulator = false\n"),
    ):
        with running(tmp_path, profile, toml) as phone:
            assert phone.state()["push"] is None
            with pytest.raises(ControlClientError, match=r"\[push\]") as refused:
                phone.push(preset="flexisip", caller="Ann")
            assert refused.value.status == 409
