"""Swap, merge (call groups), unmerge, hold/mute, and maximum_calls_per_call_group."""

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
    CXCallController,
    CXCallUpdate,
    CXErrorCodeRequestTransactionError,
    CXProvider,
    CXProviderConfiguration,
    CXSetGroupCallAction,
    CXStartCallAction,
)

from .conftest import RecordingDelegate, of_type, phone


async def two_calls(
    system: CallSystem, outgoing: Callable[..., Any]
) -> tuple[uuid.UUID, uuid.UUID]:
    a = await outgoing("+15550000001")
    await system.set_held(a, True)
    b = await outgoing("+15550000002")
    return a, b


def states(system: CallSystem, *uuids: uuid.UUID) -> list[CallState]:
    return [system.call(u).state for u in uuids]  # type: ignore[union-attr]


class TestHoldMute:
    async def test_hold_and_resume(self, system: CallSystem, outgoing: Callable[..., Any]) -> None:
        """set_held moves ACTIVE <-> HELD once the action is fulfilled."""
        u = await outgoing()
        await system.set_held(u, True)
        assert states(system, u) == [CallState.HELD]
        assert system.call(u).is_on_hold  # type: ignore[union-attr]
        await system.set_held(u, False)
        assert states(system, u) == [CallState.ACTIVE]
        assert not system.call(u).is_on_hold  # type: ignore[union-attr]

    async def test_mute_follows_fulfilment(
        self, system: CallSystem, outgoing: Callable[..., Any], delegate: RecordingDelegate
    ) -> None:
        """is_muted changes when the mute action is fulfilled, not when requested."""
        u = await outgoing()
        delegate.auto = False
        await system.set_muted(u, True)
        assert not system.call(u).is_muted  # type: ignore[union-attr]
        delegate.held[0].fulfill()
        assert system.call(u).is_muted  # type: ignore[union-attr]

    async def test_holding_unsupported(
        self, system: CallSystem, provider: CXProvider, outgoing: Callable[..., Any]
    ) -> None:
        """A call whose update says supports_holding=False cannot be held."""
        u = await outgoing()
        provider.report_call_updated(u, CXCallUpdate(supports_holding=False))
        with pytest.raises(CallKitError):
            await system.set_held(u, True)
        with pytest.raises(TypeError):
            await system.set_muted(u, "yes")  # type: ignore[arg-type]


class TestSwapMerge:
    async def test_swap(self, system: CallSystem, outgoing: Callable[..., Any]) -> None:
        """Swap holds the active call and resumes the held one."""
        a, b = await two_calls(system, outgoing)
        await system.swap()
        assert states(system, a, b) == [CallState.ACTIVE, CallState.HELD]

    async def test_swap_needs_two(self, system: CallSystem, outgoing: Callable[..., Any]) -> None:
        """Swap with one call is invalid."""
        await outgoing()
        with pytest.raises(CallKitError) as info:
            await system.swap()
        assert info.value.code is CXErrorCodeRequestTransactionError.INVALID_ACTION

    async def test_merge_and_unmerge(
        self, system: CallSystem, outgoing: Callable[..., Any]
    ) -> None:
        """Merge groups both calls, active; unmerge splits one out and holds the rest."""
        a, b = await two_calls(system, outgoing)
        await system.merge()
        ca, cb = system.call(a), system.call(b)
        assert ca is not None and cb is not None
        assert ca.group_uuid is not None and ca.group_uuid == cb.group_uuid
        assert states(system, a, b) == [CallState.ACTIVE, CallState.ACTIVE]
        await system.unmerge(a)
        assert system.call(a).group_uuid is None  # type: ignore[union-attr]
        assert system.call(b).group_uuid is None  # type: ignore[union-attr]
        assert states(system, a, b) == [CallState.ACTIVE, CallState.HELD]

    async def test_group_hold_holds_all(
        self, system: CallSystem, outgoing: Callable[..., Any]
    ) -> None:
        """Holding a conference holds every member."""
        a, b = await two_calls(system, outgoing)
        await system.merge()
        await system.set_held(a, True)
        assert states(system, a, b) == [CallState.HELD, CallState.HELD]

    async def test_conference_participants_in_recents(
        self, system: CallSystem, outgoing: Callable[..., Any]
    ) -> None:
        """A merged call's end lists the other parties it was merged with."""
        a, b = await two_calls(system, outgoing)
        await system.merge()
        await system.end(a)
        (ended,) = of_type(system, CallEnded)
        assert ended.participants == (phone("+15550000002"),)
        # A group of one is no group.
        assert system.call(b).group_uuid is None  # type: ignore[union-attr]

    async def test_calls_per_group_limit(self, system: CallSystem) -> None:
        """maximum_calls_per_call_group caps a conference."""
        p = CXProvider(
            CXProviderConfiguration(maximum_call_groups=3, maximum_calls_per_call_group=2),
            system=system,
        )
        p.set_delegate(RecordingDelegate())
        c = CXCallController(system=system, provider=p)
        calls = [uuid.uuid4() for _ in range(3)]
        for u in calls:
            await c.request_transaction_with_action(CXStartCallAction(u, phone()))
            p.report_outgoing_call_connected(u)
        await c.request_transaction_with_action(CXSetGroupCallAction(calls[1], calls[0]))
        with pytest.raises(CallKitError) as info:
            await c.request_transaction_with_action(CXSetGroupCallAction(calls[2], calls[0]))
        assert info.value.code is CXErrorCodeRequestTransactionError.INVALID_ACTION
        assert system.call(calls[2]).group_uuid is None  # type: ignore[union-attr]
