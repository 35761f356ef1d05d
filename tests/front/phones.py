"""Headless phones for front-door tests: ``settings.toml``, passwords and state polls.

Passwords go where a user puts them (the profile's secret store; here the encrypted
file, as on a machine without a keyring), then the phone starts with
:func:`softphone.testing.start_phone`, as the ``softphone`` fixture starts it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from softphone.settings import open_secret_store, profile_paths
from softphone.testing import RunningPhone, start_phone, stop_phone
from tests.front.peers import poll

PASSPHRASE = "front door"  # SOFTPHONE_SECRETS_PASSPHRASE: the encrypted secrets file


@contextlib.contextmanager
def running(
    home: Path,
    profile: str,
    settings_toml: str | None,
    *,
    passwords: Mapping[str, str] | None = None,
    env: Mapping[str, str] | None = None,
) -> Iterator[RunningPhone]:
    """A headless phone with this ``settings.toml`` (None: keep the profile's file);
    ``passwords``: account id -> password, put in the profile's secret store."""
    paths = profile_paths(profile, root=home).ensure()
    if passwords:
        store, _ = open_secret_store(paths.secrets_file, PASSPHRASE)
        for account, password in passwords.items():
            store.set(f"sip:{account}", password)
    extra = {"SOFTPHONE_SECRETS_PASSPHRASE": PASSPHRASE, **(env or {})}
    phone = start_phone(home, profile, settings_toml=settings_toml, extra_env=extra)
    try:
        yield phone
    finally:
        stop_phone(phone)


def registration(phone: RunningPhone, account: str) -> dict[str, Any] | None:
    """The account's registration in ``state`` once it is registered (fails on failure)."""
    reg = phone.state()["registrations"].get(account)
    if reg and reg["state"] == "failed":
        raise AssertionError(f"{account} failed to register: {reg}")
    return reg if reg and reg["state"] == "registered" else None


def wait_registered(phone: RunningPhone, account: str, timeout: float = 15.0) -> dict[str, Any]:
    return poll(f"{account} registering", lambda: registration(phone, account), timeout)


def wait_state(phone: RunningPhone, what: str, check: Any, timeout: float = 10.0) -> Any:
    """Poll ``state`` until ``check(state)`` is truthy; returns that value."""
    return poll(what, lambda: check(phone.state()), timeout)
