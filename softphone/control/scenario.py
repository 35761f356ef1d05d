"""Scenario files: replay a sequence of commands on one or more phones, check the
expected events, and report pass or fail.

A scenario is TOML::

    name = "call and DTMF"
    [phones]
    a = "alice"          # phone name = profile of a running Softphone
    b = "bob"

    [[steps]]
    phone = "a"
    do = "call"
    to = "sip:bob@127.0.0.1:5062"

    [[steps]]
    phone = "b"
    expect = "call.incoming"     # wait-for this event
    timeout = 5

    [[steps]]
    phone = "a"
    do = "answer"
    expect_error = "conflict"    # the command must fail with this code

Every key of a ``do`` step other than ``phone``/``do``/``expect_error``/``name`` is a
parameter of the command.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from softphone.control._commands import BY_NAME
from softphone.control.client import ControlClient, ControlClientError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

_STEP_KEYS = {"phone", "do", "expect", "timeout", "expect_error", "name"}


class ScenarioError(ValueError):
    """The scenario file is malformed; the message names the step and the key."""


@dataclass(frozen=True)
class Step:
    """One step: a command (``do``) or an expected event (``expect``)."""

    index: int
    phone: str
    do: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)
    expect: str = ""
    timeout: float = 10.0
    expect_error: str = ""
    name: str = ""

    def describe(self) -> str:
        what = f"{self.do} {json.dumps(dict(self.params))}" if self.do else f"expect {self.expect}"
        return self.name or f"{self.phone}: {what}"


@dataclass(frozen=True)
class Scenario:
    """A parsed scenario file."""

    name: str
    phones: Mapping[str, str]
    steps: tuple[Step, ...]


@dataclass
class StepResult:
    """What happened at one step."""

    index: int
    description: str
    passed: bool
    seconds: float
    detail: str = ""
    result: Any = None


@dataclass
class Report:
    """The outcome of a scenario run."""

    scenario: str
    passed: bool
    steps: list[StepResult]

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, default=str)

    def to_text(self) -> str:
        lines = [f"Scenario: {self.scenario}"]
        for s in self.steps:
            mark = "PASS" if s.passed else "FAIL"
            lines.append(
                f"  [{mark}] {s.index + 1:>2}. {s.description} ({s.seconds * 1000:.0f} ms)"
            )
            if s.detail:
                lines.append(f"         {s.detail}")
        failed = sum(not s.passed for s in self.steps)
        lines.append(f"{len(self.steps) - failed} passed, {failed} failed")
        return "\n".join(lines)


def load_scenario(path: Path) -> Scenario:
    """Parse and validate a scenario file; raise :class:`ScenarioError` with the reason."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ScenarioError(f"{path}: {exc}") from exc
    return parse_scenario(data, str(path))


def parse_scenario(data: Mapping[str, Any], source: str = "scenario") -> Scenario:
    """Validate a scenario given as a dict (parsed TOML)."""
    phones = data.get("phones")
    if not isinstance(phones, dict) or not phones:
        raise ScenarioError(f"{source}: [phones] must map phone names to profiles")
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise ScenarioError(f"{source}: needs at least one [[steps]] entry")
    steps = tuple(_step(i, s, phones, source) for i, s in enumerate(raw_steps))
    return Scenario(
        str(data.get("name", source)), {str(k): str(v) for k, v in phones.items()}, steps
    )


def _step(index: int, raw: object, phones: Mapping[str, Any], source: str) -> Step:
    where = f"{source}: step {index + 1}"
    if not isinstance(raw, dict):
        raise ScenarioError(f"{where}: must be a table")
    phone = raw.get("phone")
    if phone not in phones:
        raise ScenarioError(f"{where}: phone {phone!r} is not one of {sorted(phones)}")
    do, expect = str(raw.get("do", "")), str(raw.get("expect", ""))
    if bool(do) == bool(expect):
        raise ScenarioError(f"{where}: give exactly one of 'do' or 'expect'")
    params = {k: v for k, v in raw.items() if k not in _STEP_KEYS}
    if do:
        command = BY_NAME.get(do)
        if command is None or do == "wait-for":
            raise ScenarioError(f"{where}: unknown command {do!r}")
        unknown = sorted(set(params) - set(command.params))
        if unknown:
            raise ScenarioError(f"{where}: {do} has no parameter(s) {', '.join(unknown)}")
    elif params:
        raise ScenarioError(f"{where}: an expect step takes only 'timeout'")
    timeout = raw.get("timeout", 10.0)
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
        raise ScenarioError(f"{where}: timeout must be a positive number")
    return Step(
        index,
        str(phone),
        do,
        params,
        expect,
        float(timeout),
        str(raw.get("expect_error", "")),
        str(raw.get("name", "")),
    )


ClientFactory = Callable[[str], ControlClient]


def run_scenario(
    scenario: Scenario, client_for: ClientFactory = ControlClient.for_profile
) -> Report:
    """Run every step in order; stop at the first failure (later steps are reported)."""
    clients: dict[str, ControlClient] = {}
    results: list[StepResult] = []
    failed = False
    for step in scenario.steps:
        if failed:
            results.append(StepResult(step.index, step.describe(), False, 0.0, "not run"))
            continue
        start = time.monotonic()
        try:
            client = clients.get(step.phone) or clients.setdefault(
                step.phone, client_for(scenario.phones[step.phone])
            )
            passed, detail, value = _run_step(client, step)
        except ControlClientError as exc:
            passed, detail, value = False, f"{exc.status} {exc.code}: {exc.message}", None
        results.append(
            StepResult(step.index, step.describe(), passed, time.monotonic() - start, detail, value)
        )
        failed = not passed
    return Report(scenario.name, not failed, results)


def _run_step(client: ControlClient, step: Step) -> tuple[bool, str, Any]:
    if step.expect:
        return True, "", client.wait_for(step.expect, step.timeout)
    try:
        value = client.request(step.do, **step.params)
    except ControlClientError as exc:
        if step.expect_error and exc.code == step.expect_error:
            return True, f"failed as expected: {exc.message}", None
        raise
    if step.expect_error:
        return False, f"expected error {step.expect_error!r} but it succeeded", value
    return True, "", value
