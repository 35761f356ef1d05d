"""aioapns (through ApnsSender) against the emulator over TLS: each status and rule."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path

import pytest

from softphone.apns.payloads import compose
from softphone.apns.sender import ApnsCredentials, ApnsSender, EmulatorEndpoint, SenderError

from .conftest import BUNDLE, KID, TEAM, TOKEN, Lab, make_jwt, raw_h2

pytestmark = pytest.mark.integration


async def test_voip_push_delivered_with_id_echo_and_unique_id(lab: Lab) -> None:
    apns_id = str(uuid.uuid4())
    payload = compose("flexisip", "Bob", "call-1")
    result = await lab.sender().send_voip(TOKEN, payload, apns_id=apns_id)
    assert result.ok and result.status == 200 and result.apns_id == apns_id
    uuid.UUID(result.unique_id)
    pushes = await lab.wait_pushes(1)
    assert pushes[0]["payload"] == payload and pushes[0]["apns_id"] == apns_id
    assert pushes[0]["topic"] == f"{BUNDLE}.voip" and pushes[0]["push_type"] == "voip"
    assert pushes[0]["priority"] == 10
    rec = lab.emulator.requests[-1]
    assert (rec.status, rec.apns_id, rec.environment) == (200, apns_id, "sandbox")
    assert ("authorization", "bearer <redacted>") in rec.headers


async def test_production_has_no_unique_id_and_tokens_are_per_environment(lab: Lab) -> None:
    # the sandbox token is unknown in production
    prod = lab.sender("production")
    assert (await prod.send_voip(TOKEN, {"aps": {}})).reason == "BadDeviceToken"
    await lab.device.register("cd" * 32, BUNDLE, "production")
    result = await prod.send_voip("cd" * 32, {"aps": {}})
    assert result.ok and result.unique_id == ""


@pytest.mark.parametrize(
    ("kwargs", "token", "status", "reason"),
    [
        ({}, "ef" * 32, 400, "BadDeviceToken"),
        ({}, "nothex", 400, "BadDeviceToken"),
        ({"bundle": "com.other.app"}, TOKEN, 400, "DeviceTokenNotForTopic"),
        ({"team": "ZZZZZ99999"}, TOKEN, 403, "InvalidProviderToken"),
        ({"kid": "UNKNOWNKID"}, TOKEN, 403, "InvalidProviderToken"),
    ],
)
async def test_refusals(
    lab: Lab, kwargs: dict[str, str], token: str, status: int, reason: str
) -> None:
    result = await lab.sender(**kwargs).send_voip(token, {"aps": {}})
    assert (result.status, result.reason) == (status, reason)
    assert lab.pushes == []


async def test_header_rules_via_aioapns(lab: Lab) -> None:
    s = lab.sender()
    assert (await s.send(TOKEN, {"aps": {}}, priority=7)).reason == "BadPriority"
    bad_topic = await s.send(TOKEN, {"aps": {}}, push_type="voip", topic=BUNDLE)
    assert (bad_topic.status, bad_topic.reason) == (400, "InvalidPushType")
    long_collapse = await s.send_voip(TOKEN, {"aps": {}}, collapse_id="x" * 65)
    assert long_collapse.reason == "BadCollapseId"
    assert (await s.send_voip(TOKEN, {"aps": {}}, collapse_id="x" * 64)).ok


async def test_payload_limits(lab: Lab) -> None:
    s = lab.sender()
    filler = "x" * (5120 - len(json.dumps({"f": ""})))
    assert (await s.send_voip(TOKEN, {"f": filler})).ok
    too_big = await s.send_voip(TOKEN, {"f": filler + "y"})
    assert (too_big.status, too_big.reason) == (413, "PayloadTooLarge")
    over_frame = await s.send_voip(TOKEN, {"f": "x" * 20_000})  # > one 16 KB DATA frame
    assert (over_frame.status, over_frame.reason) == (413, "PayloadTooLarge")
    assert lab.emulator.requests[-1].body_length > 20_000  # answered by the emulator
    huge = await s.send_voip(TOKEN, {"f": "x" * 100_000})  # over any window: not sent
    assert (huge.status, huge.reason) == (413, "PayloadTooLarge")
    assert (await s.send_voip(TOKEN, {"f": filler})).ok  # the connection is still fine
    remote = "ee" * 32  # an alert (remote-notification) token: the 4096-byte limit
    lab.emulator.register_device(remote, BUNDLE, "sandbox", voip=False)
    alert = await s.send(remote, {"f": "x" * 4100}, push_type="alert")
    assert (alert.status, alert.reason) == (413, "PayloadTooLarge")
    assert (await s.send(remote, {"f": "x" * 4000}, push_type="alert")).ok


async def test_expired_and_future_provider_tokens(lab: Lab) -> None:
    lab.clock.offset = 3700  # the JWT aioapns made now is 1 h 2 min old for the server
    result = await lab.sender().send_voip(TOKEN, {"aps": {}})
    assert (result.status, result.reason) == (403, "ExpiredProviderToken")
    lab.clock.offset = -600
    assert (await lab.sender().send_voip(TOKEN, {"aps": {}})).reason == "InvalidProviderToken"


async def test_signature_from_another_key_is_refused(lab: Lab, tmp_path: Path) -> None:
    other = lab.emulator.create_key(TEAM, "OTHERKEY01")
    lab.emulator.revoke_key("OTHERKEY01")
    result = await lab.sender(kid=KID, key_file=other).send_voip(TOKEN, {"aps": {}})
    assert (result.status, result.reason) == (403, "InvalidProviderToken")


async def test_unregistered_token_is_410_with_timestamp(lab: Lab) -> None:
    await lab.device.unregister(TOKEN, "sandbox")
    result = await lab.sender().send_voip(TOKEN, {"aps": {}})
    assert (result.status, result.reason) == (410, "Unregistered")
    assert isinstance(result.timestamp, int) and result.timestamp > 1_600_000_000_000


async def test_retries_429_then_succeeds(lab: Lab) -> None:
    delays: list[float] = []

    async def fake_sleep(d: float) -> None:
        delays.append(d)

    lab.emulator.inject_fault(429, "TooManyRequests", count=2)
    result = await lab.sender(retries=3, sleep=fake_sleep).send_voip(TOKEN, {"aps": {}})
    assert result.ok and result.attempts == 3 and delays == [0.5, 1.0]
    assert [r.status for r in lab.emulator.requests] == [429, 429, 200]
    assert len(await lab.wait_pushes(1)) == 1


@pytest.mark.parametrize(
    ("status", "reason"), [(500, "InternalServerError"), (503, "ServiceUnavailable")]
)
async def test_retries_give_up_with_last_answer(lab: Lab, status: int, reason: str) -> None:
    async def no_sleep(d: float) -> None:
        pass

    lab.emulator.inject_fault(status, reason, count=5)
    result = await lab.sender(retries=2, sleep=no_sleep).send_voip(TOKEN, {"aps": {}})
    assert (result.status, result.reason, result.attempts) == (status, reason, 3)


async def test_400_is_not_retried(lab: Lab) -> None:
    result = await lab.sender(retries=3).send_voip("ef" * 32, {"aps": {}})
    assert result.attempts == 1 and len(lab.emulator.requests) == 1


async def test_per_token_rate_limit(lab: Lab) -> None:
    lab.emulator.core.per_token_limit = 2
    lab.emulator.core.per_token_window = 60
    s = lab.sender()
    statuses = [(await s.send_voip(TOKEN, {"aps": {}})).status for _ in range(3)]
    assert statuses == [200, 200, 429]


async def test_client_certificate_auth(lab: Lab) -> None:
    universal = lab.emulator.issue_client_certificate(BUNDLE)
    sandbox_only = lab.emulator.issue_client_certificate(BUNDLE, sandbox_only=True)
    other = lab.emulator.issue_client_certificate("com.other.app")
    await lab.device.register("cd" * 32, BUNDLE, "production")
    assert (
        await lab.sender("production", cert_file=universal).send_voip("cd" * 32, {"aps": {}})
    ).ok
    assert (await lab.sender("sandbox", cert_file=sandbox_only).send_voip(TOKEN, {"aps": {}})).ok
    wrong_env = await lab.sender("production", cert_file=sandbox_only).send_voip(
        "cd" * 32, {"a": 1}
    )
    assert (wrong_env.status, wrong_env.reason) == (403, "BadCertificateEnvironment")
    wrong_app = await lab.sender("sandbox", bundle="com.other.app", cert_file=other).send_voip(
        TOKEN, {"aps": {}}
    )
    assert wrong_app.reason == "DeviceTokenNotForTopic"
    disallowed = await lab.sender("sandbox", bundle=BUNDLE, cert_file=other).send_voip(
        TOKEN, {"a": 1}
    )
    assert disallowed.reason == "TopicDisallowed"
    assert lab.emulator.requests[0].auth.startswith("cert com.example.softphone")


async def test_timeout_when_server_never_answers(tmp_path: Path, lab: Lab) -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # never answer the TLS handshake

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    sender = ApnsSender(
        BUNDLE,
        ApnsCredentials(lab.key_file, KID, TEAM),
        "sandbox",
        EmulatorEndpoint("127.0.0.1", port, lab.info.ca_path),
        timeout=0.3,
        retries=0,
    )
    try:
        result = await sender.send_voip(TOKEN, {"aps": {}})
    finally:
        await sender.close()
        server.close()
    assert (result.status, result.reason) == (0, "Timeout")


def test_sender_refuses_missing_credentials(tmp_path: Path) -> None:
    with pytest.raises(SenderError, match="key-file"):
        ApnsSender(BUNDLE, ApnsCredentials(key_id=KID, team_id=TEAM))
    with pytest.raises(SenderError, match="does not exist"):
        ApnsSender(BUNDLE, ApnsCredentials(tmp_path / "nope.p8", KID, TEAM))
    with pytest.raises(SenderError, match="sandbox or production"):
        ApnsSender(BUNDLE, ApnsCredentials(cert_file=Path(__file__)), "staging")  # type: ignore[arg-type]


# -- what aioapns never sends: raw HTTP/2 over TLS ------------------------------------------


def auth(lab: Lab) -> list[tuple[str, str]]:
    return [
        ("authorization", f"bearer {make_jwt(lab.key_file)}"),
        ("apns-topic", f"{BUNDLE}.voip"),
        ("apns-push-type", "voip"),
    ]


async def test_raw_paths_methods_and_auth(lab: Lab) -> None:
    status, headers, body = await raw_h2(lab.info, auth(lab), b"{}", path="/3/other")
    assert (status, json.loads(body)["reason"]) == (404, "BadPath")
    uuid.UUID(headers["apns-id"])
    status, _, body = await raw_h2(lab.info, auth(lab), method="GET")
    assert (status, json.loads(body)["reason"]) == (405, "MethodNotAllowed")
    status, _, body = await raw_h2(lab.info, auth(lab)[1:], b"{}")
    assert (status, json.loads(body)["reason"]) == (403, "MissingProviderToken")
    status, _, body = await raw_h2(lab.info, [("authorization", "bearer not.a.jwt")], b"{}")
    assert json.loads(body)["reason"] == "InvalidProviderToken"
    status, _, body = await raw_h2(lab.info, auth(lab), b"{}", path="/3/device/")
    assert json.loads(body)["reason"] == "MissingDeviceToken"


@pytest.mark.parametrize(
    ("extra", "body", "reason"),
    [
        ([("apns-id", "not-a-uuid")], b"{}", "BadMessageId"),
        ([("apns-expiration", "soon")], b"{}", "BadExpirationDate"),
        ([("apns-push-type", "fax")], b"{}", "DuplicateHeaders"),
        ([], b"", "PayloadEmpty"),
        ([], b"not json", "PayloadEmpty"),
        ([], b"[1,2]", "PayloadEmpty"),
        ([], b"\xff\xfe", "PayloadEmpty"),
    ],
)
async def test_raw_header_and_body_errors(
    lab: Lab, extra: list[tuple[str, str]], body: bytes, reason: str
) -> None:
    status, _, data = await raw_h2(lab.info, auth(lab) + extra, body)
    assert (status, json.loads(data)["reason"]) == (400, reason)


async def test_raw_missing_topic_and_bad_push_type(lab: Lab) -> None:
    jwt_only = [auth(lab)[0]]
    status, _, data = await raw_h2(lab.info, [*jwt_only, ("apns-push-type", "fax")], b"{}")
    assert json.loads(data)["reason"] == "InvalidPushType"
    status, _, data = await raw_h2(lab.info, jwt_only, b"{}")
    assert (status, json.loads(data)["reason"]) == (400, "MissingTopic")


async def test_raw_huge_body_is_413_and_connection_survives(lab: Lab) -> None:
    status, _, data = await raw_h2(lab.info, auth(lab), b"{" + b" " * 200_000 + b"}")
    assert (status, json.loads(data)["reason"]) == (413, "PayloadTooLarge")
    assert (await lab.sender().send_voip(TOKEN, {"aps": {}})).ok


def test_real_apns_hosts_unless_emulated() -> None:
    from softphone.apns.sender import _protocol_class

    sandbox = _protocol_class("sandbox", None, {})
    production = _protocol_class("production", None, {})
    assert (sandbox.APNS_SERVER, sandbox.APNS_PORT) == ("api.development.push.apple.com", 443)
    assert (production.APNS_SERVER, production.APNS_PORT) == ("api.push.apple.com", 443)
    emulated = _protocol_class("sandbox", EmulatorEndpoint("127.0.0.1", 4444, Path("ca")), {})
    assert (emulated.APNS_SERVER, emulated.APNS_PORT) == ("127.0.0.1", 4444)


async def test_keys_survive_emulator_restart(lab: Lab, tmp_path: Path) -> None:
    from softphone.apns.emulator import ApnsEmulator

    again = ApnsEmulator(lab.emulator.state_dir)
    assert KID in again.core.keys and again.core.keys[KID].team_id == TEAM
    assert again.certs.ca_cert.read_bytes() == lab.info.ca_path.read_bytes()
    with pytest.raises(ValueError, match="loopback"):
        ApnsEmulator(tmp_path / "x", host="0.0.0.0")


async def test_voip_token_takes_only_voip_pushes_on_the_voip_topic(lab: Lab) -> None:
    """Apple: a VoIP token is for ``<bundle>.voip`` with push type voip; an alert push with
    the bare bundle id is not for that token, an alert on the .voip topic is disallowed."""
    s = lab.sender()
    alert = await s.send(TOKEN, {"aps": {"alert": "hi"}}, push_type="alert")
    assert (alert.status, alert.reason) == (400, "DeviceTokenNotForTopic")
    on_voip_topic = await s.send(
        TOKEN, {"aps": {"alert": "hi"}}, push_type="alert", topic=f"{BUNDLE}.voip"
    )
    assert (on_voip_topic.status, on_voip_topic.reason) == (400, "TopicDisallowed")
    background = await s.send(TOKEN, {"aps": {}}, push_type="background", priority=5)
    assert (background.status, background.reason) == (400, "DeviceTokenNotForTopic")
    assert (await s.send_voip(TOKEN, {"aps": {}})).ok
    assert len(await lab.wait_pushes(1)) == 1
    remote = "ee" * 32  # and a remote-notification token takes no VoIP push
    lab.emulator.register_device(remote, BUNDLE, "sandbox", voip=False)
    voip = await s.send_voip(remote, {"aps": {}})
    assert (voip.status, voip.reason) == (400, "DeviceTokenNotForTopic")
