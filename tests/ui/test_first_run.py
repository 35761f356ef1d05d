"""The welcome sheet on first run: it explains the test line and accounts, and goes away."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from softphone.ui._runner import ImmediateTaskRunner
from softphone.ui.fake_service import FakePhoneUiService
from softphone.ui.window import PhoneWindow
from tests.ui import driver as d


@pytest.fixture
def first_win(qtbot: object) -> Iterator[PhoneWindow]:
    window = PhoneWindow(
        FakePhoneUiService(), runner=ImmediateTaskRunner(), reduce_motion=True, first_run=True
    )
    d.pump(50)
    yield window
    window.close()


def test_welcome_is_shown_then_dismissed(first_win: PhoneWindow) -> None:
    assert first_win.first_run_shown
    assert d.text_of(first_win, "firstRunTitle") == "Welcome to Softphone"
    d.pump(450)
    d.click(first_win, "firstRunDone")
    d.pump(450)
    assert not first_win.first_run_shown
    assert not d.exists(first_win, "firstRunSheet")


def test_no_welcome_after_the_first_run(qtbot: object) -> None:
    window = PhoneWindow(FakePhoneUiService(), runner=ImmediateTaskRunner(), reduce_motion=True)
    try:
        d.pump(50)
        assert not window.first_run_shown
        assert not d.exists(window, "firstRunSheet")
    finally:
        window.close()
