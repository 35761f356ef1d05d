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
from softphone.control._errors import InvalidParamsError
from softphone.control._validate import validate_params
from softphone.control.client import ControlClient, ControlClientError
from softphone.settings import ProfileError, validate_profile_name
from softphone.validation import finite_number

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


#: The largest scenario file read (bytes) and the most steps it may have.
MAX_FILE_SIZE = 1 << 20
MAX_STEPS = 10_000


def load_scenario(path: Path) -> Scenario:
    """Parse and validate a scenario file; raise :class:`ScenarioError` with the reason."""
    try:
        raw = path.read_bytes()
        if len(raw) > MAX_FILE_SIZE:
            raise ScenarioError(f"{path}: larger than {MAX_FILE_SIZE} bytes")
        data = tomllib.loads(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ScenarioError(f"{path}: {_one_line(exc)}") from exc
    except RecursionError:
        raise ScenarioError(f"{path}: nested too deeply") from None
    return parse_scenario(data, str(path))


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def parse_scenario(data: Mapping[str, Any], source: str = "scenario") -> Scenario:
    """Validate a scenario given as a dict (parsed TOML)."""
    if not isinstance(data, Mapping):
        raise ScenarioError(f"{source}: must be a TOML document")
    name = data.get("name", source)
    if not isinstance(name, str):
        raise ScenarioError(f"{source}: name must be a string")
    phones = data.get("phones")
    if not isinstance(phones, dict) or not phones:
        raise ScenarioError(f"{source}: [phones] must map phone names to profiles")
    for phone, profile in phones.items():
        if not isinstance(profile, str):
            raise ScenarioError(f"{source}: phones.{phone} must be a profile name (a string)")
        try:
            validate_profile_name(profile)
        except ProfileError as exc:
            raise ScenarioError(f"{source}: phones.{phone}: {_one_line(exc)}") from None
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise ScenarioError(f"{source}: needs at least one [[steps]] entry")
    if len(raw_steps) > MAX_STEPS:
        raise ScenarioError(f"{source}: more than {MAX_STEPS} steps")
    steps = tuple(_step(i, s, phones, source) for i, s in enumerate(raw_steps))
    return Scenario(name, dict(phones), steps)


def _text(where: str, raw: Mapping[str, Any], key: str, max_length: int = 256) -> str:
    value = raw.get(key, "")
    if not isinstance(value, str):
        raise ScenarioError(f"{where}: {key} must be a string")
    if len(value) > max_length:
        raise ScenarioError(f"{where}: {key} is longer than {max_length} characters")
    return value


def _step(index: int, raw: object, phones: Mapping[str, Any], source: str) -> Step:
    where = f"{source}: step {index + 1}"
    if not isinstance(raw, dict):
        raise ScenarioError(f"{where}: must be a table")
    phone = raw.get("phone")
    if not isinstance(phone, str) or phone not in phones:
        shown = phone if isinstance(phone, str) else _shown(phone)
        raise ScenarioError(f"{where}: phone {shown!r} is not one of {sorted(phones)}")
    do, expect = _text(where, raw, "do", 64), _text(where, raw, "expect", 64)
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
        try:
            validate_params(command, params)
        except InvalidParamsError as exc:
            if raw.get("expect_error") != InvalidParamsError.code:  # unless it is the test
                raise ScenarioError(f"{where}: {_one_line(exc)}") from None
    elif params:
        raise ScenarioError(f"{where}: an expect step takes only 'timeout'")
    try:
        timeout = finite_number("timeout", raw.get("timeout", 10.0), 0.001, 3600)
    except ValueError as exc:
        raise ScenarioError(f"{where}: {exc}") from None
    return Step(
        index,
        phone,
        do,
        params,
        expect,
        timeout,
        _text(where, raw, "expect_error", 64),
        _text(where, raw, "name"),
    )


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


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
        except Exception as exc:  # a broken endpoint file, a dropped connection...
            passed, detail, value = False, f"{type(exc).__name__}: {_one_line(exc)}", None
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
