"""`softphone scenario FILE` with malformed files: one line naming the problem, exit 2,
never a traceback (issue 17); and a hypothesis battery of generated files against a real
headless phone."""

from __future__ import annotations

import io
import math
import os
import subprocess
import sys
import time
from argparse import Namespace
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from softphone.control import cli_scenario
from tests.fuzz_counts import record

pytestmark = pytest.mark.covers("readme:scenario files")

_HEAD = '[phones]\na = "alice"\n'
MALFORMED = {
    "phone is a list": _HEAD + '[[steps]]\nphone = ["a"]\ndo = "state"\n',
    "profile with a slash": '[phones]\na = "../etc"\n[[steps]]\nphone = "a"\ndo = "state"\n',
    "profile not a string": '[phones]\na = 5\n[[steps]]\nphone = "a"\ndo = "state"\n',
    "timeout nan": _HEAD + '[[steps]]\nphone = "a"\nexpect = "call.ended"\ntimeout = nan\n',
    "timeout inf": _HEAD + '[[steps]]\nphone = "a"\nexpect = "call.ended"\ntimeout = inf\n',
    "timeout huge": _HEAD + '[[steps]]\nphone = "a"\nexpect = "x"\ntimeout = 1e300\n',
    "do not a string": _HEAD + '[[steps]]\nphone = "a"\ndo = 5\n',
    "name not a string": "name = [1]\n" + _HEAD + '[[steps]]\nphone = "a"\ndo = "state"\n',
    "option nan": _HEAD
    + '[[steps]]\nphone = "a"\ndo = "inject"\nfault = "push-delay"\noptions = {seconds = nan}\n',
    "param of wrong type": _HEAD + '[[steps]]\nphone = "a"\ndo = "dtmf"\ndigits = 1979-05-27\n',
    "deep nesting": _HEAD + "x = " + "[" * 5000 + "]" * 5000 + "\n",
    "not toml": "[[[\n",
    "not utf-8": None,
}


def _cli(home: Path, path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SOFTPHONE_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "softphone", "scenario", str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_scenario_is_one_line_and_exit_2(case: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    text = MALFORMED[case]
    path.write_bytes(b"\xff\xfe[phones]\n" if text is None else text.encode())
    done = _cli(tmp_path / "home", path)
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("softphone scenario: "), done.stderr


# ---- the battery ------------------------------------------------------------------------

_ODD = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.text(max_size=6),
    st.booleans(),
)
#: Lines a step may have: mostly sensible, some malformed (one spoils the whole file).
_DO_LINES = [
    'do = "state"',
    'do = "lock"\non = true',
    'do = "dnd"\non = false',
    'do = "recents"\nmissed = true\nlimit = 3',
    'do = "contacts"\nsearch = "Ann"',
    'do = "audio-devices"',
    'do = "inject"\nfault = "lock"\noptions = {on = false}',
    'do = "inject"\nfault = "invite-timeout"\noptions = {seconds = 3}',
    'do = "inject"\nfault = "max-call-groups"\noptions = {groups = 2}',
    'do = "answer"\nexpect_error = "conflict"',
    'do = "hangup"',  # no call: a 409, the step fails (exit 1)
    'do = "inject"\nfault = "no-such-fault"\nexpect_error = "not_found"',
    'expect = "x.never"\ntimeout = 0.005',
    'expect = "call.ended"\ntimeout = 0.01',
]
_ODD_LINES = [
    'do = "fly"',
    'do = "wait-for"\nevent = "x"',
    "do = 5",
    'do = "state"\nexpect = "x"',
    'expect = "x"\ntimeout = nan',
    'expect = "x"\ntimeout = -inf',
    'expect = "x"\ntimeout = 1e300',
    'do = "inject"\nfault = "invite-timeout"\noptions = {seconds = inf}',
    'do = "recents"\nlimit = 1.5',
    'do = "dtmf"\ndigits = 1979-05-27',
    'do = "lock"',
    "zz = [[1], {a = 2}]",
    "expect_error = 1",
]


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, int):
        return str(value)
    return '"' + value.encode("unicode_escape").decode("ascii").replace('"', '\\"') + '"'


@st.composite
def scenario_texts(draw: Any) -> str:
    lines = []
    if draw(st.integers(0, 9)) == 0:
        lines.append(f"name = {_toml(draw(_ODD))}")
    if draw(st.integers(0, 19)):
        other = draw(st.sampled_from(['"nobody"', '"fuzzed"'] * 4 + ['"../x"', '""', "7"]))
        lines += ["[phones]", 'a = "fuzzed"', f"b = {other}"]
    for _ in range(draw(st.integers(0, 4))):
        lines.append("[[steps]]")
        lines.append(draw(st.sampled_from(['phone = "a"'] * 6 + ['phone = "b"', 'phone = ["a"]'])))
        odd = draw(st.integers(0, 7)) == 0
        lines.append(draw(st.sampled_from(_ODD_LINES if odd else _DO_LINES)))
        if draw(st.integers(0, 9)) == 0:
            key = draw(st.sampled_from(["timeout", "on", "limit", "search", "name"]))
            lines.append(f"{key} = {_toml(draw(_ODD))}")
    text = "\n".join(lines) + "\n"
    if draw(st.integers(0, 19)) == 0:  # a torn file
        text = text[: draw(st.integers(0, len(text)))]
    return text


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def test_generated_scenario_files_never_crash_the_runner_or_the_phone(
    softphone: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """≥ 2,000 generated files, run in-process by `softphone scenario`'s entry point
    against a real phone: exit 0/1/2, a one-line error for 2, the phone alive, no stuck
    call and its memory bounded."""
    phone = softphone("fuzzed")
    monkeypatch.setenv("SOFTPHONE_HOME", str(phone.log_path.parent))
    path = tmp_path / "s.toml"
    counts = {"inputs": 0, "crashes": 0, 0: 0, 1: 0, 2: 0}
    failures: list[str] = []
    rss_before = _rss_kib(phone.process.pid)
    started = time.monotonic()

    @settings(
        max_examples=2000,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(scenario_texts())
    def run(text: str) -> None:
        path.write_text(text)
        out, err = io.StringIO(), io.StringIO()
        counts["inputs"] += 1
        try:
            with redirect_stdout(out), redirect_stderr(err):
                code = cli_scenario.run(Namespace(file=path, json=None))
        except Exception as exc:  # a crash: recorded, shown at the end
            counts["crashes"] += 1
            failures.append(f"{type(exc).__name__}: {exc}\n{text}")
            return
        counts[code] = counts.get(code, 0) + 1
        if code == 2 and len(err.getvalue().strip().splitlines()) != 1:
            failures.append(f"not one line: {err.getvalue()!r}\n{text}")
        if code not in (0, 1, 2):
            failures.append(f"exit {code}\n{text}")

    run()
    seconds = time.monotonic() - started
    record(
        "scenario files (hypothesis TOML)",
        counts["inputs"],
        crashes=counts["crashes"],
        note=f"{seconds:.0f} s; exit 0/1/2: {counts[0]}/{counts[1]}/{counts[2]}",
    )
    assert failures == [], failures[:5]
    assert counts["inputs"] >= 2000 and counts[0] > 0 and counts[2] > 0, counts
    assert phone.process.poll() is None
    assert phone.state()["calls"] == []
    assert _rss_kib(phone.process.pid) - rss_before < 64 * 1024
