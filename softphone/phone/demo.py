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
        return bool(self.results) and all(r.ok for r in self.results) and len(
            self.results
        ) == len(self.steps)

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
