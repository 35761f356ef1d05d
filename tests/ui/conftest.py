"""Fixtures: the real QML window over FakePhoneUiService, with a fixed clock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from softphone.ui._runner import ImmediateTaskRunner
from softphone.ui.fake_service import FakePhoneUiService
from softphone.ui.window import PhoneWindow
from tests.ui.driver import pump


class Clock:
    """A settable clock for timers (no sleeping)."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def service(clock: Clock) -> FakePhoneUiService:
    return FakePhoneUiService(clock=clock)


@pytest.fixture
def win(qtbot: object, service: FakePhoneUiService, clock: Clock) -> Iterator[PhoneWindow]:
    window = PhoneWindow(service, runner=ImmediateTaskRunner(), clock=clock, reduce_motion=True)
    window.window.requestActivate()
    pump(50)
    yield window
    window.close()
