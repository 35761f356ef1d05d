"""``softphone run`` shows the phone window (headless here) with and without --ui-demo."""

from __future__ import annotations

import subprocess
import sys

import pytest
from PySide6.QtCore import Qt

from softphone.ui.fake_service import FakePhoneUiService
from softphone.ui.window import PhoneWindow
from tests.ui import driver as d


@pytest.mark.parametrize("extra", [[], ["--ui-demo"]])
def test_app_starts_clean(extra: list[str]) -> None:
    """The app loads every QML file without a warning and quits on time."""
    proc = subprocess.run(
        [sys.executable, "-m", "softphone", "--headless", "--quit-after", "0.5", *extra],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert ".qml" not in proc.stderr, proc.stderr


def test_lock_and_dnd_shortcuts(win: PhoneWindow, service: FakePhoneUiService) -> None:
    """Ctrl+L locks and unlocks, Ctrl+D toggles Do Not Disturb."""
    d.key(win, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert service.device().locked
    d.key(win, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert service.device().do_not_disturb
    d.key(win, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert not service.device().locked


def test_keyboard_digits_go_to_the_keypad_when_idle(win: PhoneWindow) -> None:
    d.type_text(win, "*21#")
    d.key(win, Qt.Key.Key_Backspace)
    assert d.text_of(win, "dialNumber") == "*21"
