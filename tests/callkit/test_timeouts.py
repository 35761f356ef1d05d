"""Timeouts on the injectable clock: unresolved actions and unanswered calls."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from softphone.callkit import (
    ActionTimedOut,
    CallEnded,
    CallState,
    CallSystem,
    CXActionState,
    CXCallController,
    CXCallEndedReason,
    CXEndCallAction,
    CXProvider,
    CXProviderConfiguration,
    CXSetMutedCallAction,
    CXStartCallAction,
    ImmediateDispatcher,
    ManualClock,
    RecentsStatus,
    RuleViolated,
)

from .conftest import RecordingDelegate, of_type, phone, update


class TestActionTimeout:
    async def test_unresolved_action_times_out(
        self,
        system: CallSystem,
        controller: CXCallController,
        delegate: RecordingDelegate,
        clock: ManualClock,
    ) -> None:
        """An action neither fulfilled nor failed times out; the delegate hears it."""
        delegate.auto = False
        action = CXStartCallAction(uuid.uuid4(), phone())
        await controller.request_transaction_with_action(action)
        clock.advance(9.9)
        assert action.state is CXActionState.PENDING
        clock.advance(0.2)
        assert action.state is CXActionState.TIMED_OUT
        assert ("timed_out", action) in delegate.calls
        assert [e.action_uuid for e in of_type(system, ActionTimedOut)] == [action.uuid]
        assert any(e.rule == "action_unresolved" for e in of_type(system, RuleViolated))
        assert system.pending_actions == []

    async def test_timed_out_start_ends_call(
        self,
        system: CallSystem,
        controller: CXCallController,
        delegate: RecordingDelegate,
        clock: ManualClock,
    ) -> None:
        """A start action that times out ends the call as failed."""
        delegate.auto = False
        u = uuid.uuid4()
        await controller.request_transaction_with_action(CXStartCallAction(u, phone()))
        clock.advance(10)
        assert system.call(u) is None
        (ended,) = of_type(system, CallEnded)
        assert ended.reason is CXCallEndedReason.FAILED
        assert ended.recents_status is RecentsStatus.FAILED

    async def test_timed_out_end_still_ends(
        self,
        system: CallSystem,
        controller: CXCallController,
        delegate: RecordingDelegate,
        outgoing: Callable[..., Any],
        clock: ManualClock,
    ) -> None:
        """If the app never resolves an end action, the system ends the call anyway."""
        u = await outgoing()
        delegate.auto = False
        await controller.request_transaction_with_action(CXEndCallAction(u))
        assert system.call(u) is not None
        clock.advance(10)
        assert system.call(u) is None

    async def test_timed_out_mute_changes_nothing(
        self,
        system: CallSystem,
        controller: CXCallController,
        delegate: RecordingDelegate,
        outgoing: Callable[..., Any],
        clock: ManualClock,
    ) -> None:
        """A mute action that times out leaves the call unmuted and live."""
        u = await outgoing()
        delegate.auto = False
        await controller.request_transaction_with_action(CXSetMutedCallAction(u, True))
        clock.advance(10)
        call = system.call(u)
        assert call is not None and not call.is_muted and call.state is CallState.ACTIVE

    async def test_resolved_action_does_not_time_out(
        self,
        system: CallSystem,
        controller: CXCallController,
        delegate: RecordingDelegate,
        clock: ManualClock,
    ) -> None:
        """Fulfilling in time cancels the timeout."""
        delegate.auto = False
        action = CXStartCallAction(uuid.uuid4(), phone())
        await controller.request_transaction_with_action(action)
        clock.advance(5)
        action.fulfill()
        clock.advance(60)
        assert action.state is CXActionState.FULFILLED
        assert not of_type(system, ActionTimedOut)
        assert "timed_out" not in delegate.names()


class TestUnanswered:
    async def test_rings_out(
        self,
        system: CallSystem,
        incoming: Callable[..., Any],
        delegate: RecordingDelegate,
        clock: ManualClock,
    ) -> None:
        """An unanswered call ends after the system timeout as unanswered -> missed."""
        u = await incoming()
        clock.advance(29.9)
        assert system.call(u) is not None
        clock.advance(0.1)
        assert system.call(u) is None
        (ended,) = of_type(system, CallEnded)
        assert ended.reason is CXCallEndedReason.UNANSWERED
        assert ended.recents_status is RecentsStatus.MISSED
        # The app is told to end the call on its side too.
        assert delegate.names()[-1] == "end"

    async def test_configurable_timeout(self, clock: ManualClock) -> None:
        """The unanswered timeout comes from the system's configuration."""
        system = CallSystem(clock, ImmediateDispatcher(), unanswered_timeout=5.0)
        provider = CXProvider(CXProviderConfiguration(), system=system)
        provider.set_delegate(RecordingDelegate())
        u = uuid.uuid4()
        await provider.report_new_incoming_call(u, update())
        clock.advance(5.0)
        assert system.call(u) is None

    async def test_answered_call_does_not_ring_out(
        self, system: CallSystem, incoming: Callable[..., Any], clock: ManualClock
    ) -> None:
        """Answering cancels the unanswered timer."""
        u = await incoming()
        await system.answer(u)
        clock.advance(120)
        call = system.call(u)
        assert call is not None and call.state is CallState.ACTIVE
        assert not of_type(system, CallEnded)
