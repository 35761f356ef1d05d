"""Where passwords and key passphrases live: the OS keyring, never the settings file.

With no keyring backend (a headless Linux box has none) secrets are kept in memory for
the session only, and :func:`open_secret_store` says so. An explicit opt-in keeps them
in a file encrypted with a passphrase (scrypt + Fernet), never in plain text.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # keyring and cryptography load when a store is opened (not at start-up)
    from cryptography.fernet import Fernet

SERVICE = "Softphone"


class SecretStoreError(RuntimeError):
    """A secret could not be stored or read; the message says why."""


class SecretStore(Protocol):
    """A place for secrets, keyed by a name such as ``"<profile>/account/<id>"``."""

    description: str

    def get(self, key: str) -> str | None: ...

    def set(self, key: str, value: str) -> None: ...

    def delete(self, key: str) -> None: ...


class KeyringSecretStore:
    """The OS keyring (Secret Service, macOS Keychain, Windows Credential Locker)."""

    def __init__(self) -> None:
        import keyring

        self.description = f"OS keyring ({type(keyring.get_keyring()).__name__})"

    def get(self, key: str) -> str | None:
        import keyring.errors

        try:
            return keyring.get_password(SERVICE, key)
        except keyring.errors.KeyringError as exc:
            raise SecretStoreError(f"keyring read failed: {exc}") from exc

    def set(self, key: str, value: str) -> None:
        import keyring.errors

        try:
            keyring.set_password(SERVICE, key, value)
        except keyring.errors.KeyringError as exc:
            raise SecretStoreError(f"keyring write failed: {exc}") from exc

    def delete(self, key: str) -> None:
        import keyring.errors

        try:
            keyring.delete_password(SERVICE, key)
        except keyring.errors.PasswordDeleteError:
            pass
        except keyring.errors.KeyringError as exc:
            raise SecretStoreError(f"keyring delete failed: {exc}") from exc


class MemorySecretStore:
    """Secrets for this session only: nothing is written anywhere."""

    description = "memory only (forgotten when the app quits)"

    def __init__(self) -> None:
        self._values: dict[str, str] = {}

    def get(self, key: str) -> str | None:
        return self._values.get(key)

    def set(self, key: str, value: str) -> None:
        self._values[key] = value

    def delete(self, key: str) -> None:
        self._values.pop(key, None)


class EncryptedFileSecretStore:
    """Opt-in: secrets in one file, encrypted with a key derived from a passphrase."""

    description = "encrypted file (passphrase)"

    def __init__(self, path: Path, passphrase: str) -> None:
        if not passphrase:
            raise SecretStoreError("the encrypted secrets file needs a non-empty passphrase")
        self.path = path
        self._passphrase = passphrase.encode("utf-8")
        self._values = self._read()

    def get(self, key: str) -> str | None:
        return self._values.get(key)

    def set(self, key: str, value: str) -> None:
        self._values[key] = value
        self._write()

    def delete(self, key: str) -> None:
        if self._values.pop(key, None) is not None:
            self._write()

    def _fernet(self, salt: bytes) -> Fernet:
        from cryptography.fernet import Fernet
        from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

        kdf = Scrypt(salt=salt, length=32, n=2**14, r=8, p=1)
        return Fernet(base64.urlsafe_b64encode(kdf.derive(self._passphrase)))

    def _read(self) -> dict[str, str]:
        try:
            blob = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        salt, token = blob[:16], blob[16:]
        from cryptography.fernet import InvalidToken

        try:
            values = json.loads(self._fernet(salt).decrypt(token))
        except InvalidToken as exc:
            raise SecretStoreError(
                f"cannot decrypt {self.path}: wrong passphrase or damaged file"
            ) from exc
        if not isinstance(values, dict):
            raise SecretStoreError(f"{self.path} does not hold a secrets table")
        return {str(k): str(v) for k, v in values.items()}

    def _write(self) -> None:
        salt = os.urandom(16)
        token = self._fernet(salt).encrypt(json.dumps(self._values).encode("utf-8"))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(salt + token)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)


def keyring_available() -> tuple[bool, str]:
    """Whether a usable OS keyring backend exists, and its name or why not."""
    import keyring

    backend = keyring.get_keyring()
    priority = getattr(backend, "priority", 0)
    if priority is None or float(priority) <= 0:
        return False, (
            "no OS keyring backend is available (on Linux: install and unlock a Secret "
            "Service such as GNOME Keyring or KeePassXC)"
        )
    return True, type(backend).__name__


def open_secret_store(secrets_file: Path, passphrase: str | None = None) -> tuple[SecretStore, str]:
    """The best secret store here and a message for the user (empty when all is well).

    Order: the OS keyring; else, if a passphrase was given (the explicit opt-in, e.g.
    ``SOFTPHONE_SECRETS_PASSPHRASE``), an encrypted file; else memory only.
    """
    ok, why = keyring_available()
    if ok:
        return KeyringSecretStore(), ""
    if passphrase:
        return EncryptedFileSecretStore(secrets_file, passphrase), (
            f"{why[0].upper()}{why[1:]}; passwords are kept in the encrypted file {secrets_file}."
        )
    return MemorySecretStore(), (
        f"{why[0].upper()}{why[1:]}. Passwords are kept in memory only and must be entered again "
        "next time; set SOFTPHONE_SECRETS_PASSPHRASE to keep them in an encrypted file instead."
    )
