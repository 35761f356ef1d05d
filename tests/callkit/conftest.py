"""Fixtures for the CallKit tests: a manual clock, inline delegate queue, a recording app."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from softphone.callkit import (
    AudioSession,
    CallKitEvent,
    CallSystem,
    CXAction,
    CXCallController,
    CXCallUpdate,
    CXHandle,
    CXHandleType,
    CXProvider,
    CXProviderConfiguration,
    CXStartCallAction,
    CXTransaction,
    ImmediateDispatcher,
    ManualClock,
)


class RecordingDelegate:
    """A provider delegate like a real app's: records every call; fulfils actions at once
    when ``auto`` is True, else keeps them in ``held`` for the test to resolve."""

    def __init__(self, auto: bool = True) -> None:
        self.auto = auto
        self.calls: list[tuple[str, Any]] = []
        self.held: list[CXAction] = []
        self.handle_transactions = False

    def _record(self, name: str, arg: Any = None) -> None:
        self.calls.append((name, arg))

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]

    def _action(self, name: str, action: CXAction) -> None:
        self._record(name, action)
        if self.auto:
            action.fulfill()
        else:
            self.held.append(action)

    def provider_did_begin(self, provider: CXProvider) -> None:
        self._record("provider_did_begin")

    def provider_did_reset(self, provider: CXProvider) -> None:
        self._record("provider_did_reset")

    def execute_transaction(self, provider: CXProvider, transaction: CXTransaction) -> bool:
        self._record("execute_transaction", transaction)
        return self.handle_transactions

    def perform_start_call_action(self, provider: CXProvider, action: CXAction) -> None:
        self._action("start", action)

    def perform_answer_call_action(self, provider: CXProvider, action: CXAction) -> None:
        self._action("answer", action)

    def perform_end_call_action(self, provider: CXProvider, action: CXAction) -> None:
        self._action("end", action)

    def perform_set_held_call_action(self, provider: CXProvider, action: CXAction) -> None:
        self._action("set_held", action)

    def perform_set_muted_call_action(self, provider: CXProvider, action: CXAction) -> None:
        self._action("set_muted", action)

    def perform_play_dtmf_call_action(self, provider: CXProvider, action: CXAction) -> None:
        self._action("dtmf", action)

    def perform_set_group_call_action(self, provider: CXProvider, action: CXAction) -> None:
        self._action("set_group", action)

    def timed_out_performing_action(self, provider: CXProvider, action: CXAction) -> None:
        self._record("timed_out", action)

    def did_activate_audio_session(self, provider: CXProvider, session: AudioSession) -> None:
        self._record("did_activate", session)

    def did_deactivate_audio_session(self, provider: CXProvider, session: AudioSession) -> None:
        self._record("did_deactivate", session)


def phone(number: str = "+15551230001") -> CXHandle:
    return CXHandle(CXHandleType.PHONE_NUMBER, number)


def update(number: str = "+15551230001", name: str | None = None, **kw: Any) -> CXCallUpdate:
    return CXCallUpdate(remote_handle=phone(number), localized_caller_name=name, **kw)


def of_type(system: CallSystem, kind: type) -> list[Any]:
    return [e for e in system.events if isinstance(e, kind)]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(1_000.0)


@pytest.fixture
def system(clock: ManualClock) -> CallSystem:
    return CallSystem(clock, ImmediateDispatcher(), unanswered_timeout=30.0, action_timeout=10.0)


@pytest.fixture
def delegate() -> RecordingDelegate:
    return RecordingDelegate()


@pytest.fixture
def provider(system: CallSystem, delegate: RecordingDelegate) -> CXProvider:
    p = CXProvider(CXProviderConfiguration(localized_name="TestApp"), system=system)
    p.set_delegate(delegate)
    return p


@pytest.fixture
def controller(system: CallSystem, provider: CXProvider) -> CXCallController:
    return CXCallController(system=system, provider=provider)


@pytest.fixture
def incoming(provider: CXProvider) -> Callable[..., Any]:
    async def report(number: str = "+15551230001", name: str | None = None) -> uuid.UUID:
        call_uuid = uuid.uuid4()
        await provider.report_new_incoming_call(call_uuid, update(number, name))
        return call_uuid

    return report


@pytest.fixture
def outgoing(controller: CXCallController, provider: CXProvider) -> Callable[..., Any]:
    async def start(number: str = "+15559870001", connect: bool = True) -> uuid.UUID:
        call_uuid = uuid.uuid4()
        await controller.request_transaction_with_action(
            CXStartCallAction(call_uuid, phone(number))
        )
        if connect:
            provider.report_outgoing_call_started_connecting(call_uuid)
            provider.report_outgoing_call_connected(call_uuid)
        return call_uuid

    return start


EventList = list[CallKitEvent]
