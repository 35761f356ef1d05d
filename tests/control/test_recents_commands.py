"""Recents and Contacts through the control API of real headless phones: the same store
the tabs show (calls recorded by the phone, contacts used for caller ID)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from softphone.control import ControlClientError
from softphone.phone.runtime import PhoneRuntime
from softphone.settings import Settings
from softphone.sip.pjsua import create_engine
from softphone.testing import RunningPhone
from tests.control.polling import until

pytestmark = pytest.mark.integration


def test_contacts_add_list_remove(softphone: Callable[..., RunningPhone]) -> None:
    phone = softphone("carol")
    assert phone.request("contacts") == {"contacts": []}
    ann = phone.contact_add("Ann", number="+1 800 555 0100")["contact"]
    bob = phone.request("contact-add", name="Bob", uri="sip:bob@example.com")["contact"]
    assert ann["numbers"] == ["+1 800 555 0100"] and ann["uris"] == []
    assert bob["uris"] == ["sip:bob@example.com"]
    listed = phone.request("contacts")["contacts"]
    assert [c["name"] for c in listed] == ["Ann", "Bob"]
    assert [c["name"] for c in phone.request("contacts", search="example")["contacts"]] == ["Bob"]

    assert phone.contact_remove(ann["id"]) == {"removed": ann}
    assert [c["name"] for c in phone.request("contacts")["contacts"]] == ["Bob"]
    with pytest.raises(ControlClientError) as exc:
        phone.request("contact-remove", id=ann["id"])
    assert (exc.value.status, exc.value.code) == (404, "not_found")
    for bad in ({"name": "Nobody"}, {"name": "X", "number": "call me"}, {"name": "Y", "uri": "x"}):
        with pytest.raises(ControlClientError) as exc:
            phone.request("contact-add", **bad)
        assert exc.value.status == 400, bad
    assert [c["name"] for c in phone.request("contacts")["contacts"]] == ["Bob"]


def test_recents_lists_calls_like_the_tab(softphone: Callable[..., RunningPhone]) -> None:
    """An outgoing call (to the test line, named from Contacts) and a missed call from
    another phone; ``missed`` filters, ``limit`` cuts."""
    a, b = softphone("alice"), softphone("bob")
    a.call("5550100")  # digits go to the test line, which answers any number
    a.wait_for("call.connected", timeout=10)
    a.hangup()
    a.wait_for("call.ended", timeout=10)
    b.call(f"sip:alice@{a.state()['sip']['udp']}")
    a.wait_for("call.incoming", timeout=10)
    until(lambda: [c["state"] for c in a.state()["calls"]] == ["ringing"], "A rings")
    b.hangup()  # B gives up: a missed call on A
    a.wait_for("call.ended", timeout=10)

    rows = until(lambda: len(a.request("recents")["recents"]) == 2 and a.request("recents"), "2")
    missed, outgoing = rows["recents"]
    assert outgoing["direction"] == "outgoing" and not outgoing["missed"]
    assert outgoing["status"] == "outgoing"
    assert missed["direction"] == "incoming" and missed["missed"]
    assert missed["status"] == "missed"
    assert rows["unseen_missed"] == 1
    assert a.recents(missed=True)["recents"] == [missed]
    assert a.recents(limit=1) == {**rows, "recents": [missed], "more": True}

    assert outgoing["handle"] == outgoing["name"] == "5550100"
    a.request("contact-add", name="Bob Phone", number="555-0100")
    assert a.request("recents")["recents"][1]["name"] == "Bob Phone"


def test_the_cli_prints_recents_and_contacts(softphone: Callable[..., RunningPhone]) -> None:
    phone = softphone("dave")
    home = phone.log_path.parent
    env = {**os.environ, "SOFTPHONE_HOME": str(home)}
    root = str(Path(__file__).resolve().parents[2])

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "softphone", "--profile", "dave", *args],
            capture_output=True,
            text=True,
            env={**env, "PYTHONPATH": root},
            timeout=60,
        )

    added = cli("contact-add", "Eve", "--number", "555 0199")
    assert added.returncode == 0, added.stderr
    assert '"Eve"' in added.stdout
    listed = cli("contacts")
    assert '"555 0199"' in listed.stdout
    assert cli("recents", "--missed", "--limit", "5").returncode == 0
    bad = cli("recents", "--limit", "0")
    assert bad.returncode == 2 and "between 1 and 1000" in bad.stderr


async def test_a_phone_without_a_database_says_so() -> None:
    """The in-process runtime with no Recents store: a clear 409, nothing else changes."""
    runtime = PhoneRuntime(create_engine(), Settings(), with_test_line=False)
    from softphone.control import ConflictError

    for command, params in (("recents", {}), ("contacts", {}), ("contact-remove", {"id": 1})):
        with pytest.raises(ConflictError, match="no Recents or Contacts"):
            await runtime.control.execute(command, params)
