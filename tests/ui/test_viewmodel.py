"""PhoneViewModel, the fake service and number formatting, without QML."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from softphone.ui._runner import AsyncioTaskRunner, ImmediateTaskRunner
from softphone.ui.fake_service import FakePhoneUiService
from softphone.ui.numbers import format_number, same_number
from softphone.ui.phone_viewmodel import PhoneViewModel
from softphone.ui.service import CallState, PhoneUiService
from tests.ui.conftest import Clock


class _AsyncFailingService(FakePhoneUiService):
    """Intents that return coroutines, and one that fails later (as the real phone may)."""

    async def _fail(self) -> None:
        await asyncio.sleep(0)
        raise RuntimeError("503 Service Unavailable")

    def dial(self, target: str):  # type: ignore[override]
        return self._fail()


class TestIntents:
    def test_fake_satisfies_the_protocol(self) -> None:
        assert isinstance(FakePhoneUiService(), PhoneUiService)

    def test_async_failure_becomes_a_visible_error(self, qtbot: object) -> None:
        """An awaitable intent that fails shows its reason as an error."""
        vm = PhoneViewModel(_AsyncFailingService(), runner=ImmediateTaskRunner())
        vm.dial("100")
        assert vm.errors == [
            {"id": "local-1", "title": "Call Failed", "detail": "503 Service Unavailable"}
        ]
        vm.dismissError("local-1")
        assert vm.errors == []
        vm.close()

    async def test_asyncio_runner_reports_failures(self, qtbot: object) -> None:
        """On a running loop (qasync in the app) failures still reach the errors list."""
        vm = PhoneViewModel(_AsyncFailingService(), runner=AsyncioTaskRunner())
        vm.dial("100")
        for _ in range(5):
            await asyncio.sleep(0)
        assert vm.errors[0]["detail"] == "503 Service Unavailable"
        vm.close()

    def test_updates_follow_reports_not_intents(self, qtbot: object) -> None:
        """isMuted changes only when the service reports the change."""
        svc = FakePhoneUiService()
        uuid = svc.report_incoming("100")
        svc.answer(uuid)
        vm = PhoneViewModel(svc)
        svc.set_muted = lambda u, m: None  # type: ignore[method-assign]  # the phone never fulfils
        vm.setMuted(uuid, True)
        assert vm.primaryCall["muted"] is False
        vm.close()


class TestDerivedState:
    def test_timer_and_states(self, qtbot: object) -> None:
        clock = Clock(1000.0)
        svc = FakePhoneUiService(clock=clock)
        vm = PhoneViewModel(svc, clock=clock)
        seen: list[str] = []
        vm.callsChanged.connect(lambda: seen.append(vm.primaryCall.get("statusText", "")))
        svc.dial("sip:bob@example.com")
        uuid = svc.calls()[0].uuid
        svc.progress(uuid, CallState.RINGING)
        svc.progress(uuid, CallState.ACTIVE)
        clock.now += 3725
        vm.refresh()
        svc.end(uuid)
        assert seen == ["calling...", "ringing...", "00:00", "1:02:05", ""]
        vm.close()

    def test_registration_text(self, qtbot: object) -> None:
        svc = FakePhoneUiService()
        vm = PhoneViewModel(svc)
        assert (vm.registrationState, vm.registrationText) == ("registered", "Office")
        svc.set_registration("registering")
        assert vm.registrationText == "Registering…"
        vm.close()

    def test_auto_progress_for_the_demo(self) -> None:
        """--ui-demo: outgoing calls ring, then connect, by themselves."""
        pending: list[tuple[float, Callable[[], None]]] = []
        svc = FakePhoneUiService(
            auto_progress=(1.0, 2.0), call_later=lambda d, f: pending.append((d, f))
        )
        svc.dial("100")
        assert [d for d, _ in pending] == [1.0, 3.0]
        pending[0][1]()
        assert svc.calls()[0].state == CallState.RINGING
        pending[1][1]()
        assert svc.calls()[0].state == CallState.ACTIVE

    def test_bad_route_is_refused(self) -> None:
        with pytest.raises(ValueError, match="unknown audio device"):
            FakePhoneUiService().set_audio_route("nope")


@pytest.mark.parametrize(
    ("handle", "shown"),
    [
        ("4155550100", "(415) 555-0100"),
        ("+14155550100", "+1 (415) 555-0100"),
        ("+442079460958", "+44 207 946 0958"),
        ("sip:+14155550100@pbx.example.com", "+1 (415) 555-0100"),
        ("sip:bob@example.com;transport=tcp", "bob@example.com"),
        ("5550100", "555-0100"),
        ("*21#", "*21#"),
        ("Alice", "Alice"),
    ],
)
def test_format_number(handle: str, shown: str) -> None:
    assert format_number(handle) == shown


def test_same_number() -> None:
    assert same_number("+1 415 555 0100", "(415) 555-0100")
    assert not same_number("+1 415 555 0100", "+1 415 555 0101")
    assert same_number("sip:bob@example.com", "bob@example.com")
