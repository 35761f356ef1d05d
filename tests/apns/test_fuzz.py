"""Hostile requests: the sans-I/O core and the TLS endpoint answer Apple statuses, never crash."""

from __future__ import annotations

import json
import random
import time
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from softphone.apns.emulator import ApnsCore, ApnsRequest, Push
from softphone.apns.emulator._auth import ProviderKey
from tests.fuzz_counts import record

from .conftest import BUNDLE, TOKEN, Lab, make_jwt, raw_h2

ALLOWED = {200, 400, 403, 404, 405, 410, 413, 429, 500, 503}
header_names = st.sampled_from(
    [
        "apns-push-type",
        "apns-topic",
        "apns-priority",
        "apns-expiration",
        "apns-id",
        "apns-collapse-id",
        "authorization",
        "x-junk",
        "content-type",
    ]
)
header_values = st.one_of(
    st.sampled_from(
        [
            "voip",
            "alert",
            f"{BUNDLE}.voip",
            BUNDLE,
            "10",
            "5",
            "1",
            "0",
            "-1",
            "bearer x.y.z",
            "",
            "c2f3e8e0-1111-4222-8333-944444444444",
        ]
    ),
    st.text(max_size=80),
)
bodies = st.one_of(
    st.binary(max_size=300),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
        ),
        max_leaves=10,
    ).map(lambda v: json.dumps(v).encode()),
    st.integers(0, 12000).map(lambda n: b'{"a":"' + b"x" * n + b'"}'),
)
paths = st.one_of(
    st.just(f"/3/device/{TOKEN}"),
    st.text(max_size=90).map(lambda t: "/3/device/" + t),
    st.text(max_size=40),
)


def make_core() -> tuple[ApnsCore, list[Push]]:
    delivered: list[Push] = []
    core = ApnsCore(deliver=delivered.append)
    core.register_device(TOKEN, BUNDLE, "sandbox")
    return core, delivered


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(["POST", "GET", "PUT", "", "DELETE"]),
    paths,
    st.lists(st.tuples(header_names, header_values), max_size=8),
    bodies,
    st.sampled_from(["sandbox", "production"]),
    st.one_of(st.none(), st.tuples(st.text(max_size=20), st.booleans())),
)
def test_core_never_raises(
    method: str,
    path: str,
    headers: list[tuple[str, str]],
    body: bytes,
    env: str,
    cert: tuple[str, bool] | None,
) -> None:
    core, delivered = make_core()
    response = core.handle(ApnsRequest(method, path, headers, body, env, -1, cert))  # type: ignore[arg-type]
    assert response.status in ALLOWED and response.status != 500
    assert (response.status == 200) == bool(delivered)
    if response.status != 200:
        assert json.loads(response.body())["reason"]
    assert core.requests[-1].status == response.status


def test_core_accepts_a_valid_request_and_500s_on_internal_bugs() -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    core, delivered = make_core()
    key = ec.generate_private_key(ec.SECP256R1())
    core.keys["K1"] = ProviderKey("K1", "T1", key.public_key())
    import jwt

    token = jwt.encode({"iss": "T1", "iat": int(time.time())}, key, "ES256", headers={"kid": "K1"})
    headers = [
        ("authorization", f"bearer {token}"),
        ("apns-topic", f"{BUNDLE}.voip"),
        ("apns-push-type", "voip"),
    ]
    ok = core.handle(ApnsRequest("POST", f"/3/device/{TOKEN}", headers, b"{}", "sandbox"))
    assert ok.status == 200 and len(delivered) == 1

    def broken(_p: Push) -> None:
        raise RuntimeError("device layer bug")

    core.deliver = broken
    answer = core.handle(ApnsRequest("POST", f"/3/device/{TOKEN}", headers, b"{}", "sandbox"))
    assert (answer.status, answer.reason) == (500, "InternalServerError")


async def test_hostile_bodies_over_tls(lab: Lab) -> None:
    """A fixed sample of hostile bodies through the real TLS endpoint (hypothesis would be
    too slow per TLS handshake); the connection and the emulator keep working."""
    auth = [
        ("authorization", f"bearer {make_jwt(lab.key_file)}"),
        ("apns-topic", f"{BUNDLE}.voip"),
        ("apns-push-type", "voip"),
    ]
    cases = [
        (b"\x00" * 100, 400),
        (b"{" * 5000, 400),
        (b'{"a": "\xff"}', 400),
        (b"null", 400),
        (b'{"a":' + b"[" * 2000 + b"]" * 2000 + b"}", 400),
        (b"x" * 6000, 413),
        (json.dumps({"aps": {"alert": "\u202e" * 100}}).encode(), 200),
    ]
    for body, status in cases:
        got, _, _ = await raw_h2(lab.info, auth, body)
        assert got == status, body[:40]
    assert (await lab.sender().send_voip(TOKEN, {"ok": 1})).ok


def test_battery_core_requests_with_real_provider_tokens(tmp_path: Path) -> None:
    """5,000 hostile requests straight into the core with tokens good and broken (signed
    by the registered key, another key, none, mangled): Apple statuses only, never 500,
    and a push is delivered exactly when the answer is 200."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    from . import _phone_fuzz as fz

    key = ec.generate_private_key(ec.SECP256R1())
    key_file = tmp_path / "AuthKey.p8"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    core, delivered = make_core()
    core.keys[fz.KID] = ProviderKey(fz.KID, fz.TEAM, key.public_key())
    rng = random.Random(170)
    tokens = fz.TokenMaker(key_file, rng)
    n, statuses, start = 5000, Counter[int](), time.monotonic()
    for _ in range(n):
        headers, body = fz.hostile_request(rng, TOKEN, BUNDLE, tokens)
        pseudo = {k: v for k, v in headers if k.startswith(":")}
        before = len(delivered)
        response = core.handle(
            ApnsRequest(
                pseudo[":method"],
                pseudo[":path"],
                [(k, v) for k, v in headers if not k.startswith(":")],
                body,
                "sandbox",
            )
        )
        statuses[response.status] += 1
        assert response.status in ALLOWED and response.status != 500, response
        assert (response.status == 200) == (len(delivered) == before + 1)
    seen = dict(sorted(statuses.items()))
    note = f"{time.monotonic() - start:.1f} s, statuses {seen}"
    record("APNs core requests (JWTs, headers, bodies)", n, note=note)
    assert statuses[200] > 0 and statuses[403] > 0  # both sides of the checks were reached
