"""Secrets per profile in the shared OS keyring, and the encrypted file's KDF."""

from __future__ import annotations

import base64
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend

from softphone.settings import (
    EncryptedFileSecretStore,
    SecretStoreError,
    _secrets,
    open_secret_store,
    profile_paths,
)


class DictKeyring(KeyringBackend):
    """An OS keyring stand-in (the boundary below the store): one dict, all profiles."""

    priority = 10  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.values.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.values[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.values.pop((service, username), None)


# Defining a backend registers it with keyring, whose lazy default would then pick this
# stand-in for the rest of the test run (other tests' secrets went to it, not to their
# encrypted files): it is only ever installed by the fixture below.
KeyringBackend._classes.discard(DictKeyring)


@pytest.fixture
def shared_keyring() -> Iterator[DictKeyring]:
    before = keyring.get_keyring()
    backend = DictKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(before)


class TestProfilesInTheKeyring:
    """The README's ``store.set("sip:office", ...)`` is per profile."""

    def test_same_account_id_in_two_profiles_keeps_two_passwords(
        self, tmp_path: Path, shared_keyring: DictKeyring
    ) -> None:
        """Profile a's password for account office is not profile b's."""
        a, note = open_secret_store(profile_paths("a", root=tmp_path).secrets_file)
        b, _ = open_secret_store(profile_paths("b", root=tmp_path).secrets_file)
        assert note == ""
        a.set("sip:office", "alice-pw")
        assert b.get("sip:office") is None
        b.set("sip:office", "bob-pw")
        assert (a.get("sip:office"), b.get("sip:office")) == ("alice-pw", "bob-pw")
        a.delete("sip:office")
        assert (a.get("sip:office"), b.get("sip:office")) == (None, "bob-pw")

    def test_a_password_stored_before_scoping_is_still_read(
        self, tmp_path: Path, shared_keyring: DictKeyring
    ) -> None:
        """An entry keyed plain ``sip:office`` is read (and copied) by each profile; a
        profile's own change or delete then leaves the others' alone; nothing is lost."""
        shared_keyring.set_password("Softphone", "sip:office", "old-pw")
        a, _ = open_secret_store(profile_paths("a", root=tmp_path).secrets_file)
        b, _ = open_secret_store(profile_paths("b", root=tmp_path).secrets_file)
        assert a.get("sip:office") == "old-pw"
        a.set("sip:office", "new-a")
        assert (a.get("sip:office"), b.get("sip:office")) == ("new-a", "old-pw")
        b.delete("sip:office")
        assert b.get("sip:office") is None and a.get("sip:office") == "new-a"
        assert shared_keyring.get_password("Softphone", "sip:office") == "old-pw"


def _legacy_file(path: Path, passphrase: str, values: dict[str, str]) -> None:
    """A secrets file as the previous version wrote it: salt + Fernet, scrypt 2^14."""
    from cryptography.fernet import Fernet
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    salt = os.urandom(16)
    key = Scrypt(salt=salt, length=32, n=2**14, r=8, p=1).derive(passphrase.encode())
    token = Fernet(base64.urlsafe_b64encode(key)).encrypt(json.dumps(values).encode())
    path.write_bytes(salt + token)


def _header(path: Path) -> dict[str, object]:
    blob = path.read_bytes()
    assert blob.startswith(_secrets._MAGIC), blob[:40]
    return dict(json.loads(blob[len(_secrets._MAGIC) :].partition(b"\n")[0]))


class TestEncryptedFileKdf:
    """The file states its scrypt parameters; new files use N=2^17; old ones still open."""

    def test_new_file_states_its_parameters(self, tmp_path: Path) -> None:
        """scrypt N=2^17, r=8, p=1 and the salt are in the file; it reads back."""
        path = tmp_path / "secrets.enc"
        EncryptedFileSecretStore(path, "pp").set("sip:office", "pw")
        header = _header(path)
        assert (header["kdf"], header["n"], header["r"], header["p"]) == ("scrypt", 2**17, 8, 1)
        assert EncryptedFileSecretStore(path, "pp").get("sip:office") == "pw"
        assert path.stat().st_mode & 0o777 == 0o600

    def test_old_file_is_read_and_upgraded_on_the_next_write(self, tmp_path: Path) -> None:
        """A 2^14 file without parameters opens; the next write makes it 2^17, all kept."""
        path = tmp_path / "secrets.enc"
        _legacy_file(path, "pp", {"sip:office": "old", "sip:home": "kept"})
        store = EncryptedFileSecretStore(path, "pp")
        assert store.get("sip:office") == "old"
        with pytest.raises(SecretStoreError, match="wrong passphrase"):
            EncryptedFileSecretStore(path, "other")
        store.set("sip:office", "new")
        assert _header(path)["n"] == 2**17
        again = EncryptedFileSecretStore(path, "pp")
        assert (again.get("sip:office"), again.get("sip:home")) == ("new", "kept")

    def test_hostile_parameters_are_refused_quickly(self, tmp_path: Path) -> None:
        """A file asking for scrypt N=2^40 is an error, not hours of work or 128 TB."""
        path = tmp_path / "secrets.enc"
        for n in (2**40, 3, 0, "x"):
            header = json.dumps({"kdf": "scrypt", "n": n, "r": 8, "p": 1, "salt": "AAAA"})
            path.write_bytes(_secrets._MAGIC + header.encode() + b"\nrest")
            start = time.monotonic()
            with pytest.raises(SecretStoreError, match="KDF parameters"):
                EncryptedFileSecretStore(path, "pp")
            assert time.monotonic() - start < 1.0
