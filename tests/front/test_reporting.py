"""Truthful reporting: what the phone says (events, ``state``, Recents, answers to
commands) is what happened on the wire. Real headless phones driven through the
control API and the CLI against SIPp peers and plain sockets on loopback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from softphone.control import ControlClientError
from softphone.sip.testline import free_udp_port
from softphone.testing import RunningPhone, start_phone, stop_phone
from tests.audio.pulse_server import PulseServer
from tests.control.polling import until
from tests.sip import scenarios as sc

pytestmark = pytest.mark.integration

Phone = Callable[..., RunningPhone]


# ---- helpers ------------------------------------------------------------------------


class SippRun:
    """One SIPp process (UAS when ``target`` is None), its output in ``workdir``."""

    def __init__(self, scenario: str, workdir: Path, target: str | None = None) -> None:
        self.port = free_udp_port()
        self.dir = workdir / f"sipp-{self.port}"
        self.dir.mkdir(parents=True)
        (self.dir / "scenario.xml").write_text(scenario)
        args = ["sipp"] + ([target] if target else [])
        args += ["-i", "127.0.0.1", "-p", str(self.port), "-m", "1", "-sf", "scenario.xml"]
        args += ["-s", "phone", "-trace_err", "-nostdin", "-timeout", "40s", "-timeout_error"]
        args += ["-mi", "127.0.0.1", "-mp", str(free_udp_port())]
        self.out = open(self.dir / "out.txt", "wb")  # noqa: SIM115 - closed in wait()
        self.proc = subprocess.Popen(args, cwd=self.dir, stdout=self.out, stderr=subprocess.STDOUT)
        if target is None:
            _until(lambda: _udp_bound(self.port), 5, "SIPp to bind")

    @property
    def uri(self) -> str:
        return f"sip:phone@127.0.0.1:{self.port}"

    def expect_success(self, timeout: float = 40) -> None:
        try:
            rc = self.proc.wait(timeout)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
            self.out.close()
        errors = "".join(p.read_text(errors="replace") for p in self.dir.glob("*_errors.log"))
        assert rc == 0, f"sipp exit {rc}: {errors[-2000:]}"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.out.close()


def _udp_bound(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def _until(check: Callable[[], Any], timeout: float = 15.0, what: str = "") -> Any:
    return until(check, what or str(check), timeout)


@pytest.fixture
def sipp(tmp_path: Path) -> Iterator[Callable[..., SippRun]]:
    runs: list[SippRun] = []

    def start(scenario: str, target: str | None = None) -> SippRun:
        runs.append(SippRun(scenario, tmp_path, target))
        return runs[-1]

    yield start
    for run in runs:
        run.stop()


def _phone_address(phone: RunningPhone) -> str:
    return str(phone.state()["sip"]["udp"])


def _cli(phone: RunningPhone, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m softphone --profile P <args>`` against the running phone."""
    home = str(Path(phone.log_path).parent)
    env = {**os.environ, "SOFTPHONE_HOME": home}
    cmd = [sys.executable, "-m", "softphone", "--profile", phone.profile, *args]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)


def _no_event(phone: RunningPhone, name: str) -> bool:
    """True when ``name`` never happened (events are kept: a short wait sees old ones)."""
    try:
        phone.wait_for(name, timeout=0.2)
    except ControlClientError as exc:
        return exc.status == 408
    return False


def _uas_183_then_cancel(sdp_in_183: bool) -> str:
    """Answer an INVITE with 183 (with or without SDP), never answer, accept the CANCEL."""
    progress = sc._resp(183, "Session Progress", sc.sdp() if sdp_in_183 else "")
    return (
        sc.HEAD.format(name="uas-183-cancel")
        + '  <recv request="INVITE" crlf="true">\n'
        + '    <action><ereg regexp="CSeq: *[0-9]+" search_in="msg" assign_to="cs"/>'
        + "</action>\n  </recv>\n"
        + progress
        + '  <recv request="CANCEL"/>\n'
        + sc._resp(200, "OK")
        + sc._resp(487, "Request Terminated", cseq="[$cs] INVITE")
        + '  <recv request="ACK"/>\n'
        + sc.TAIL
    )


def _in_dialog_invite(cseq: int, direction: str) -> str:
    return (
        sc._in_dialog("INVITE", cseq, sc.sdp(direction), "application/sdp")
        + '  <recv response="100" optional="true"/>\n'
        + '  <recv response="200"/>\n'
        + sc._ack(cseq)
    )


# ---- 1. end reasons and Recents statuses --------------------------------------------


@pytest.mark.covers("readme:end reasons", "sip.tcp_port")
def test_a_peer_that_never_responds_is_no_response_not_unanswered(softphone: Phone) -> None:
    """A TCP peer that takes the INVITE and never answers (timer B): the call ends as
    "no response" with 408, not "unanswered", and Recents says so (not "cancelled")."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(4)  # the kernel accepts; nobody ever reads or answers
    port = silent.getsockname()[1]
    try:
        phone = softphone(settings_toml="[sip]\ntcp_port = 0\n")
        placed = phone.call(f"sip:nobody@127.0.0.1:{port};transport=tcp")
        ended = phone.wait_for("call.ended", timeout=45)
    finally:
        silent.close()
    assert ended["call"] == placed["call"]
    data = ended["data"]
    assert (data["outcome"], data["code"]) == ("no_response", 408), data
    assert data["reason"].startswith("no response"), data
    assert data["ended_reason"] == "failed"  # CallKit's reason: an error, not "unanswered"
    assert {"call": placed["call"], "outcome": "no_response"}.items() <= phone.state()["ended"][
        -1
    ].items()
    row = _until(lambda: phone.recents()["recents"], 5, "the Recents entry")[0]
    assert (row["direction"], row["status"]) == ("outgoing", "no_response"), row


@pytest.mark.covers("readme:end reasons")
def test_busy_and_our_cancel_are_told_apart(softphone: Phone, sipp: Callable[..., SippRun]) -> None:
    """A 486 from the callee is "busy" in the event and Recents; hanging up our own
    ringing call is "cancelled"."""
    phone = softphone()
    busy = sipp(sc.uas_status(486, "Busy Here"))
    phone.call(busy.uri)
    ended = phone.wait_for("call.ended", timeout=10)["data"]
    assert (ended["outcome"], ended["code"], ended["reason"]) == (
        "busy",
        486,
        "busy (486 Busy Here)",
    )
    busy.expect_success()
    ringing = sipp(sc.uas_ring_until_cancel())
    placed = phone.call(ringing.uri)
    phone.wait_for("call.ringing", timeout=10)
    phone.hangup(call=placed["call"])
    cancelled = phone.wait_for("call.ended", timeout=10)["data"]
    assert (cancelled["by"], cancelled["outcome"]) == ("local", "cancelled"), cancelled
    ringing.expect_success()
    rows = _until(lambda: len(phone.recents()["recents"]) == 2 and phone.recents(), 5, "2 rows")
    assert [r["status"] for r in rows["recents"]] == ["cancelled", "busy"]


@pytest.mark.covers("readme:end reasons", "calls.unanswered_timeout")
def test_a_call_nobody_answers_is_unanswered_on_both_sides(
    softphone: Phone, sipp: Callable[..., SippRun]
) -> None:
    """An incoming call rings past ``calls.unanswered_timeout``: the caller gets 480 (not a
    603 "declined"), the event says "unanswered" and Recents has a missed call."""
    phone = softphone(settings_toml="[calls]\nunanswered_timeout = 5\n")
    caller = sipp(sc.uac_expect_status(480), target=_phone_address(phone))
    incoming = phone.wait_for("call.incoming", timeout=10)
    ended = phone.wait_for("call.ended", timeout=15)
    assert ended["call"] == incoming["call"]
    assert (ended["data"]["outcome"], ended["data"]["code"]) == ("unanswered", 480), ended
    caller.expect_success()  # 480 Temporarily Unavailable on the wire
    row = _until(lambda: phone.recents()["recents"], 5, "the Recents entry")[0]
    assert (row["direction"], row["status"], row["missed"]) == ("incoming", "missed", True)


# ---- 2. a command that lost a race ---------------------------------------------------


@pytest.mark.covers("readme:answer after cancel")
def test_answer_after_the_callers_cancel_is_409_saying_so(
    softphone: Phone, sipp: Callable[..., SippRun]
) -> None:
    """The caller CANCELs while the phone rings: ``answer`` (with or without the call's
    id) is a 409 saying the caller hung up, never 200; ``hangup``/``hold`` of that call
    say it already ended."""
    phone = softphone()
    caller = sipp(sc.uac_cancel(ring_ms=200), target=_phone_address(phone))
    incoming = phone.wait_for("call.incoming", timeout=10)
    phone.wait_for("call.ended", timeout=10)
    caller.expect_success()
    with pytest.raises(ControlClientError) as by_id:
        phone.answer(call=incoming["call"])
    assert by_id.value.status == 409
    assert "the caller hung up (CANCEL) before the answer" in str(by_id.value)
    cli = _cli(phone, "answer")
    assert cli.returncode != 0
    assert "the caller hung up (CANCEL) before the answer" in cli.stderr + cli.stdout
    for late_command in (
        lambda: phone.hangup(call=incoming["call"]),
        lambda: phone.hold(on=True, call=incoming["call"]),
    ):
        with pytest.raises(ControlClientError) as late:
            late_command()
        assert late.value.status == 409
        assert "the caller hung up (CANCEL) before the answer" in str(late.value)


# ---- 3. remote hold is a state; our hold is not the remote's ------------------------


@pytest.mark.covers("readme:remote hold", "readme:hold")
def test_our_own_hold_and_resume_emit_no_remote_events(
    softphone: Phone, sipp: Callable[..., SippRun]
) -> None:
    """Holding and resuming a call ourselves gives call.held/call.resumed, never
    call.remote-hold/-resume, and ``state`` never shows the remote end holding us."""
    phone = softphone()
    callee = sipp(sc.uas(sc.HOLD_MIDDLE))
    placed = phone.call(callee.uri)
    phone.wait_for("call.connected", timeout=10)
    phone.hold(on=True)
    phone.wait_for("call.held", timeout=10)
    assert not phone.state()["calls"][0].get("remote_hold")
    phone.hold(on=False)
    phone.wait_for("call.resumed", timeout=10)
    phone.hangup(call=placed["call"])
    phone.wait_for("call.ended", timeout=10)
    callee.expect_success()
    assert _no_event(phone, "call.remote-hold")
    assert _no_event(phone, "call.remote-resume")


@pytest.mark.covers("readme:remote hold")
def test_the_remote_end_holding_us_is_in_state(
    softphone: Phone, sipp: Callable[..., SippRun]
) -> None:
    """SIPp holds us (re-INVITE sendonly): ``state`` shows ``remote_hold`` and
    call.remote-hold fires; its resume (sendrecv) clears it with call.remote-resume."""
    phone = softphone()
    middle = (
        '  <pause milliseconds="200"/>\n'
        + _in_dialog_invite(2, "sendonly")
        + '  <pause milliseconds="2500"/>\n'
        + _in_dialog_invite(3, "sendrecv")
    )
    caller = sipp(sc.uac(middle, pause_ms=1500, next_cseq=4), target=_phone_address(phone))
    incoming = phone.wait_for("call.incoming", timeout=10)
    phone.answer(call=incoming["call"])
    held = phone.wait_for("call.remote-hold", timeout=10)
    assert held["call"] == incoming["call"]
    call = phone.state()["calls"][0]
    assert (call["remote_hold"], call["on_hold"]) == (True, False)
    phone.wait_for("call.remote-resume", timeout=10)
    assert phone.state()["calls"][0]["remote_hold"] is False
    phone.wait_for("call.ended", timeout=10)
    caller.expect_success()


# ---- 4. 183 without SDP is not early media -------------------------------------------


@pytest.fixture
def pulse(tmp_path: Path) -> Iterator[PulseServer]:
    server = PulseServer(tmp_path / "pulse").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.covers("readme:ringback")
def test_183_without_sdp_plays_local_ringback(
    tmp_path: Path, pulse: PulseServer, sipp: Callable[..., SippRun]
) -> None:
    """A callee answering 183 without SDP sends no audio: the caller's phone plays its
    own ringback on the speaker (only a 180/183 with SDP is early media)."""
    phone = start_phone(tmp_path / "home", "caller", extra_env={"PULSE_SERVER": pulse.server})
    try:
        callee = sipp(_uas_183_then_cancel(sdp_in_183=False))
        placed = phone.call(callee.uri)
        ringing = phone.wait_for("call.ringing", timeout=10)["data"]
        assert (ringing["code"], ringing["early_media"]) == (183, False)
        audio = _until(
            lambda: (
                (phone.state()["audio"] or {}).get("tone") == "ringback-us"
                and phone.state()["audio"]
            ),
            10,
            "ringback on the speaker",
        )
        assert audio["ringback"] is True
        phone.hangup(call=placed["call"])
        phone.wait_for("call.ended", timeout=10)
        callee.expect_success()
        _until(lambda: phone.state()["audio"]["tone"] != "ringback-us", 5, "ringback to stop")
    finally:
        stop_phone(phone)


# ---- 5. refused before ringing ------------------------------------------------------


def _invite_with_only(codec_pt: int, codec: str) -> str:
    """SIPp INVITE whose SDP offers a single codec the phone does not have; expects 488."""
    return (
        sc.uac_expect_status(488)
        .replace("RTP/AVP 0 101", f"RTP/AVP {codec_pt}")
        .replace("a=rtpmap:0 PCMU/8000", f"a=rtpmap:{codec_pt} {codec}")
        .replace("a=rtpmap:101 telephone-event/8000\n", "")
        .replace("a=fmtp:101 0-15\n", "")
    )


@pytest.mark.covers("readme:call.refused")
def test_an_invite_with_no_common_codec_is_refused_and_said(
    softphone: Phone, sipp: Callable[..., SippRun]
) -> None:
    """SIPp offers only G.729: 488 goes out on the wire, ``call.refused`` carries 488, the
    reason and the caller, and ``state`` lists the problem (the window's banner)."""
    phone = softphone()
    caller = sipp(_invite_with_only(18, "G729/8000"), target=_phone_address(phone))
    caller.expect_success()  # SIPp received the 488 it expects
    refused = phone.wait_for("call.refused", timeout=10)["data"]
    assert refused["status"] == 488, refused
    assert "no codec in common" in refused["reason"], refused
    assert refused["remote"].startswith("sip:sipp@127.0.0.1"), refused
    problems = phone.state()["problems"]
    assert any("488" in p and "sip:sipp@127.0.0.1" in p for p in problems), problems
    assert phone.state()["calls"] == []


# ---- 6. side effects never stop a transition -----------------------------------------


@pytest.mark.covers("readme:side effects", "readme:fault injection")
def test_a_failing_tone_stops_no_transition(softphone: Phone, sipp: Callable[..., SippRun]) -> None:
    """With every call sound failing (``inject side-effect-error``), a call still rings,
    connects and ends with every event, and ``state`` reports each failed sound."""
    phone = softphone()
    injected = _cli(phone, "inject", "side-effect-error", "--option", "effect=audio")
    assert injected.returncode == 0, injected.stderr
    callee = sipp(sc.uas())
    placed = phone.call(callee.uri)
    for name in ("call.outgoing", "call.ringing", "call.connected"):
        assert phone.wait_for(name, timeout=10)["call"] == placed["call"], name
    phone.hangup(call=placed["call"])
    ended = phone.wait_for("call.ended", timeout=10)
    assert (ended["call"], ended["data"]["outcome"]) == (placed["call"], "ended")
    callee.expect_success()
    problems = " | ".join(phone.state()["problems"])
    for sound in ("ringback", "activate", "end_tone"):
        assert f"audio {sound} failed: RuntimeError: injected failure" in problems, problems
    assert phone.state()["calls"] == []
