"""``softphone --demo``: a scripted tour of a running phone that passes or fails.

It calls the embedded echo line, checks that audio comes back, sends DTMF, holds and
resumes, hangs up, then has the simulated caller ring this phone through the VoIP push
wake-up path (when push is available) and answers. Each step is timed and reported;
the process exits 0 only when every step passed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from softphone.phone.probe import ToneProbeBridge
from softphone.phone.runtime import PhoneRuntime
from softphone.recents import RecentsStatus

StepFn = Callable[[], Awaitable[str]]


@dataclass
class StepResult:
    """One step of the tour: its name, whether it passed, what it saw, how long it took."""

    name: str
    ok: bool
    detail: str
    seconds: float


@dataclass
class Tour:
    """An ordered list of named async steps; a failed step stops the tour."""

    steps: list[tuple[str, StepFn]] = field(default_factory=list)
    results: list[StepResult] = field(default_factory=list)
    step_timeout: float = 20.0
    on_step: Callable[[StepResult], None] | None = None

    def add(self, name: str, fn: StepFn) -> None:
        self.steps.append((name, fn))

    async def run(self) -> bool:
        for name, fn in self.steps:
            started = time.monotonic()
            try:
                detail = await asyncio.wait_for(fn(), self.step_timeout)
                result = StepResult(name, True, detail, time.monotonic() - started)
            except Exception as exc:  # a step's failure is the tour's result, not a crash
                text = str(exc) or type(exc).__name__
                result = StepResult(name, False, text, time.monotonic() - started)
            self.results.append(result)
            if self.on_step is not None:
                self.on_step(result)
            if not result.ok:
                return False
        return True

    @property
    def passed(self) -> bool:
        return (
            bool(self.results)
            and all(r.ok for r in self.results)
            and len(self.results) == len(self.steps)
        )

    def report(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "steps": [
                {"name": r.name, "ok": r.ok, "detail": r.detail, "seconds": round(r.seconds, 3)}
                for r in self.results
            ],
            "skipped": [name for name, _ in self.steps[len(self.results) :]],
        }


def format_result(result: StepResult) -> str:
    mark = "PASS" if result.ok else "FAIL"
    return f"[{mark}] {result.name} ({result.seconds * 1000:.0f} ms): {result.detail}"


def build_tour(runtime: PhoneRuntime, probe: ToneProbeBridge | None = None) -> Tour:
    """The README's smoke test: every step uses the real system, app, engine and line."""
    control = runtime.control
    tour = Tour()

    async def line_ready() -> str:
        if runtime.test_line is None:
            problems = "; ".join(runtime.problems)
            raise RuntimeError(f"the embedded test line is not running: {problems}")
        host, port = runtime.engine.local_address("udp")
        return f"phone on {host}:{port}, test line at {runtime.test_line.uri}"

    async def call_echo() -> str:
        await control.execute("call", {"to": "echo"})
        await control.execute("wait-for", {"event": "call.ringing", "timeout": 10})
        await control.execute("wait-for", {"event": "call.connected", "timeout": 10})
        return "ringing, then connected"

    async def echo_audio() -> str:
        if probe is None:
            return "audio goes to the sound devices (not measured)"
        await asyncio.sleep(0.8)
        level = probe.received_level()
        if level < 0.05:
            raise RuntimeError(f"the 1 kHz tone did not come back (level {level:.3f})")
        return f"1 kHz tone sent at 0.30, echoed back at {level:.2f}"

    async def dtmf() -> str:
        assert runtime.test_line is not None
        start = len(runtime.test_line.events)
        await control.execute("dtmf", {"digits": "1234#"})
        for digit in "1234#":
            await runtime.test_line.wait_for("dtmf", after=start, digit=digit)
        return "the line received 1 2 3 4 # (RFC 4733)"

    async def hold() -> str:
        assert runtime.test_line is not None
        start = len(runtime.test_line.events)
        await control.execute("hold", {"on": True})
        await control.execute("wait-for", {"event": "call.held"})
        await runtime.test_line.wait_for("held", after=start)
        await control.execute("hold", {"on": False})
        await control.execute("wait-for", {"event": "call.resumed"})
        if probe is not None:
            await asyncio.sleep(0.8)
            level = probe.received_level(0.4)
            if level < 0.05:
                raise RuntimeError(f"no audio after resuming (echo level {level:.3f})")
            return f"held (the line saw sendonly), resumed, echo back at {level:.2f}"
        return "held (the line saw sendonly) and resumed"

    async def end() -> str:
        await control.execute("hangup", {})
        await control.execute("wait-for", {"event": "call.ended"})
        return "hung up"

    async def incoming() -> str:
        assert runtime.test_line is not None
        host, port = runtime.engine.local_address("udp")
        await runtime.test_line.ring(f"sip:demo@{host}:{port}")
        await control.execute("wait-for", {"event": "call.incoming"})
        await control.execute("answer", {})
        await control.execute("wait-for", {"event": "call.connected"})
        await control.execute("hangup", {})
        await control.execute("wait-for", {"event": "call.ended"})
        return "the simulated caller rang, we answered and hung up"

    async def push_wake_up() -> str:
        if runtime.push is None or runtime.test_line is None:
            raise RuntimeError("push wake-up is not running: " + "; ".join(runtime.problems))
        await control.execute("inject", {"fault": "suspend-app"})
        sent = await control.execute("push", {"preset": "flexisip", "caller": "Test Line"})
        if sent["status"] != 200:
            raise RuntimeError(f"APNs emulator answered {sent['status']} {sent.get('reason')}")
        if not sent["invite"]["sent"]:
            raise RuntimeError(f"the simulated caller sent no INVITE: {sent['invite']['why']}")
        await control.execute("wait-for", {"event": "call.incoming"})
        matched = await control.execute("wait-for", {"event": "call.invite-matched"})
        if (matched["call"], matched["data"]["sip_call_id"]) != (
            sent["call"],
            sent["invite"]["sip_call_id"],
        ):
            raise RuntimeError(f"the INVITE was matched to another call: {matched}")
        await control.execute("answer", {})
        await control.execute("wait-for", {"event": "call.connected"})
        heard = ""
        if probe is not None:
            await asyncio.sleep(0.8)
            level = probe.received_level()
            if level < 0.05:
                raise RuntimeError(f"no echo on the pushed call (level {level:.3f})")
            heard = f", echo back at {level:.2f}"
        await control.execute("hangup", {})
        await control.execute("wait-for", {"event": "call.ended"})
        await control.execute("inject", {"fault": "foreground-app"})
        return (
            f"suspended app woken by a VoIP push (APNs {sent['status']}, id {sent['apns_id']}), "
            f"call reported before the caller's INVITE (matched by Call-ID), answered{heard}"
        )

    async def recents() -> str:
        if runtime.recents is None:
            return "no Recents store in this run"
        await asyncio.sleep(0.1)
        groups = runtime.recents.page().groups
        statuses = [RecentsStatus(g.entries[0].record.status).value for g in groups]
        for wanted in ("outgoing", "incoming"):
            if wanted not in statuses:
                raise RuntimeError(f"Recents lacks an {wanted} entry: {statuses}")
        return f"Recents lists {len(statuses)} rows: {', '.join(statuses[:4])}"

    tour.add("test line ready", line_ready)
    tour.add("call the echo line", call_echo)
    tour.add("hear the echo", echo_audio)
    tour.add("send DTMF", dtmf)
    tour.add("hold and resume", hold)
    tour.add("hang up", end)
    tour.add("answer the simulated caller", incoming)
    tour.add("VoIP push wake-up", push_wake_up)
    tour.add("the calls are in Recents", recents)
    return tour
