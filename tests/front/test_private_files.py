"""A profile's files are private: run a phone on a profile an older version left with
0755 folders and 0644 files, and check what ``ls -l`` would show afterwards."""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from softphone.settings import profile_paths
from softphone.testing import RunningPhone


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _loosen(paths: list[Path]) -> None:
    for path in paths:
        path.chmod(0o755 if path.is_dir() else 0o644)


@pytest.mark.covers("readme:settings and secrets")
def test_profile_folders_0700_and_its_files_0600_also_when_they_were_looser(
    softphone: Callable[..., RunningPhone], tmp_path: Path
) -> None:
    """Folders 0700; recents.sqlite3*, the log and the APNs emulator's keys 0600, after
    a first run and after a second run on files made world-readable in between."""
    home = tmp_path / "softphone-home"
    paths = profile_paths("modes", root=home)
    phone = softphone("modes")
    assert phone.push(preset="flexisip", caller="Key maker")["status"] == 200  # makes a key
    phone.wait_for("call.incoming", timeout=10)
    phone.process.terminate()
    phone.process.wait(15)

    def private_files() -> list[Path]:
        data, apns = paths.data_dir, paths.data_dir / "apns"
        found = [
            *data.glob("recents.sqlite3*"),
            *paths.log_dir.glob("softphone.log*"),
            *(apns / "keys").iterdir(),
            *apns.glob("*.key"),
            apns / "device-channel.secret",
        ]
        assert any(p.name == "recents.sqlite3" for p in found)
        assert any(p.suffix == ".p8" for p in found) and any(
            p.name == "softphone.log" for p in found
        )
        return found

    folders = [paths.config_dir, paths.data_dir, paths.log_dir, paths.data_dir / "apns"]
    for run in ("first", "second"):
        files = private_files()
        loose = {str(p): oct(_mode(p)) for p in [*folders, *files] if _mode(p) & 0o077}
        assert not loose, f"after the {run} run: {loose}"
        _loosen([*folders, *files, paths.config_dir.parent])
        if run == "first":
            phone = softphone("modes")
            phone.process.terminate()
            phone.process.wait(15)
