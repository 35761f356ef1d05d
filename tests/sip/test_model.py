"""URI parsing, configuration validation, events, the SIP log parser, the fake's script."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from softphone.sip import (
    AccountConfig,
    CallEnded,
    ConfigError,
    EngineConfig,
    InvalidUriError,
    Ipv6NotSupportedError,
    PushParams,
    RegistrationStatus,
    SrtpMode,
    TransportConfig,
    UnsupportedTransportError,
    parse_uri,
)
from softphone.sip.config import DEFAULT_CODECS, codec_matches, unknown_codecs
from softphone.sip.events import CallEndCause, estimate_mos
from softphone.sip.fake import FakeSipEngine
from softphone.sip.pjsua._siplog import parse_log_entry
from softphone.sip.uri import display_name_of, uri_of


def test_parse_uri_parts() -> None:
    u = parse_uri('"Bob B" <sip:bob@Example.COM:5070;transport=TCP;lr>')
    assert (u.scheme, u.user, u.host, u.port) == ("sip", "bob", "example.com", 5070)
    assert u.transport == "tcp" and "lr" in u.params
    assert parse_uri("sips:alice@127.0.0.1").transport == "tls"
    assert parse_uri("sip:127.0.0.1").user is None
    assert str(parse_uri("sip:bob@127.0.0.1:5060")) == "sip:bob@127.0.0.1:5060"
    assert display_name_of('"Bob B" <sip:bob@x>') == "Bob B"
    assert uri_of("Bob <sip:bob@x>") == "sip:bob@x"


@pytest.mark.parametrize(
    "bad", ["", "  ", "bob@example.com", "tel:+123", "sip:", "sip:@host", "sip:bob@", "sip:a b@x"]
)
def test_malformed_uris_rejected(bad: str) -> None:
    with pytest.raises(InvalidUriError):
        parse_uri(bad)


def test_ipv6_and_unknown_transport_refused() -> None:
    with pytest.raises(Ipv6NotSupportedError, match="IPv4"):
        parse_uri("sip:bob@[2001:db8::1]")
    with pytest.raises(UnsupportedTransportError, match="udp, tcp, tls"):
        parse_uri("sip:bob@example.com;transport=ws")
    with pytest.raises(UnsupportedTransportError):
        TransportConfig("sctp")
    with pytest.raises(Ipv6NotSupportedError):
        TransportConfig("udp", bind_address="::1")


@given(st.text(max_size=40))
def test_parse_uri_never_crashes(text: str) -> None:
    try:
        parse_uri(text)
    except InvalidUriError:
        pass
    except (Ipv6NotSupportedError, UnsupportedTransportError):
        pass


def test_engine_config_defaults_and_validation() -> None:
    cfg = EngineConfig()
    assert cfg.codecs[:3] == DEFAULT_CODECS == ("PCMU/8000", "PCMA/8000", "G722/16000")
    assert cfg.max_calls == 4 and cfg.srtp == SrtpMode.OFF and cfg.tls.verify_server is True
    assert EngineConfig(srtp="mandatory").srtp == SrtpMode.MANDATORY  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="wheel limit"):
        EngineConfig(max_calls=5)
    with pytest.raises(ConfigError):
        EngineConfig(transports=(TransportConfig("udp"), TransportConfig("udp", port=5070)))
    with pytest.raises(ConfigError):
        EngineConfig(codecs=())
    with pytest.raises(ValueError):
        EngineConfig(srtp="sometimes")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="unknown codec 'opus/48000'"):
        EngineConfig(codecs=("PCMU/8000", "opus/48000"))
    assert EngineConfig(codecs=("g722", "speex/16000")).codecs == ("g722", "speex/16000")


def test_codec_names_match_by_name_rate_and_channels() -> None:
    assert codec_matches("PCMU/8000", "PCMU/8000/1") and codec_matches("speex", "speex/32000/1")
    assert not codec_matches("speex/8000", "speex/16000/1") and not codec_matches("", "PCMU/8000/1")
    assert unknown_codecs(["pcma/8000", "L16/44100", "opus", "G729/8000"]) == ["opus", "G729/8000"]


def test_account_config_validation_and_push_params() -> None:
    with pytest.raises(InvalidUriError):
        AccountConfig(id="a", uri="alice")
    with pytest.raises(UnsupportedTransportError):
        AccountConfig(id="a", uri="sip:a@x", transport="carrier-pigeon")
    with pytest.raises(ConfigError):
        AccountConfig(id="", uri="sip:a@x")
    acc = AccountConfig(id="a", uri="sip:a@x", password="hunter2")
    assert "hunter2" not in repr(acc)
    p = PushParams("apns", "tok:voip", "TEAM.com.x.voip")
    assert p.contact_params() == ";pn-provider=apns;pn-prid=tok:voip;pn-param=TEAM.com.x.voip"


def test_events_are_frozen_with_monotonic_timestamps() -> None:
    a = CallEnded("c1", CallEndCause.BUSY, 486, "Busy Here")
    b = CallEnded("c1", CallEndCause.BUSY, 486, "Busy Here")
    assert a == b and b.timestamp >= a.timestamp > 0
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.code = 200  # type: ignore[misc]


def test_mos_estimate_orders_quality() -> None:
    good = estimate_mos(20, 1, 0)
    bad = estimate_mos(400, 40, 5)
    assert 4.0 < good <= 4.5 and 1.0 <= bad < 3.5


def test_sip_log_entry_parsed_and_redacted() -> None:
    entry = (
        "TX 512 bytes Request msg REGISTER/cseq=2 (tdta0x1) to UDP 127.0.0.1:5060:\n"
        "REGISTER sip:127.0.0.1 SIP/2.0\r\n"
        "Call-ID: abc123\r\n"
        'Authorization: Digest username="alice", realm="x", nonce="n", response="deadbeef"\r\n'
        "Contact: <sip:alice:secretpw@127.0.0.1>\r\n\r\n"
        "--end msg--"
    )
    ev = parse_log_entry(entry)
    assert ev is not None
    assert (ev.direction, ev.sip_call_id, ev.first_line) == (
        "sent",
        "abc123",
        "REGISTER sip:127.0.0.1 SIP/2.0",
    )
    assert "deadbeef" not in ev.text and "secretpw" not in ev.text
    assert "Authorization: Digest <redacted>" in ev.text
    assert parse_log_entry("pjsua_core.c  PJSUA state changed") is None


async def test_fake_registrar_script() -> None:
    fake = FakeSipEngine()
    fake.users = {"alice": "pw"}
    await fake.start(EngineConfig())
    fake.add_account(
        AccountConfig(
            id="ok",
            uri="sip:alice@x",
            registrar="sip:x",
            username="alice",
            password="pw",
            register_on_add=False,
        )
    )
    fake.add_account(
        AccountConfig(
            id="bad",
            uri="sip:alice@x",
            registrar="sip:x",
            username="alice",
            password="no",
            register_on_add=False,
        )
    )
    fake.add_account(
        AccountConfig(
            id="gone",
            uri="sip:alice@x",
            registrar="sip:reg.invalid",
            username="alice",
            password="pw",
            register_on_add=False,
        )
    )
    assert (await fake.register("ok")).state == RegistrationStatus.REGISTERED
    assert (await fake.register("bad")).code == 401
    assert (await fake.register("gone")).code == 408
    await fake.stop()
