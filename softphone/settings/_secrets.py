"""Where passwords and key passphrases live: the OS keyring, never the settings file.

With no keyring backend (a headless Linux box has none) secrets are kept in memory for
the session only, and :func:`open_secret_store` says so. An explicit opt-in keeps them
in a file encrypted with a passphrase (scrypt + Fernet), never in plain text.

The keyring is shared by every profile: :func:`open_secret_store` hands out a view
scoped to the profile (``sip:office`` is stored as ``<profile>/sip:office``), which
still reads, and copies into the profile, an entry stored before scoping.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # keyring and cryptography load when a store is opened (not at start-up)
    from cryptography.fernet import Fernet

SERVICE = "Softphone"
#: scrypt cost for new files (2^17 x r=8: 128 MiB, ~0.4-1 s); older files used 2^14.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**17, 8, 1
_LEGACY_N = 2**14
_MAGIC = b"SOFTPHONE-SECRETS 2\n"  # then a JSON line of KDF parameters, then the token


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


class ScopedSecretStore:
    """One profile's part of a store shared by profiles (the OS keyring): ``key`` is kept
    as ``<scope>/<key>``. An entry stored before scoping (plain ``key``) is still read and
    copied into the scope, never removed (another profile may still read it); a deleted
    key leaves an empty entry so the old shared one does not come back."""

    def __init__(self, inner: SecretStore, scope: str) -> None:
        self.inner = inner
        self.scope = scope
        self.description = f"{inner.description}, profile {scope}"

    def get(self, key: str) -> str | None:
        value = self.inner.get(f"{self.scope}/{key}")
        if value is not None:
            return value or None
        legacy = self.inner.get(key)
        if legacy:
            self.inner.set(f"{self.scope}/{key}", legacy)
        return legacy

    def set(self, key: str, value: str) -> None:
        self.inner.set(f"{self.scope}/{key}", value)

    def delete(self, key: str) -> None:
        self.inner.set(f"{self.scope}/{key}", "")


def profile_scope(secrets_file: Path) -> str:
    """The profile a secrets file belongs to (the folder under ``profiles/``)."""
    for folder in secrets_file.parents:
        if folder.parent.name == "profiles":
            return folder.name
    return str(secrets_file.parent)


class EncryptedFileSecretStore:
    """Opt-in: secrets in one file, encrypted with a key derived from a passphrase."""

    description = "encrypted file (passphrase)"

    def __init__(self, path: Path, passphrase: str) -> None:
        if not passphrase:
            raise SecretStoreError("the encrypted secrets file needs a non-empty passphrase")
        self.path = path
        self._passphrase = passphrase.encode("utf-8")
        self._kdf: dict[str, int | str] | None = None  # this file's parameters once current
        self._key: Fernet | None = None
        self._values = self._read()

    def get(self, key: str) -> str | None:
        return self._values.get(key)

    def set(self, key: str, value: str) -> None:
        self._values[key] = value
        self._write()

    def delete(self, key: str) -> None:
        if self._values.pop(key, None) is not None:
            self._write()

    def _fernet(self, salt: bytes, n: int, r: int, p: int) -> Fernet:
        from cryptography.fernet import Fernet

        try:
            key = hashlib.scrypt(
                self._passphrase,
                salt=salt,
                n=n,
                r=r,
                p=p,
                maxmem=128 * r * (n + p + 2) + (1 << 20),
                dklen=32,
            )
        except (ValueError, MemoryError) as exc:
            raise SecretStoreError(f"{self.path}: scrypt n={n} r={r} p={p}: {exc}") from exc
        return Fernet(base64.urlsafe_b64encode(key))

    def _read(self) -> dict[str, str]:
        try:
            blob = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        if blob.startswith(_MAGIC):
            header, _, token = blob[len(_MAGIC) :].partition(b"\n")
            kdf = _kdf_params(header, self.path)
            salt = base64.b64decode(str(kdf["salt"]))
            fernet = self._fernet(salt, int(kdf["n"]), int(kdf["r"]), int(kdf["p"]))
            if (kdf["n"], kdf["r"], kdf["p"]) == (SCRYPT_N, SCRYPT_R, SCRYPT_P):
                self._kdf, self._key = kdf, fernet  # current: later writes reuse the key
        else:  # version 1: 16 bytes of salt, scrypt 2^14; upgraded by the next write
            salt, token = blob[:16], blob[16:]
            fernet = self._fernet(salt, _LEGACY_N, 8, 1)
        from cryptography.fernet import InvalidToken

        try:
            values = json.loads(fernet.decrypt(token))
        except InvalidToken as exc:
            raise SecretStoreError(
                f"cannot decrypt {self.path}: wrong passphrase or damaged file"
            ) from exc
        if not isinstance(values, dict):
            raise SecretStoreError(f"{self.path} does not hold a secrets table")
        return {str(k): str(v) for k, v in values.items()}

    def _write(self) -> None:
        if self._kdf is None or self._key is None:
            salt = os.urandom(16)
            self._kdf = {
                "kdf": "scrypt",
                "n": SCRYPT_N,
                "r": SCRYPT_R,
                "p": SCRYPT_P,
                "salt": base64.b64encode(salt).decode(),
            }
            self._key = self._fernet(salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
        token = self._key.encrypt(json.dumps(self._values).encode("utf-8"))
        header = json.dumps(self._kdf, sort_keys=True).encode()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(_MAGIC + header + b"\n" + token)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.path)


def _kdf_params(header: bytes, path: Path) -> dict[str, int | str]:
    """The KDF parameters a file states, checked (a hostile file cannot ask for 1 TB)."""
    try:
        kdf = json.loads(header)
        n, r, p = int(kdf["n"]), int(kdf["r"]), int(kdf["p"])
        salt = str(kdf["salt"])
        base64.b64decode(salt, validate=True)
    except (ValueError, KeyError, TypeError) as exc:
        raise SecretStoreError(f"{path}: unreadable KDF parameters ({exc})") from exc
    if (
        kdf.get("kdf") != "scrypt"
        or not (2**10 <= n <= 2**20 and n & (n - 1) == 0)
        or not 1 <= r <= 32
        or not 1 <= p <= 16
    ):
        raise SecretStoreError(f"{path}: unsupported KDF parameters {kdf!r}")
    return {"kdf": "scrypt", "n": n, "r": r, "p": p, "salt": salt}


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
    """The best secret store here for the profile of ``secrets_file`` and a message for
    the user (empty when all is well).

    Order: the OS keyring (scoped to the profile); else, if a passphrase was given (the
    explicit opt-in, e.g. ``SOFTPHONE_SECRETS_PASSPHRASE``), an encrypted file; else
    memory only.
    """
    ok, why = keyring_available()
    if ok:
        return ScopedSecretStore(KeyringSecretStore(), profile_scope(secrets_file)), ""
    if passphrase:
        return EncryptedFileSecretStore(secrets_file, passphrase), (
            f"{why[0].upper()}{why[1:]}; passwords are kept in the encrypted file {secrets_file}."
        )
    return MemorySecretStore(), (
        f"{why[0].upper()}{why[1:]}. Passwords are kept in memory only and must be entered again "
        "next time; set SOFTPHONE_SECRETS_PASSPHRASE to keep them in an encrypted file instead."
    )
