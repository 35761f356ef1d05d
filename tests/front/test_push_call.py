"""A VoIP push that ends in a talking call: ``softphone push`` (and the Lab's push console,
and the ``--demo`` tour) has the simulated caller follow the push with its INVITE, which
is matched to the pushed call; ``--no-call`` sends the push alone, and the call then ends
after the invite timeout with the reason in plain words."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from softphone.testing import RunningPhone
from tests.audio.pulse_server import PulseServer, analyse, serving, tone
from tests.control.polling import until

pytestmark = pytest.mark.integration

NO_INVITE = "No call arrived after the push (no SIP INVITE within 2 s)"


def _cli(home: Path, profile: str, *argv: str, timeout: float = 60) -> dict[str, Any]:
    """``softphone --profile PROFILE ARGV...`` as a user runs it; its JSON output."""
    env = {**os.environ, "SOFTPHONE_HOME": str(home)}
    done = subprocess.run(
        [sys.executable, "-m", "softphone", "--profile", profile, *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, f"softphone {' '.join(argv)}: {done.stderr[-2000:]}"
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _until(check: Callable[[], Any], timeout: float = 15.0, what: str = "") -> Any:
    return until(check, what or str(check), timeout)


def _tone_on_speaker(pulse: PulseServer, freq: float) -> tuple[float, float] | None:
    """(frequency, dBFS) of half a second of the phone's speaker when ``freq`` dominates."""
    heard, level = analyse(pulse.record("spk.monitor", 0.5))
    return (heard, level) if abs(heard - freq) < 30 and level > -40 else None


@pytest.mark.covers("readme:push then answer", "readme:simulated caller")
def test_push_then_answer_talks_to_the_echo_line(
    softphone: Callable[..., RunningPhone], tmp_path: Path
) -> None:
    """The issue's acceptance check: `softphone push --preset quickblox --caller Alice`,
    then `softphone answer`: the call connects, `state` shows Alice, and a 1 kHz tone
    played into the microphone comes back from the echo line on the speaker."""
    with serving(tmp_path / "pulse") as pulse:
        phone = softphone()
        home = tmp_path / "softphone-home"
        sent = _cli(home, phone.profile, "push", "--preset", "quickblox", "--caller", "Alice")
        assert sent["status"] == 200 and sent["invite"]["sent"] is True, sent
        _cli(home, phone.profile, "answer")
        connected = phone.wait_for("call.connected", timeout=15)
        assert connected["call"] == sent["call"]
        state = _cli(home, phone.profile, "state")
        (call,) = state["calls"]
        assert (call["uuid"], call["state"], call["connected"]) == (sent["call"], "active", True)
        assert call["name"] == "Alice" and not call["outgoing"]

        player = pulse.play("micfeed", tone(1000, 20, 10 ** (-10 / 20)))
        try:
            freq, level = _until(
                lambda: _tone_on_speaker(pulse, 1000),
                timeout=20,
                what="the 1 kHz tone back from the echo line on the speaker",
            )
        finally:
            player.kill()
            player.wait(5)
        assert abs(freq - 1000) < 30 and level > -40
        _cli(home, phone.profile, "hangup")
        phone.wait_for("call.ended", timeout=10)


@pytest.mark.covers("readme:push presets")
def test_every_preset_followed_by_answer_connects(
    softphone: Callable[..., RunningPhone], tmp_path: Path
) -> None:
    """Each preset's push is followed by the simulated caller's INVITE (From the pushed
    caller's name, as the session export's SIP ladder shows), matched to the pushed call
    (by Call-ID for Flexisip, whose payload carries it; else as the only call waiting),
    and answering connects it."""
    phone = softphone()
    invites: dict[str, str] = {}
    for preset in ("quickblox", "sinch", "stream", "flexisip", "twilio"):
        caller = f"Caller {preset}"
        sent = phone.push(preset=preset, caller=caller)
        assert sent["status"] == 200 and sent["invite"]["sent"] is True, (preset, sent)
        matched = phone.wait_for("call.invite-matched", timeout=10)
        assert matched["call"] == sent["call"], preset
        invites[caller] = sent["invite"]["sip_call_id"]
        if preset == "flexisip":  # the INVITE's Call-ID is the one in the push
            assert sent["payload"]["call-id"] == sent["invite"]["sip_call_id"]
            assert matched["data"]["sip_call_id"] == sent["invite"]["sip_call_id"]
        phone.answer()
        assert phone.wait_for("call.connected", timeout=10)["call"] == sent["call"]
        (call,) = phone.state()["calls"]
        assert (call["state"], call["name"]) == ("active", caller), preset
        phone.hangup()
        phone.wait_for("call.ended", timeout=10)
        _until(lambda: not phone.state()["calls"], what="the call is gone")
    phone.export(str(tmp_path / "session.json"))
    ladder = json.loads((tmp_path / "session.json").read_text())["sip"]
    for caller, sip_call_id in invites.items():
        received = [
            m
            for m in ladder
            if m["direction"] == "received"
            and m["first_line"].startswith("INVITE ")
            and m["sip_call_id"] == sip_call_id
        ]
        assert received, f"no INVITE {sip_call_id} in the SIP ladder"
        for invite in received:  # with its retransmissions, if any
            assert f'From: "{caller}" <sip:' in invite["text"], invite["text"][:400]


@pytest.mark.covers("readme:push --no-call", "readme:invite-timeout")
def test_push_without_a_call_ends_with_a_plain_reason(
    softphone: Callable[..., RunningPhone], tmp_path: Path
) -> None:
    """`softphone push --no-call` then nothing: after the invite timeout the call ends,
    and the event, `state`, and Recents say in plain words that no call arrived."""
    phone = softphone()
    home = tmp_path / "softphone-home"
    _cli(home, phone.profile, "inject", "invite-timeout", "--option", "seconds=2")
    sent = _cli(home, phone.profile, "push", "--no-call", "--caller", "Bob")
    assert sent["status"] == 200 and sent["invite"] == {"sent": False, "why": "call: false"}
    incoming = phone.wait_for("call.incoming", timeout=10)
    assert incoming["data"]["via"] == "push"
    ended = _cli(home, phone.profile, "wait-for", "call.ended", "--timeout", "10")
    assert ended["call"] == incoming["call"]
    assert ended["data"]["reason"] == NO_INVITE
    failed = phone.wait_for("call.failed", timeout=5)
    assert failed["data"]["reason"] == NO_INVITE and failed["data"]["rule"] == "invite-timeout"
    state = _cli(home, phone.profile, "state")
    assert state["calls"] == []
    assert state["ended"][-1]["call"] == incoming["call"]
    assert state["ended"][-1]["reason"] == NO_INVITE and state["ended"][-1]["name"] == "Bob"
    rows = _until(lambda: _cli(home, phone.profile, "recents")["recents"], what="a Recents row")
    assert rows[0]["name"] == "Bob" and rows[0]["end_reason"] == NO_INVITE


@pytest.mark.covers("readme:lab push console")
async def test_the_lab_push_console_rings_a_call_that_connects(
    qapp: object, tmp_path: Path
) -> None:
    """The Settings Lab's push console pushes; answering from the screens connects the
    call and the echo line's audio comes back. With "Caller's INVITE Follows" off the
    push comes alone and one banner says in plain words that no call arrived."""
    from softphone.phone.probe import ToneProbeBridge
    from softphone.phone.runtime import PhoneRuntime
    from softphone.settings import Settings
    from softphone.sip.pjsua import create_engine
    from softphone.ui._runner import AsyncioTaskRunner
    from softphone.ui.lab_viewmodel import LabViewModel
    from softphone.ui.phone_service import RuntimePhoneService
    from softphone.ui.service import CallState

    runtime = PhoneRuntime(create_engine(), Settings(), push_dir=tmp_path / "apns")
    await runtime.start()
    try:
        probe = ToneProbeBridge()
        runtime.engine.set_audio_bridge(probe)
        service = RuntimePhoneService(runtime)
        lab = LabViewModel(service, AsyncioTaskRunner())
        lab.run("push")
        await _async_until(lambda: "INVITE follows" in str(lab.property("result")))
        assert "APNs 200" in str(lab.property("result"))
        await _async_until(lambda: [c for c in service.calls() if c.state is CallState.INCOMING])
        (ringing,) = service.calls()
        assert ringing.display_name == "Lab caller"
        await service.answer(ringing.uuid)  # the call screen's slide to answer
        await _async_until(lambda: service.calls()[0].state is CallState.ACTIVE)
        await _async_until(lambda: probe.received_level() > 0.1, what="the echo of the tone")
        await service.end(ringing.uuid)
        await _async_until(lambda: not service.calls())

        lab.run("invite-timeout")  # the Lab's "INVITE Never Comes (2 s)"
        lab.toggleFollowWithCall()  # "Caller's INVITE Follows: Off"
        assert lab.property("followWithCall") is False
        lab.run("push")
        await _async_until(lambda: "no INVITE (call: false)" in str(lab.property("result")))
        await _async_until(
            lambda: any(
                e.detail == "No call arrived after the push (no SIP INVITE within 2 s)"
                for e in service.errors()
            ),
            what="the banner",
        )
        assert [e.title for e in service.errors()].count("Call Failed") == 1
    finally:
        await runtime.stop()


async def _async_until(check: Callable[[], Any], timeout: float = 15.0, what: str = "") -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        if loop.time() > deadline:
            raise AssertionError(f"not within {timeout:g} s: {what or check}")
        await asyncio.sleep(0.05)


@pytest.mark.covers("readme:demo")
def test_the_demo_tour_passes(tmp_path: Path) -> None:
    """`softphone --headless --demo` (whose push step now relies on the caller's INVITE
    following the push) exits 0 with every step passed."""
    env = {**os.environ, "SOFTPHONE_HOME": str(tmp_path / "home")}
    done = subprocess.run(
        [sys.executable, "-m", "softphone", "--headless", "--demo"],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "[PASS] VoIP push wake-up" in done.stdout and "demo passed" in done.stdout
