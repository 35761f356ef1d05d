"""Provider token checks, including the verified-token cache (age and key re-checked)."""

from __future__ import annotations

import time
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from softphone.apns.emulator._auth import (
    ProviderAuthError,
    ProviderKey,
    TokenCache,
    verify_provider_token,
)

NOW = 1_800_000_000.0


def setup() -> tuple[ec.EllipticCurvePrivateKey, dict[str, ProviderKey]]:
    key = ec.generate_private_key(ec.SECP256R1())
    return key, {"K1": ProviderKey("K1", "TEAM000001", key.public_key())}


def bearer(
    key: ec.EllipticCurvePrivateKey,
    iat: float = NOW,
    iss: str = "TEAM000001",
    kid: str = "K1",
    alg: str = "ES256",
) -> str:
    return "bearer " + jwt.encode({"iss": iss, "iat": int(iat)}, key, alg, headers={"kid": kid})


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda k: bearer(k, iat=NOW - 3601), "ExpiredProviderToken"),
        (lambda k: bearer(k, iat=NOW + 600), "InvalidProviderToken"),
        (lambda k: bearer(k, iss="OTHERTEAM1"), "InvalidProviderToken"),
        (lambda k: bearer(k, kid="K2"), "InvalidProviderToken"),
        (
            lambda k: (
                "bearer "
                + jwt.encode(
                    {"iss": "TEAM000001", "iat": int(NOW)}, "s" * 32, "HS256", headers={"kid": "K1"}
                )
            ),
            "InvalidProviderToken",
        ),
        (lambda k: "basic abc", "MissingProviderToken"),
        (lambda k: bearer(k)[:-8] + "AAAAAAAA", "InvalidProviderToken"),
    ],
)
def test_bad_tokens(make, reason: str) -> None:  # type: ignore[no-untyped-def]
    key, keys = setup()
    with pytest.raises(ProviderAuthError) as info:
        verify_provider_token(make(key), keys, NOW)
    assert info.value.reason == reason


def test_cache_rechecks_age_and_key() -> None:
    key, keys = setup()
    cache = TokenCache(size=2)
    header = bearer(key)
    assert cache.verify(header, keys, NOW).key_id == "K1"
    assert cache.verify(header, keys, NOW + 3000).key_id == "K1"
    with pytest.raises(ProviderAuthError, match="1 h"):
        cache.verify(header, keys, NOW + 3601)
    revoked: dict[str, ProviderKey] = {}
    with pytest.raises(ProviderAuthError) as info:
        cache.verify(header, revoked, NOW)
    assert info.value.reason == "InvalidProviderToken"
    for n in range(5):  # bounded size
        cache.verify(bearer(key, iat=NOW - n), keys, NOW)
    assert len(cache._verified) <= 2


def test_real_clock_token_is_fine() -> None:
    key, keys = setup()
    assert (
        verify_provider_token(bearer(key, iat=time.time()), keys, time.time()).team_id
        == "TEAM000001"
    )


def test_a_stored_key_is_parsed_from_its_pem_when_a_token_names_it(tmp_path: Path) -> None:
    """Keys reloaded from the state dir stay PEM until used (start-up does not load
    cryptography); the tokens they sign verify, and a PEM that is not an EC key is unknown."""
    import json

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    from softphone.apns.emulator import ApnsEmulator

    first = ApnsEmulator(tmp_path)
    pem = first.create_key("TEAM000001", "K1").read_bytes()
    key = ec.generate_private_key(ec.SECP256R1())
    assert b"PRIVATE KEY" in pem
    first.register_key("K2", "TEAM000001", key.public_key())
    rsa_pem = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    (tmp_path / "keys" / "K3.json").write_text(
        json.dumps({"key_id": "K3", "team_id": "TEAM000001", "public_key": rsa_pem})
    )
    again = ApnsEmulator(tmp_path)
    assert isinstance(again.core.keys["K2"].public_key, bytes)
    assert verify_provider_token(bearer(key, kid="K2"), again.core.keys, NOW).key_id == "K2"
    with pytest.raises(ProviderAuthError) as info:
        verify_provider_token(bearer(key, kid="K3"), again.core.keys, NOW)
    assert info.value.reason == "InvalidProviderToken" and "unknown key id" in str(info.value)
    with pytest.raises(ProviderAuthError) as info:
        verify_provider_token(bearer(key, kid="K2", iat=NOW - 3601), again.core.keys, NOW)
    assert info.value.reason == "ExpiredProviderToken"
