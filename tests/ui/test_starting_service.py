"""The window's service while the phone starts: the screens are drawn before the phone
exists, then follow the running phone once it is attached."""

from __future__ import annotations

import pytest

from softphone.settings import AccountSettings, Settings
from softphone.ui.fake_service import FakePhoneUiService
from softphone.ui.service import CallState
from softphone.ui.starting_service import PhoneStartingError, StartingPhoneService


def test_before_the_phone_runs_accounts_register_and_intents_wait() -> None:
    settings = Settings(
        accounts=(
            AccountSettings(id="main", uri="sip:alice@example.com"),
            AccountSettings(id="old", uri="sip:bob@example.com", enabled=False),
        )
    )
    service = StartingPhoneService(settings)
    states = [(a.account_id, a.state) for a in service.device().accounts]
    assert states == [("main", "registering"), ("old", "disabled")]
    assert service.calls() == [] and service.errors() == []
    assert service.settings()["accounts"][0]["uri"] == "sip:alice@example.com"
    with pytest.raises(PhoneStartingError, match="still starting"):
        service.dial("echo")


def test_without_accounts_the_test_line_is_shown() -> None:
    accounts = StartingPhoneService(Settings()).device().accounts
    assert [(a.account_id, a.state) for a in accounts] == [("test-line", "registered")]


def test_once_attached_the_screens_follow_the_running_phone() -> None:
    service = StartingPhoneService(Settings())
    told: list[int] = []
    unsubscribe = service.subscribe(lambda: told.append(1))
    real = FakePhoneUiService()
    service.attach(real)
    assert told == [1]  # re-read everything from the running phone
    uuid = service.dial("+14155550100")
    assert uuid is None or isinstance(uuid, str)
    calls = service.calls()
    assert len(calls) == 1 and calls[0].state in (CallState.DIALING, CallState.RINGING)
    assert len(told) >= 2  # the running phone's changes reach the screens
    unsubscribe()
    count = len(told)
    service.end(calls[0].uuid)
    assert len(told) == count
