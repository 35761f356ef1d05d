"""Parsers for the five VoIP payload formats; presets round-trip; fuzz never raises."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from softphone.apns.payloads import PRESETS, compose
from softphone.pushkit import UNKNOWN_CALLER, parse_voip_payload


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_presets_round_trip(preset: str) -> None:
    """Every preset parses back to its caller and call id (through JSON, as on the wire)."""
    call_id = "CAabc" if preset == "twilio" else "room:42" if preset == "stream" else "id-42"
    payload = json.loads(json.dumps(compose(preset, "Alice Smith", call_id, now=1.7e9)))
    call = parse_voip_payload(payload)
    assert call.service == preset
    assert call.caller_name.startswith("Alice"), call
    assert call.call_id == call_id and call.known, call


def test_quickblox_timestamp_is_ms() -> None:
    call = parse_voip_payload(compose("quickblox", "A", "s", now=1_700_000_000.5))
    assert call.sent_at == pytest.approx(1_700_000_000.5, abs=0.01)


def test_flexisip_send_time_and_name_from_uri() -> None:
    p = {"call-id": "x", "from-uri": "sip:bob@host", "send-time": "2026-01-02 03:04:05"}
    call = parse_voip_payload(p)
    assert call.caller_name == "bob" and call.handle == "sip:bob@host"
    assert call.sent_at == 1767323045.0


def test_sinch_plain_loc_key_is_unknown_name_with_reason() -> None:
    call = parse_voip_payload({"aps": {"alert": {"loc-key": "SIN_INCOMING_CALL"}}, "sin": "opq"})
    assert call.caller_name == UNKNOWN_CALLER and call.call_id == "opq" and "display" in call.reason


def test_stream_user_ids_fallback() -> None:
    call = parse_voip_payload({"aps": {"alert": {"call_cid": "default:1", "user_ids": "A,B,C,D"}}})
    assert call.caller_name == "A, B and 2 others" and call.call_id == "default:1"


@pytest.mark.parametrize(
    ("payload", "why"),
    [
        (None, "NoneType"),
        ([1, 2], "list"),
        ("text", "str"),
        ({}, "no known"),
        ({"foo": 1}, "keys: foo"),
        ({"ios_voip": "1"}, "sessionID"),
        ({"twi_from": "x"}, "twi_call_sid"),
        ({"stream": {"call_cid": "nocolon"}}, "call_cid"),
        ({"call-id": {"nested": 1}}, "call-id"),
        ({"sin": ""}, "empty"),
    ],
)
def test_malformed_is_unknown_with_reason(payload: Any, why: str) -> None:
    call = parse_voip_payload(payload)
    assert call.caller_name == UNKNOWN_CALLER
    assert why in call.reason


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=20,
)
known_keys = st.sampled_from(
    [
        "ios_voip",
        "sessionID",
        "contactIdentifier",
        "timestamp",
        "sin",
        "aps",
        "stream",
        "call-id",
        "from-uri",
        "display-name",
        "send-time",
        "twi_call_sid",
        "twi_from",
    ]
)


@settings(max_examples=300)
@given(st.dictionaries(known_keys, json_values, max_size=6) | json_values)
def test_fuzz_never_raises(payload: Any) -> None:
    call = parse_voip_payload(payload)
    assert isinstance(call.caller_name, str) and call.caller_name
    assert call.known or call.caller_name == UNKNOWN_CALLER or call.reason
    assert len(call.caller_name) <= 256 + 40


def test_unknown_preset_lists_choices() -> None:
    with pytest.raises(KeyError, match="quickblox"):
        compose("nope")
