"""DTMF: one action per key, the next delivered only after the previous is fulfilled."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from softphone.callkit import (
    ActionFailed,
    CallKitError,
    CallSystem,
    CXCallController,
    CXCallEndedReason,
    CXPlayDTMFCallAction,
    CXPlayDTMFCallActionType,
    CXProvider,
    ManualClock,
)

from .conftest import RecordingDelegate, of_type


def delivered(delegate: RecordingDelegate) -> list[CXPlayDTMFCallAction]:
    return [a for name, a in delegate.calls if name == "dtmf"]


class TestSequencing:
    async def test_one_action_per_digit(
        self, system: CallSystem, outgoing: Callable[..., Any], delegate: RecordingDelegate
    ) -> None:
        """'12#' becomes three single-tone actions, in order."""
        u = await outgoing()
        actions = await system.play_dtmf(u, "12#")
        assert [a.digits for a in actions] == ["1", "2", "#"]
        assert [a.digits for a in delivered(delegate)] == ["1", "2", "#"]
        assert all(a.type is CXPlayDTMFCallActionType.SINGLE_TONE for a in actions)

    async def test_next_waits_for_fulfill(
        self, system: CallSystem, outgoing: Callable[..., Any], delegate: RecordingDelegate
    ) -> None:
        """The second digit reaches the delegate only after the first is fulfilled."""
        u = await outgoing()
        delegate.auto = False
        first, second, third = await system.play_dtmf(u, "123")
        assert delivered(delegate) == [first]
        first.fulfill()
        assert delivered(delegate) == [first, second]
        second.fulfill()
        third.fulfill()
        assert delivered(delegate) == [first, second, third]
        assert system.pending_actions == []

    async def test_pauses(self, system: CallSystem, outgoing: Callable[..., Any]) -> None:
        """',' is a soft pause and ';' a hard pause, each its own action."""
        u = await outgoing()
        actions = await system.play_dtmf(u, "1,;")
        assert [a.type for a in actions] == [
            CXPlayDTMFCallActionType.SINGLE_TONE,
            CXPlayDTMFCallActionType.SOFT_PAUSE,
            CXPlayDTMFCallActionType.HARD_PAUSE,
        ]

    async def test_failure_drops_the_rest(
        self, system: CallSystem, outgoing: Callable[..., Any], delegate: RecordingDelegate
    ) -> None:
        """A failed tone fails the queued ones without delivering them."""
        u = await outgoing()
        delegate.auto = False
        first, second, third = await system.play_dtmf(u, "123")
        first.fail()
        assert delivered(delegate) == [first]
        assert second.is_complete and third.is_complete
        assert [e.by_system for e in of_type(system, ActionFailed)] == [False, True, True]

    async def test_timeout_drops_the_rest(
        self,
        system: CallSystem,
        outgoing: Callable[..., Any],
        delegate: RecordingDelegate,
        clock: ManualClock,
    ) -> None:
        """A tone that times out leaves nothing pending behind it."""
        u = await outgoing()
        delegate.auto = False
        await system.play_dtmf(u, "12")
        clock.advance(10)
        assert system.pending_actions == []
        assert len(delivered(delegate)) == 1

    async def test_controller_requests_queue_too(
        self,
        system: CallSystem,
        provider: CXProvider,
        controller: CXCallController,
        outgoing: Callable[..., Any],
        delegate: RecordingDelegate,
    ) -> None:
        """App-requested DTMF actions on one call are also delivered one at a time."""
        u = await outgoing()
        delegate.auto = False
        a, b = CXPlayDTMFCallAction(u, "5"), CXPlayDTMFCallAction(u, "6")
        await controller.request_transaction_with_action(a)
        await controller.request_transaction_with_action(b)
        assert delivered(delegate) == [a]
        a.fulfill()
        assert delivered(delegate) == [a, b]
        b.fulfill()

    async def test_end_drops_queued_tones(
        self,
        system: CallSystem,
        outgoing: Callable[..., Any],
        delegate: RecordingDelegate,
        provider: CXProvider,
    ) -> None:
        """Tones still queued when the call ends are failed, never delivered."""
        u = await outgoing()
        delegate.auto = False
        first, second = await system.play_dtmf(u, "12")
        provider.report_call_ended(u, None, CXCallEndedReason.REMOTE_ENDED)
        assert second.is_complete and not first.is_complete
        first.fulfill()
        assert delivered(delegate) == [first]

    async def test_bad_digits(
        self, system: CallSystem, outgoing: Callable[..., Any], delegate: RecordingDelegate
    ) -> None:
        """Bad digits raise before any tone is sent."""
        u = await outgoing()
        with pytest.raises(ValueError):
            await system.play_dtmf(u, "12z")
        with pytest.raises(ValueError):
            await system.play_dtmf(u, "")
        with pytest.raises(TypeError):
            await system.play_dtmf(u, 12)  # type: ignore[arg-type]
        assert delivered(delegate) == []

    async def test_ringing_call_refuses(
        self, system: CallSystem, incoming: Callable[..., Any]
    ) -> None:
        """DTMF on a ringing call is an invalid action."""
        u = await incoming()
        with pytest.raises(CallKitError):
            await system.play_dtmf(u, "1")
