"""Call waiting: Decline, Hold & Accept, End & Accept, and the group limits."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from softphone.callkit import (
    CallEnded,
    CallKitError,
    CallState,
    CallSystem,
    CallWaitingChoiceRequiredError,
    CallWaitingPresented,
    CXAnswerCallAction,
    CXEndCallAction,
    CXErrorCodeRequestTransactionError,
    CXProvider,
    CXProviderConfiguration,
    CXSetHeldCallAction,
    RecentsStatus,
    TransactionRequested,
)

from .conftest import RecordingDelegate, of_type, update


async def active_and_waiting(
    system: CallSystem, incoming: Callable[..., Any]
) -> tuple[uuid.UUID, uuid.UUID]:
    first = await incoming("+15550000001")
    await system.answer(first)
    second = await incoming("+15550000002")
    return first, second


class TestPresentation:
    async def test_answer_requires_choice(
        self, system: CallSystem, incoming: Callable[..., Any]
    ) -> None:
        """Answering while another call is active raises with the three choices."""
        first, second = await active_and_waiting(system, incoming)
        with pytest.raises(CallWaitingChoiceRequiredError) as info:
            await system.answer(second)
        assert info.value.choices == ("decline", "hold_and_accept", "end_and_accept")
        (presented,) = of_type(system, CallWaitingPresented)
        assert presented.call_uuid == second and presented.other_call_uuids == (first,)
        assert system.call(second).state is CallState.RINGING  # type: ignore[union-attr]

    async def test_no_choice_when_alone(
        self, system: CallSystem, incoming: Callable[..., Any]
    ) -> None:
        """A lone ringing call answers directly; no call-waiting screen."""
        u = await incoming()
        await system.answer(u)
        assert not of_type(system, CallWaitingPresented)


class TestChoices:
    async def test_decline(
        self, system: CallSystem, incoming: Callable[..., Any], delegate: RecordingDelegate
    ) -> None:
        """Decline ends the waiting call (declined) and leaves the active one alone."""
        first, second = await active_and_waiting(system, incoming)
        await system.decline(second)
        assert system.call(second) is None
        assert system.call(first).state is CallState.ACTIVE  # type: ignore[union-attr]
        (ended,) = of_type(system, CallEnded)
        assert ended.recents_status is RecentsStatus.DECLINED

    async def test_hold_and_accept(
        self, system: CallSystem, incoming: Callable[..., Any], delegate: RecordingDelegate
    ) -> None:
        """Hold & Accept is one transaction (set-held + answer), each action fulfilled apart."""
        first, second = await active_and_waiting(system, incoming)
        delegate.auto = False
        delegate.held.clear()
        await system.hold_and_accept(second)
        transaction = of_type(system, TransactionRequested)[-1]
        assert transaction.action_types == ("CXSetHeldCallAction", "CXAnswerCallAction")
        hold, answer = delegate.held
        assert isinstance(hold, CXSetHeldCallAction) and hold.call_uuid == first and hold.on_hold
        assert isinstance(answer, CXAnswerCallAction) and answer.call_uuid == second
        answer.fulfill()
        assert system.call(second).state is CallState.ACTIVE  # type: ignore[union-attr]
        assert system.call(first).state is CallState.ACTIVE  # type: ignore[union-attr]
        assert not hold.is_complete
        hold.fulfill()
        first_call = system.call(first)
        assert first_call is not None
        assert first_call.state is CallState.HELD and first_call.is_on_hold

    async def test_end_and_accept(
        self, system: CallSystem, incoming: Callable[..., Any], delegate: RecordingDelegate
    ) -> None:
        """End & Accept ends the active call and answers, each action fulfilled apart."""
        first, second = await active_and_waiting(system, incoming)
        delegate.auto = False
        delegate.held.clear()
        await system.end_and_accept(second)
        end, answer = delegate.held
        assert isinstance(end, CXEndCallAction) and end.call_uuid == first
        assert isinstance(answer, CXAnswerCallAction)
        end.fulfill()
        assert system.call(first) is None
        assert system.call(second).state is CallState.ANSWERING  # type: ignore[union-attr]
        answer.fulfill()
        assert [c.uuid for c in system.calls] == [second]
        assert system.audio_active

    async def test_third_call_needs_end(
        self, system: CallSystem, incoming: Callable[..., Any]
    ) -> None:
        """With active + held calls (2 groups), a third call can only End & Accept."""
        first, second = await active_and_waiting(system, incoming)
        await system.hold_and_accept(second)
        third = await incoming("+15550000003")
        (_, presented) = of_type(system, CallWaitingPresented)
        assert presented.choices == ("decline", "end_and_accept", "end_held_and_accept")
        with pytest.raises(CallKitError) as info:
            await system.hold_and_accept(third)
        assert info.value.code is CXErrorCodeRequestTransactionError.MAXIMUM_CALL_GROUPS_REACHED
        assert system.call(second).state is CallState.ACTIVE  # type: ignore[union-attr]
        await system.end_and_accept(third, end_held=True)
        assert system.call(first) is None
        assert system.call(third).state is CallState.ACTIVE  # type: ignore[union-attr]

    async def test_single_group_provider(self, system: CallSystem) -> None:
        """maximum_call_groups=1 offers no Hold & Accept."""
        p = CXProvider(CXProviderConfiguration(maximum_call_groups=1), system=system)
        p.set_delegate(RecordingDelegate())
        a, b = uuid.uuid4(), uuid.uuid4()
        await p.report_new_incoming_call(a, update("+1555000001"))
        await system.answer(a)
        await p.report_new_incoming_call(b, update("+1555000002"))
        with pytest.raises(CallWaitingChoiceRequiredError) as info:
            await system.answer(b)
        assert "hold_and_accept" not in info.value.choices

    async def test_choices_need_a_ringing_call(
        self, system: CallSystem, incoming: Callable[..., Any]
    ) -> None:
        """Hold & Accept / End & Accept / Decline on a non-ringing call are invalid."""
        first, _ = await active_and_waiting(system, incoming)
        for intent in (system.hold_and_accept, system.end_and_accept, system.decline):
            with pytest.raises(CallKitError) as info:
                await intent(first)
            assert info.value.code is CXErrorCodeRequestTransactionError.INVALID_ACTION
        with pytest.raises(CallKitError):
            await system.answer(uuid.uuid4())
        with pytest.raises(TypeError):
            await system.answer("x")  # type: ignore[arg-type]


async def test_hold_and_accept_across_apps(
    system: CallSystem, provider: CXProvider, incoming: Callable[..., Any]
) -> None:
    """Hold & Accept across two apps: each app gets its own transaction."""
    first = await incoming("+15550000001")
    await system.answer(first)
    other_delegate = RecordingDelegate()
    other = CXProvider(CXProviderConfiguration(localized_name="Other"), system=system)
    other.set_delegate(other_delegate)
    second = uuid.uuid4()
    await other.report_new_incoming_call(second, update("+15550000002"))
    with pytest.raises(CallWaitingChoiceRequiredError):
        await system.answer(second)
    await system.hold_and_accept(second)
    requested = of_type(system, TransactionRequested)[-2:]
    assert [t.provider_name for t in requested] == ["TestApp", "Other"]
    assert other_delegate.names()[-2:] == ["answer", "did_activate"]
    assert system.call(first).state is CallState.HELD  # type: ignore[union-attr]
    assert system.call(second).state is CallState.ACTIVE  # type: ignore[union-attr]
    assert provider.audio_session.is_active and other.audio_session.is_active
