"""The command line and the app's start-up."""

from __future__ import annotations

import subprocess
import sys

import pytest

from softphone import __version__
from softphone.cli import main


class TestCommandLine:
    def test_help_lists_the_commands(self, capsys: pytest.CaptureFixture[str]) -> None:
        """`softphone --help` prints usage with the sub-commands and exits 0."""
        with pytest.raises(SystemExit) as exc:
            main(["--help"])
        assert exc.value.code == 0
        out = capsys.readouterr().out
        assert "usage: softphone" in out
        assert "run" in out

    def test_python_m_softphone_help(self) -> None:
        """`python -m softphone --help` works as a real process."""
        proc = subprocess.run(
            [sys.executable, "-m", "softphone", "--help"], capture_output=True, text=True
        )
        assert proc.returncode == 0, proc.stderr
        assert "--profile" in proc.stdout

    def test_version(self, capsys: pytest.CaptureFixture[str]) -> None:
        """`softphone --version` prints the package version."""
        with pytest.raises(SystemExit):
            main(["--version"])
        assert __version__ in capsys.readouterr().out

    def test_unknown_option_is_an_error(self) -> None:
        """A wrong option exits with status 2 and says why."""
        proc = subprocess.run(
            [sys.executable, "-m", "softphone", "--no-such-option"],
            capture_output=True,
            text=True,
        )
        assert proc.returncode == 2
        assert "unrecognized arguments" in proc.stderr


class TestWindow:
    def test_headless_window_starts_and_quits(self) -> None:
        """The window loads its QML offscreen and quits by itself."""
        proc = subprocess.run(
            [sys.executable, "-m", "softphone", "--headless", "--quit-after", "0.2"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == 0, proc.stderr

    def test_no_display_is_explained(self) -> None:
        """With no display and no --headless the app says what to do and exits 2."""
        env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp"}
        proc = subprocess.run(
            [sys.executable, "-m", "softphone"], capture_output=True, text=True, env=env
        )
        assert proc.returncode == 2
        assert "no display found" in proc.stderr
