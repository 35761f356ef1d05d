"""How ended calls are classified for Recents, and includes_calls_in_recents."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from softphone.callkit import (
    CallEnded,
    CallSystem,
    CXCallController,
    CXCallEndedReason,
    CXProvider,
    CXProviderConfiguration,
    CXStartCallAction,
    ManualClock,
    RecentsStatus,
)

from .conftest import RecordingDelegate, of_type, phone, update


def last_end(system: CallSystem) -> CallEnded:
    return of_type(system, CallEnded)[-1]  # type: ignore[no-any-return]


class TestOutgoing:
    async def test_connected_is_outgoing(
        self, system: CallSystem, outgoing: Callable[..., Any], clock: ManualClock
    ) -> None:
        """A connected outgoing call is 'outgoing' with its start/connect/end times."""
        u = await outgoing()
        clock.advance(42)
        await system.end(u)
        ended = last_end(system)
        assert ended.recents_status is RecentsStatus.OUTGOING
        assert ended.in_recents and ended.is_outgoing
        assert ended.started_at == 1000.0 and ended.connected_at == 1000.0
        assert ended.ended_at == 1042.0 and ended.reason is None

    async def test_never_connected_is_cancelled(
        self, system: CallSystem, outgoing: Callable[..., Any]
    ) -> None:
        """An outgoing call never reported connected is 'cancelled'."""
        u = await outgoing(connect=False)
        await system.end(u)
        assert last_end(system).recents_status is RecentsStatus.CANCELLED

    async def test_remote_hangup_while_dialing_is_cancelled(
        self, system: CallSystem, provider: CXProvider, outgoing: Callable[..., Any]
    ) -> None:
        """Ended by the far end before connecting: still 'cancelled'."""
        u = await outgoing(connect=False)
        provider.report_call_ended(u, None, CXCallEndedReason.REMOTE_ENDED)
        assert last_end(system).recents_status is RecentsStatus.CANCELLED

    async def test_failed_start(
        self, system: CallSystem, controller: CXCallController, delegate: RecordingDelegate
    ) -> None:
        """A failed start action ends the call as failed."""
        delegate.auto = False
        u = uuid.uuid4()
        await controller.request_transaction_with_action(CXStartCallAction(u, phone()))
        delegate.held[0].fail()
        assert system.call(u) is None
        ended = last_end(system)
        assert ended.reason is CXCallEndedReason.FAILED
        assert ended.recents_status is RecentsStatus.FAILED


@pytest.mark.parametrize(
    ("reason", "status"),
    [
        (CXCallEndedReason.REMOTE_ENDED, RecentsStatus.MISSED),
        (CXCallEndedReason.UNANSWERED, RecentsStatus.MISSED),
        (CXCallEndedReason.ANSWERED_ELSEWHERE, RecentsStatus.ANSWERED_ELSEWHERE),
        (CXCallEndedReason.DECLINED_ELSEWHERE, RecentsStatus.DECLINED),
        (CXCallEndedReason.FAILED, RecentsStatus.FAILED),
    ],
)
async def test_incoming_never_answered(
    system: CallSystem,
    provider: CXProvider,
    incoming: Callable[..., Any],
    reason: CXCallEndedReason,
    status: RecentsStatus,
) -> None:
    """An unanswered incoming call's Recents status follows the provider's end reason."""
    u = await incoming()
    provider.report_call_ended(u, None, reason)
    assert last_end(system).recents_status is status


async def test_answered_incoming(
    system: CallSystem, provider: CXProvider, incoming: Callable[..., Any]
) -> None:
    """An answered incoming call is 'incoming' whatever ends it."""
    u = await incoming(name="Bob")
    await system.answer(u)
    provider.report_call_ended(u, None, CXCallEndedReason.REMOTE_ENDED)
    ended = last_end(system)
    assert ended.recents_status is RecentsStatus.INCOMING
    assert ended.localized_caller_name == "Bob" and ended.provider_name == "TestApp"


async def test_declined_locally(system: CallSystem, incoming: Callable[..., Any]) -> None:
    """The user declining is 'declined'."""
    u = await incoming()
    await system.decline(u)
    assert last_end(system).recents_status is RecentsStatus.DECLINED


async def test_failed_answer_ends_call(
    system: CallSystem, incoming: Callable[..., Any], delegate: RecordingDelegate
) -> None:
    """A failed answer action ends the call as failed."""
    u = await incoming()
    delegate.auto = False
    await system.answer(u)
    delegate.held[0].fail()
    assert system.call(u) is None
    assert last_end(system).reason is CXCallEndedReason.FAILED


async def test_excluded_from_recents(system: CallSystem) -> None:
    """includes_calls_in_recents=False marks every ended call as not for Recents."""
    p = CXProvider(CXProviderConfiguration(includes_calls_in_recents=False), system=system)
    p.set_delegate(RecordingDelegate())
    u = uuid.uuid4()
    await p.report_new_incoming_call(u, update())
    p.report_call_ended(u, None, CXCallEndedReason.REMOTE_ENDED)
    ended = last_end(system)
    assert ended.recents_status is RecentsStatus.MISSED and not ended.in_recents


async def test_end_on_ringing_is_decline(system: CallSystem, incoming: Callable[..., Any]) -> None:
    """Tapping End on a ringing call declines it."""
    u = await incoming()
    await system.end(u)
    assert last_end(system).recents_status is RecentsStatus.DECLINED
    assert last_end(system).uuid == u


async def test_failed_decline_is_not_declined(
    system: CallSystem,
    provider: CXProvider,
    incoming: Callable[..., Any],
    delegate: RecordingDelegate,
) -> None:
    """If the app fails the decline, the call rings on and a later ring-out is missed."""
    u = await incoming()
    delegate.auto = False
    await system.decline(u)
    delegate.held[0].fail()
    assert system.call(u) is not None
    provider.report_call_ended(u, None, CXCallEndedReason.REMOTE_ENDED)
    assert last_end(system).recents_status is RecentsStatus.MISSED
