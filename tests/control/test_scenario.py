"""Scenario files: validated strictly, replayed in order, reported pass/fail per step."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from softphone.control import ConflictError, ControlClient, WaitTimeoutError
from softphone.control.scenario import ScenarioError, load_scenario, parse_scenario, run_scenario
from tests.control.test_server import ServerThread

GOOD = """
name = "answer then DTMF"
[phones]
a = "alice"

[[steps]]
phone = "a"
expect = "call.incoming"
timeout = 2

[[steps]]
phone = "a"
do = "answer"

[[steps]]
phone = "a"
do = "answer"
expect_error = "conflict"

[[steps]]
phone = "a"
do = "dtmf"
digits = "1234#"
"""


class ScriptedPhone:
    """Rings once, then behaves like a phone with one call."""

    def __init__(self) -> None:
        self.ringing = True
        self.log: list[str] = []

    async def execute(self, command: str, params: Mapping[str, Any]) -> dict[str, Any]:
        self.log.append(command)
        if command == "wait-for":
            if params["event"] == "call.incoming" and self.ringing:
                return {"event": "call.incoming"}
            raise WaitTimeoutError(f"no {params['event']} within {params.get('timeout')} s")
        if command == "answer":
            if not self.ringing:
                raise ConflictError("there is no ringing call to answer")
            self.ringing = False
        return {"done": command}


class TestParse:
    def test_good_file(self, tmp_path: Path) -> None:
        """A valid file parses into steps with their parameters."""
        path = tmp_path / "s.toml"
        path.write_text(GOOD)
        s = load_scenario(path)
        assert s.phones == {"a": "alice"}
        assert [st.do or st.expect for st in s.steps] == [
            "call.incoming",
            "answer",
            "answer",
            "dtmf",
        ]
        assert s.steps[3].params == {"digits": "1234#"}

    @pytest.mark.parametrize(
        ("data", "why"),
        [
            ({"steps": [{"phone": "a", "do": "state"}]}, "phones"),
            ({"phones": {"a": "x"}}, "at least one"),
            ({"phones": {"a": "x"}, "steps": [{"phone": "b", "do": "state"}]}, "not one of"),
            ({"phones": {"a": "x"}, "steps": [{"phone": "a"}]}, "exactly one"),
            ({"phones": {"a": "x"}, "steps": [{"phone": "a", "do": "fly"}]}, "unknown command"),
            ({"phones": {"a": "x"}, "steps": [{"phone": "a", "do": "dtmf", "tone": 1}]}, "tone"),
            (
                {"phones": {"a": "x"}, "steps": [{"phone": "a", "expect": "e", "timeout": -1}]},
                "timeout must be a finite number between",
            ),
        ],
    )
    def test_bad_scenarios_name_the_problem(self, data: dict[str, Any], why: str) -> None:
        """Malformed scenarios are refused with the step and the reason."""
        with pytest.raises(ScenarioError, match=why):
            parse_scenario(data)

    def test_bad_toml(self, tmp_path: Path) -> None:
        """A file that is not TOML is a ScenarioError naming the file."""
        path = tmp_path / "bad.toml"
        path.write_text("[[steps]\n")
        with pytest.raises(ScenarioError, match=r"bad\.toml"):
            load_scenario(path)


class TestRun:
    def test_passes_and_reports_each_step(self, tmp_path: Path) -> None:
        """All steps pass against a phone that behaves; the report lists each one."""
        phone = ScriptedPhone()
        with ServerThread(phone) as server:  # type: ignore[arg-type]
            path = tmp_path / "s.toml"
            path.write_text(GOOD)
            report = run_scenario(
                load_scenario(path), lambda _: ControlClient(server.url, server.token)
            )
        assert report.passed, report.to_text()
        assert [s.passed for s in report.steps] == [True] * 4
        assert phone.log == ["wait-for", "answer", "answer", "dtmf"]
        assert "4 passed, 0 failed" in report.to_text()

    def test_failure_stops_and_is_reported(self) -> None:
        """A missing event fails its step; later steps are marked not run."""
        phone = ScriptedPhone()
        phone.ringing = False
        scenario = parse_scenario(
            {
                "phones": {"a": "alice"},
                "steps": [
                    {"phone": "a", "expect": "call.incoming", "timeout": 0.1},
                    {"phone": "a", "do": "hangup"},
                ],
            }
        )
        with ServerThread(phone) as server:  # type: ignore[arg-type]
            report = run_scenario(scenario, lambda _: ControlClient(server.url, server.token))
        assert not report.passed
        assert report.steps[0].detail.startswith("408 timeout")
        assert report.steps[1].detail == "not run"
        assert phone.log == ["wait-for"]
        assert '"passed": false' in report.to_json()
