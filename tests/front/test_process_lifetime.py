"""Nothing outlives a phone, and one profile has one phone: the profile lock and the
control API's endpoint file, through real headless phone processes (issue 17)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from softphone.control.client import endpoint_file
from softphone.settings import profile_paths

pytestmark = pytest.mark.covers("readme:one phone per profile", "readme:control api")


def _start_second(home: Path, profile: str) -> subprocess.Popen[str]:
    env = {**os.environ, "SOFTPHONE_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.Popen(
        [sys.executable, "-m", "softphone", "--profile", profile, "--headless"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_second_phone_on_a_profile_refuses_and_the_first_stays_reachable(
    softphone: Any, tmp_path: Path
) -> None:
    first = softphone("shared")
    home = tmp_path / "softphone-home"
    second = _start_second(home, "shared")
    try:
        out, _ = second.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        second.terminate()
        out, _ = second.communicate(timeout=20)
        pytest.fail(f"a second phone ran on the same profile: {out[-1000:]}")
    assert second.returncode == 1
    assert f"pid {first.process.pid}" in out and "in use" in out, out
    assert "Traceback" not in out
    # the first is untouched: its endpoint file, its API
    endpoint = json.loads(endpoint_file("shared", root=home).read_text())
    assert endpoint["pid"] == first.process.pid
    assert first.state()["calls"] == []


def test_endpoint_file_is_private_and_replaced_even_if_world_readable(
    softphone: Any, tmp_path: Path
) -> None:
    home = tmp_path / "softphone-home"
    path = endpoint_file("carol", root=home)
    profile_paths("carol", root=home).ensure()
    path.write_text('{"url": "http://127.0.0.1:1", "token": "old", "pid": 1}')
    path.chmod(0o644)
    phone = softphone("carol")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text())["token"] == phone.token
    assert phone.state()["calls"] == []
