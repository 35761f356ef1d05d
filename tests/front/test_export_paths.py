"""`softphone export`: paths are the user's, the file cannot be redirected, and bad
directories are clear errors (issue 17), against a real headless phone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from softphone.control import ControlClientError

pytestmark = pytest.mark.covers("readme:export")


def export(home: Path, profile: str, path: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SOFTPHONE_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "softphone", "--profile", profile, "export", path],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_relative_path_is_the_users_and_a_planted_symlink_is_not_followed(
    softphone: Any, tmp_path: Path
) -> None:
    phone = softphone()
    home = phone.log_path.parent
    work = tmp_path / "work"
    (work / "reports").mkdir(parents=True)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    # symlinks planted where the file (or an old-style temporary file) will be written
    (work / "reports" / "session.json.part").symlink_to(victim)
    done = export(home, phone.profile, "reports/session.json", cwd=work)
    assert done.returncode == 0, done.stderr
    written = work / "reports" / "session.json"
    assert json.loads(done.stdout)["path"] == str(written)
    assert not written.is_symlink()
    assert json.loads(written.read_text())["format"] == "softphone-inspector-session"
    assert victim.read_text() == "precious\n"
    # a symlink at the target is replaced, not followed
    (work / "link.html").symlink_to(victim)
    assert export(home, phone.profile, "link.html", cwd=work).returncode == 0
    assert victim.read_text() == "precious\n"
    assert not (work / "link.html").is_symlink()
    assert [p.name for p in (work / "reports").iterdir() if p.name.endswith(".tmp")] == []


def test_missing_directory_and_relative_api_path_are_400(softphone: Any, tmp_path: Path) -> None:
    phone = softphone()
    home = phone.log_path.parent
    done = export(home, phone.profile, str(tmp_path / "nope" / "s.json"), cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "does not exist" in done.stderr and "Traceback" not in done.stderr
    with pytest.raises(ControlClientError) as err:  # raw API: the phone's cwd is not used
        phone.request("export", path="s.json")
    assert err.value.status == 400 and "absolute" in err.value.message
    assert phone.state()["calls"] == []
