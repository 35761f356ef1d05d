"""Fuzz batteries for VoIP push payloads: the parser alone (softphone.pushkit.payloads)
and the whole path through the control API's ``push`` command to a running phone."""

from __future__ import annotations

import asyncio
import json
import os
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from softphone.control import ControlError
from softphone.control.client import ControlClientError
from softphone.phone.runtime import PhoneRuntime
from softphone.pushkit.payloads import UNKNOWN_CALLER, parse_voip_payload
from softphone.recents import RecentsStore
from softphone.settings import Settings
from softphone.sip.pjsua import create_engine
from softphone.testing import RunningPhone
from tests.apns import _phone_fuzz as _fz
from tests.fuzz_counts import record
from tests.phone._runtime import running

KEYS = [
    "contactIdentifier", "opponentsIDs", "sessionID", "ios_voip", "conferenceType",
    "timestamp", "sin", "aps", "stream", "call_cid", "created_by_display_name",
    "created_by_id", "alert", "loc-key", "loc-args", "user_ids", "from-uri",
    "display-name", "call-id", "uuid", "send-time", "pn_ttl", "twi_from", "twi_call_sid",
    "twi_message_type", "", "\u202e", "x" * 300,
]  # fmt: skip
STRINGS = [
    "", " ", "Alice", "sip:bob@example.org", "client:carol", "default:123", "a,b,c,d",
    "SIN_INCOMING_CALL_DISPLAY_NAME", "1", "0", "-1", "1e308", "2026-01-01 00:00:00",
    "\u0000\u0007\u202e\ufeff", "😀" * 50, "A" * 5000, "<script>", "%s%n", "../../etc",
]  # fmt: skip


def _value(r: random.Random, depth: int) -> Any:
    kind = r.randrange(10 if depth < 6 else 6)
    if kind == 0:
        return r.choice(STRINGS)
    if kind == 1:
        return r.choice([0, -1, 1, 2**31, 2**63, -(2**63), 10**30, 1.5, -0.0, 1e308])
    if kind == 2:
        return r.choice([None, True, False])
    if kind == 3:
        return "".join(chr(r.randrange(1, 0x3000)) for _ in range(r.randrange(40)))
    if kind in (4, 5):
        return r.choice(STRINGS[:9])
    if kind in (6, 7):
        return [_value(r, depth + 1) for _ in range(r.randrange(4))]
    return _payload(r, depth + 1)


def _payload(r: random.Random, depth: int = 0) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for _ in range(r.randrange(1, 7)):
        out[r.choice(KEYS)] = _value(r, depth)
    if r.random() < 0.05:  # deep nesting
        deep: Any = "bottom"
        for _ in range(r.randrange(20, 120)):
            deep = {"aps": deep} if r.random() < 0.5 else [deep]
        out["deep"] = deep
    return out


def test_battery_parse_voip_payload() -> None:
    """5,000 hostile payloads: the parser never raises and always names a caller."""
    rng = random.Random(5)
    n, start = 5000, time.monotonic()
    odd = [None, [], "str", 5, {"": {}}]
    for i in range(n):
        payload: Any = _payload(rng) if i >= len(odd) else odd[i]
        call = parse_voip_payload(payload)
        assert isinstance(call.caller_name, str) and 0 < len(call.caller_name) <= 256
        assert isinstance(call.call_id, str) and isinstance(call.handle, str)
        assert call.known or call.reason
        assert call.caller_name == UNKNOWN_CALLER or call.caller_name.isprintable()
    record("VoIP payloads (parser)", n, note=f"{time.monotonic() - start:.1f} s")


async def test_battery_push_command_payloads_in_a_phone_runtime(tmp_path: Path) -> None:
    """2,000 hostile payloads through the ``push`` command of a real PhoneRuntime (control
    dispatch -> aioapns -> emulator over TLS -> device channel -> PushKit -> CallKit, with
    Recents): every answer a result or a 4xx error, every pushed call ends (no stuck
    call), RSS grows less than 30 MB. In process: over HTTP a push costs ~30 ms of the
    phone's CPU, too slow for 2,000 in a minute here (see the next test)."""
    runtime = PhoneRuntime(
        create_engine(),
        Settings(),
        push_dir=tmp_path / "apns",
        recents=RecentsStore(tmp_path / "recents.sqlite3"),
        with_test_line=False,
    )
    async with running(runtime):
        assert runtime.push is not None, runtime.problems
        runtime.app.invite_timeout = 0.5
        rng = random.Random(55)
        n, answers, crashes = 2000, {}, 0
        rss0, start = 0.0, time.monotonic()
        for i in range(n):
            if i == 200:
                rss0 = _fz.rss_mb(os.getpid())
            try:
                sent = await runtime.control.execute("push", {"payload": _payload(rng)})
                key = f"apns {sent['status']}"
            except ControlError as exc:
                key = f"error {exc.status} {exc.code}"
                crashes += int(not 400 <= exc.status < 500)
            except Exception as exc:  # anything else would be a 500 from the API
                key = f"crash {type(exc).__name__}"
                crashes += 1
            answers[key] = answers.get(key, 0) + 1
        elapsed = time.monotonic() - start
        grown = _fz.rss_mb(os.getpid()) - rss0
        deadline = time.monotonic() + 20
        while runtime.state()["calls"] and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        record("push command payloads (runtime)", n, crashes=crashes,
               note=f"{elapsed:.0f} s, RSS +{grown:.1f} MB, {json.dumps(answers)}")  # fmt: skip
        assert crashes == 0, answers
        assert runtime.state()["calls"] == []
        assert grown < 30.0, f"RSS grew {grown:.1f} MB"
        assert (await runtime.control.execute("push", {"preset": "flexisip"}))["status"] == 200


def test_battery_push_command_payloads_against_a_phone(
    softphone: Callable[..., RunningPhone],
) -> None:
    """300 hostile payloads through ``push`` over the control API to a phone process:
    every answer a result or a 4xx error, the phone lives, every pushed call ends, RSS
    grows less than 30 MB."""
    phone = softphone()
    phone.inject("invite-timeout", options={"seconds": 1})
    warm = phone.push(preset="flexisip", caller="Warm-up", call=False)  # loads aioapns
    assert warm["status"] == 200
    assert _fz.wait_no_calls(phone) == []
    rng = random.Random(56)
    n, answers = 300, {}
    rss0, start = _fz.rss_mb(phone.process.pid), time.monotonic()
    for _ in range(n):
        try:
            sent = phone.push(payload=_payload(rng), call=False)
            key = f"apns {sent['status']}"
        except ControlClientError as exc:
            key = f"error {exc.status} {exc.code}"
            assert 400 <= exc.status < 500, exc
        answers[key] = answers.get(key, 0) + 1
    elapsed = time.monotonic() - start
    grown = _fz.rss_mb(phone.process.pid) - rss0
    crashes = int(phone.process.poll() is not None)
    record("push command payloads vs phone (HTTP)", n, crashes=crashes,
           note=f"{elapsed:.0f} s, RSS +{grown:.1f} MB, {json.dumps(answers)}")  # fmt: skip
    assert crashes == 0
    assert _fz.wait_no_calls(phone, timeout=30) == []
    assert grown < 30.0, f"RSS grew {grown:.1f} MB"
    assert phone.push(preset="flexisip", caller="After", call=False)["status"] == 200
