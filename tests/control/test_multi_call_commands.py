"""Call waiting, Swap, Merge and Private through the control API of real headless phones:
phone A talks to its echo test line, phone B calls A (a second, waiting call)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from softphone.control import ControlClientError
from softphone.testing import RunningPhone, start_phone, stop_phone
from tests.control.polling import until

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def phones(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningPhone, RunningPhone]]:
    home = tmp_path_factory.mktemp("multi-call")
    a = start_phone(home, "alice")
    try:
        b = start_phone(home, "bob")
    except BaseException:
        stop_phone(a)
        raise
    a.home = home  # type: ignore[attr-defined]
    try:
        yield a, b
    finally:
        stop_phone(b)
        stop_phone(a)


@pytest.fixture
def pair(phones: tuple[RunningPhone, RunningPhone]) -> Iterator[tuple[RunningPhone, RunningPhone]]:
    """The two phones with no calls before and after each test."""
    yield phones
    for phone in phones:
        for call in phone.state()["calls"]:
            try:
                phone.hangup(call["uuid"])
            except ControlClientError:
                pass  # ended by the other side meanwhile
    for phone in phones:
        until(lambda p=phone: p.state()["calls"] == [], "calls left over")  # type: ignore[misc]


def by_uuid(calls: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {c["uuid"]: c for c in calls}


def waiting_call(a: RunningPhone, b: RunningPhone) -> tuple[str, str]:
    """A talks to its echo line, B calls A; returns (first, second) call UUIDs on A."""
    first = a.call("echo")["call"]
    a.wait_for("call.connected", timeout=10)
    b.call(f"sip:alice@{a.state()['sip']['udp']}")
    a.wait_for("call.incoming", timeout=10)
    ringing = until(
        lambda: [c["uuid"] for c in a.state()["calls"] if c["state"] == "ringing"], "A rings"
    )
    return first, ringing[0]


def refused(phone: RunningPhone, command: str, **params: Any) -> str:
    """The command is a 409 conflict that leaves the phone's calls as they were."""
    before = phone.state()["calls"]
    with pytest.raises(ControlClientError) as exc:
        phone.request(command, **params)
    assert (exc.value.status, exc.value.code) == (409, "conflict"), exc.value
    assert phone.state()["calls"] == before
    return exc.value.message


def test_hold_and_accept_swap_merge_unmerge(pair: tuple[RunningPhone, RunningPhone]) -> None:
    """Hold & Accept leaves the first call held and the second active; Swap flips them;
    Merge makes both active in one group; Private splits one out again."""
    a, b = pair
    first, second = waiting_call(a, b)

    message = refused(a, "answer")
    assert "hold-and-accept" in message and "end-and-accept" in message

    calls = by_uuid(a.hold_and_accept()["calls"])
    assert calls[first]["state"] == "held" and calls[first]["on_hold"]
    assert calls[second]["state"] == "active" and not calls[second]["on_hold"]
    b.wait_for("call.connected", timeout=10)

    result = a.swap()
    calls = by_uuid(result["calls"])
    assert calls[first]["state"] == "active"
    assert calls[second]["state"] == "held"
    assert {x["state"] for x in result["actions"]} == {"fulfilled"}
    assert [(x["type"], x["call"]) for x in result["actions"]] == [
        ("CXSetHeldCallAction", second),
        ("CXSetHeldCallAction", first),
    ]

    calls = by_uuid(a.merge()["calls"])
    assert calls[first]["state"] == calls[second]["state"] == "active"
    assert calls[first]["group"] is not None
    assert calls[first]["group"] == calls[second]["group"]
    assert refused(a, "merge")  # already one conference: nothing to merge

    calls = by_uuid(a.unmerge(second)["calls"])
    assert calls[second]["group"] is None and calls[second]["state"] == "active"
    assert calls[first]["state"] == "held"


def test_end_and_accept_ends_the_first_call(pair: tuple[RunningPhone, RunningPhone]) -> None:
    a, b = pair
    first, second = waiting_call(a, b)
    result = a.end_and_accept(call=second)
    assert [(c["uuid"], c["state"]) for c in result["calls"]] == [(second, "active")]
    assert [(x["type"], x["call"], x["state"]) for x in result["actions"]] == [
        ("CXEndCallAction", first, "fulfilled"),
        ("CXAnswerCallAction", second, "fulfilled"),
    ]
    assert [(c["uuid"], c["state"]) for c in a.state()["calls"]] == [(second, "active")]
    b.wait_for("call.connected", timeout=10)


def test_not_applicable_is_a_conflict(pair: tuple[RunningPhone, RunningPhone]) -> None:
    """With no call, or one call, the multi-call commands are refused with a reason."""
    a, _b = pair
    for command in ("swap", "merge", "hold-and-accept", "end-and-accept"):
        assert refused(a, command)
    a.call("echo")
    a.wait_for("call.connected", timeout=10)
    assert "exactly one active and one held" in refused(a, "swap")
    assert "exactly one active and one held" in refused(a, "merge")
    assert "no call is ringing" in refused(a, "hold-and-accept")
    assert "no call is ringing" in refused(a, "end-and-accept")
    only = a.state()["calls"][0]["uuid"]
    assert "not in a conference" in refused(a, "unmerge", call=only)


def test_the_cli_runs_the_new_commands(pair: tuple[RunningPhone, RunningPhone]) -> None:
    """`softphone swap` with one call exits 3 and says why; `softphone --help` lists them."""
    a, _b = pair
    home = a.home  # type: ignore[attr-defined]
    env = {**os.environ, "SOFTPHONE_HOME": str(home)}
    proc = _cli(env, "--profile", "alice", "swap")
    assert proc.returncode == 3, proc
    assert "conflict" in proc.stderr
    proc = _cli(env, "--help")
    for name in ("swap", "merge", "hold-and-accept", "end-and-accept", "recents", "audio-select"):
        assert name in proc.stdout


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "softphone", *args],
        capture_output=True,
        text=True,
        env={**env, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        timeout=60,
    )
