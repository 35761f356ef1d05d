"""Installable packages: the PyInstaller bundle runs, and a wheel installs in a fresh venv."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(args: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, **kw)  # type: ignore[call-overload,no-any-return]


@pytest.mark.integration
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux bundle")
def test_linux_bundle_builds_and_runs(tmp_path: Path) -> None:
    """PyInstaller builds the one-folder bundle with its .desktop entry, and it starts."""
    build = _run(
        [
            sys.executable,
            str(ROOT / "packaging" / "build.py"),
            "--dist",
            str(tmp_path / "dist"),
            "--work",
            str(tmp_path / "work"),
        ],
        timeout=600,
    )
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    bundle = tmp_path / "dist" / "softphone"
    assert (bundle / "softphone.desktop").read_text().startswith("[Desktop Entry]")
    assert (bundle / "softphone.png").stat().st_size > 1000
    assert list((tmp_path / "dist").glob("softphone-*-linux-*.tar.gz"))
    env = {**os.environ, "SOFTPHONE_HOME": str(tmp_path / "home")}
    ran = _run([str(bundle / "softphone"), "--headless", "--demo"], env=env, timeout=180)
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
    assert "demo passed" in ran.stdout
    helped = _run([str(bundle / "softphone"), "--help"], timeout=60)
    assert "usage: softphone" in helped.stdout


@pytest.mark.integration
def test_wheel_installs_in_a_fresh_venv_and_runs(tmp_path: Path) -> None:
    """A wheel built from the repo installs with its resources in a new venv and starts."""
    wheel_dir = tmp_path / "wheels"
    built = _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheel_dir), str(ROOT)],
        timeout=300,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    wheel = next(wheel_dir.glob("softphone-*.whl"))
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    py = env_dir / "bin" / "python"
    installed = _run([str(py), "-m", "pip", "install", "-q", str(wheel)], timeout=600)
    assert installed.returncode == 0, installed.stderr[-3000:]
    env = {**os.environ, "SOFTPHONE_HOME": str(tmp_path / "home"), "PYTHONPATH": ""}
    check = _run(
        [
            str(py),
            "-c",
            "import softphone.resources as r, softphone; "
            "print(r.resource_path('qml', 'Main.qml')); print(softphone.__file__)",
        ],
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert check.returncode == 0, check.stderr
    assert str(env_dir) in check.stdout and "_resources" in check.stdout
    ran = _run(
        [str(env_dir / "bin" / "softphone"), "--headless", "--demo"],
        env=env,
        cwd=tmp_path,
        timeout=180,
    )
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
    assert "demo passed" in ran.stdout
