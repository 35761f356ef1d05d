"""The pytest fixtures QA teams use: two headless phones call each other directly."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from softphone.testing import RunningPhone

pytestmark = pytest.mark.integration


def test_two_fixture_phones_call_each_other(softphone: Callable[..., RunningPhone]) -> None:
    alice, bob = softphone("alice"), softphone("bob")
    host_port = bob.state()["sip"]["udp"]
    alice.call(f"sip:bob@{host_port}")
    bob.wait_for("call.incoming", timeout=10)
    bob.answer()
    alice.wait_for("call.connected", timeout=10)
    alice.dtmf("1234#")
    for _ in "1234#":
        bob.wait_for("dtmf.received", timeout=10)
    alice.hangup()
    bob.wait_for("call.ended", timeout=10)
    assert alice.state()["calls"] == []
    alice.process.terminate()
    assert alice.process.wait(15) == 0  # SIGTERM quits cleanly
