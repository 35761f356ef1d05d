"""Start-up pieces of the phone session that are not the window."""

from __future__ import annotations

from pathlib import Path

import pytest

from softphone.session import _SecretsOnDemand
from softphone.settings import profile_paths


def test_the_secret_store_opens_on_first_use_and_then_says_what_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import keyring
    from keyring.backends.fail import Keyring as NoKeyring

    monkeypatch.setattr(keyring.core, "_keyring_backend", NoKeyring())  # no OS keyring here
    monkeypatch.delenv("SOFTPHONE_SECRETS_PASSPHRASE", raising=False)
    problems: list[str] = []
    store = _SecretsOnDemand(profile_paths("t", root=tmp_path).ensure(), problems)
    assert problems == []  # nothing opened, nothing to say
    assert store.get("sip:main") is None
    assert len(problems) == 1 and "memory only" in problems[0]
    store.set("sip:main", "secret")
    assert store.get("sip:main") == "secret" and len(problems) == 1
    assert "memory" in store.description
