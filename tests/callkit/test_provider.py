"""CXProvider reports: incoming calls, updates, outgoing progress, ends, invalidate, reset."""

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
    CXCallEndedReason,
    CXCallUpdate,
    CXEndCallAction,
    CXErrorCode,
    CXErrorCodeIncomingCallError,
    CXErrorCodeRequestTransactionError,
    CXProvider,
    CXProviderConfiguration,
    CXStartCallAction,
    IncomingCallRejected,
    IncomingCallReported,
    InvalidCallTransitionError,
    ManualClock,
    ProviderReset,
    RuleViolated,
)

from .conftest import RecordingDelegate, of_type, phone, update


class TestIncoming:
    async def test_reported_call_rings(self, system: CallSystem, provider: CXProvider) -> None:
        """A reported call is listed as RINGING with its handle and caller name."""
        u = uuid.uuid4()
        await provider.report_new_incoming_call(u, update(name="Alice"))
        call = system.call(u)
        assert call is not None
        assert call.state is CallState.RINGING
        assert call.localized_caller_name == "Alice"
        assert call.handle == phone()
        assert not call.is_outgoing and not call.has_connected
        assert [e.call_uuid for e in of_type(system, IncomingCallReported)] == [u]

    async def test_duplicate_uuid(self, system: CallSystem, provider: CXProvider) -> None:
        """Reporting the same UUID twice raises call_uuid_already_exists."""
        u = uuid.uuid4()
        await provider.report_new_incoming_call(u, update())
        with pytest.raises(CallKitError) as info:
            await provider.report_new_incoming_call(u, update())
        assert info.value.code is CXErrorCodeIncomingCallError.call_uuid_already_exists
        assert len(system.calls) == 1

    async def test_do_not_disturb(self, system: CallSystem, provider: CXProvider) -> None:
        """With DND on, a report fails with filtered_by_do_not_disturb and shows as missed."""
        system.do_not_disturb = True
        with pytest.raises(CallKitError) as info:
            await provider.report_new_incoming_call(uuid.uuid4(), update())
        assert info.value.code is CXErrorCodeIncomingCallError.FILTERED_BY_DO_NOT_DISTURB
        assert system.calls == []
        (rejected,) = of_type(system, IncomingCallRejected)
        assert rejected.recents_status.value == "missed" and rejected.in_recents
        system.do_not_disturb = False
        await provider.report_new_incoming_call(uuid.uuid4(), update())
        assert len(system.calls) == 1

    async def test_call_limit(self, system: CallSystem) -> None:
        """Beyond maximum_call_groups plus one waiting call, reports fail (call_limit_reached)."""
        p = CXProvider(CXProviderConfiguration(maximum_call_groups=1), system=system)
        p.set_delegate(RecordingDelegate())
        await p.report_new_incoming_call(uuid.uuid4(), update("+1555000001"))
        await p.report_new_incoming_call(uuid.uuid4(), update("+1555000002"))
        with pytest.raises(CallKitError) as info:
            await p.report_new_incoming_call(uuid.uuid4(), update("+1555000003"))
        assert info.value.code is CXErrorCodeIncomingCallError.CALL_LIMIT_REACHED
        assert len(system.calls) == 2

    async def test_bad_types(self, system: CallSystem, provider: CXProvider) -> None:
        """Wrong argument types raise TypeError and report nothing."""
        with pytest.raises(TypeError):
            await provider.report_new_incoming_call("abc", update())  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            await provider.report_new_incoming_call(uuid.uuid4(), {"handle": "1"})  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            CXCallUpdate(localized_caller_name=3)  # type: ignore[arg-type]
        assert system.calls == [] and system.events == []


class TestUpdatesAndEnds:
    async def test_update_changes_fields(
        self, system: CallSystem, provider: CXProvider, incoming: Callable[..., Any]
    ) -> None:
        """report_call_updated changes only the fields it sets."""
        u = await incoming(name="Alice")
        provider.report_call_updated(u, CXCallUpdate(supports_holding=False, has_video=True))
        call = system.call(u)
        assert call is not None
        assert call.localized_caller_name == "Alice"
        assert not call.supports_holding and call.has_video

    async def test_unknown_uuid(self, provider: CXProvider) -> None:
        """Reports about an unknown call raise unknown_call_uuid."""
        with pytest.raises(CallKitError) as info:
            provider.report_call_updated(uuid.uuid4(), CXCallUpdate())
        assert info.value.code is CXErrorCodeRequestTransactionError.UNKNOWN_CALL_UUID
        with pytest.raises(CallKitError):
            provider.report_call_ended(uuid.uuid4(), None, CXCallEndedReason.FAILED)

    async def test_other_providers_call(
        self, system: CallSystem, provider: CXProvider, incoming: Callable[..., Any]
    ) -> None:
        """A provider cannot report on another provider's call."""
        u = await incoming()
        other = CXProvider(CXProviderConfiguration(localized_name="Other"), system=system)
        with pytest.raises(CallKitError):
            other.report_call_ended(u, None, CXCallEndedReason.REMOTE_ENDED)
        assert system.call(u) is not None

    async def test_end_reason_type(
        self, system: CallSystem, provider: CXProvider, incoming: Callable[..., Any]
    ) -> None:
        """report_call_ended needs a CXCallEndedReason."""
        u = await incoming()
        with pytest.raises(TypeError):
            provider.report_call_ended(u, None, "remote")  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            provider.report_call_ended(u, "now", CXCallEndedReason.REMOTE_ENDED)  # type: ignore[arg-type]
        assert system.call(u) is not None

    async def test_remote_end(
        self,
        system: CallSystem,
        provider: CXProvider,
        incoming: Callable[..., Any],
        clock: ManualClock,
    ) -> None:
        """A remote end removes the call and records when it ended."""
        u = await incoming()
        provider.report_call_ended(u, 1234.5, CXCallEndedReason.REMOTE_ENDED)
        assert system.call(u) is None
        (ended,) = of_type(system, CallEnded)
        assert ended.ended_at == 1234.5 and ended.reason is CXCallEndedReason.REMOTE_ENDED
        with pytest.raises(CallKitError):
            provider.report_call_ended(u, None, CXCallEndedReason.REMOTE_ENDED)


class TestOutgoing:
    async def test_progress_and_timestamps(
        self,
        system: CallSystem,
        provider: CXProvider,
        controller: CXCallController,
        clock: ManualClock,
    ) -> None:
        """Start -> started connecting -> connected, with the reported timestamps."""
        u = uuid.uuid4()
        await controller.request_transaction_with_action(CXStartCallAction(u, phone()))
        assert system.call(u).state is CallState.DIALING  # type: ignore[union-attr]
        clock.advance(1)
        provider.report_outgoing_call_started_connecting(u, at=1001.0)
        assert system.call(u).state is CallState.CONNECTING  # type: ignore[union-attr]
        provider.report_outgoing_call_connected(u, at=1002.5)
        call = system.call(u)
        assert call is not None and call.state is CallState.ACTIVE
        assert call.is_outgoing and call.has_connected and call.connected_at == 1002.5

    async def test_connected_report_on_incoming(
        self, system: CallSystem, provider: CXProvider, incoming: Callable[..., Any]
    ) -> None:
        """Outgoing-only reports on an incoming call raise and are flagged."""
        u = await incoming()
        with pytest.raises(CallKitError) as info:
            provider.report_outgoing_call_connected(u)
        assert info.value.code is CXErrorCode.INVALID_ARGUMENT
        assert system.call(u).state is CallState.RINGING  # type: ignore[union-attr]
        assert of_type(system, RuleViolated)

    async def test_out_of_order_report(
        self, system: CallSystem, provider: CXProvider, outgoing: Callable[..., Any]
    ) -> None:
        """'Started connecting' after 'connected' is an invalid transition."""
        u = await outgoing()
        with pytest.raises(InvalidCallTransitionError):
            provider.report_outgoing_call_started_connecting(u)
        assert system.call(u).state is CallState.ACTIVE  # type: ignore[union-attr]


class TestLifetime:
    async def test_did_begin(self, provider: CXProvider, delegate: RecordingDelegate) -> None:
        """Setting a delegate calls provider_did_begin."""
        assert delegate.names() == ["provider_did_begin"]

    async def test_invalidate(
        self,
        system: CallSystem,
        provider: CXProvider,
        incoming: Callable[..., Any],
        controller: CXCallController,
    ) -> None:
        """invalidate() ends every call; later reports and requests raise."""
        u = await incoming()
        provider.invalidate()
        assert system.calls == []
        (ended,) = of_type(system, CallEnded)
        assert ended.call_uuid == u and ended.reason is CXCallEndedReason.FAILED
        with pytest.raises(CallKitError) as info:
            await provider.report_new_incoming_call(uuid.uuid4(), update())
        assert info.value.code is CXErrorCode.PROVIDER_INVALIDATED
        with pytest.raises(CallKitError) as info:
            provider.report_call_updated(u, CXCallUpdate())
        assert info.value.code is CXErrorCode.PROVIDER_INVALIDATED
        with pytest.raises(CallKitError) as info:
            await controller.request_transaction_with_action(
                CXStartCallAction(uuid.uuid4(), phone())
            )
        assert info.value.code is CXErrorCodeRequestTransactionError.UNKNOWN_CALL_PROVIDER

    async def test_invalidate_fails_pending_actions(
        self,
        system: CallSystem,
        provider: CXProvider,
        controller: CXCallController,
        delegate: RecordingDelegate,
    ) -> None:
        """Invalidating resolves (fails) every pending action of the provider."""
        delegate.auto = False
        action = CXStartCallAction(uuid.uuid4(), phone())
        await controller.request_transaction_with_action(action)
        provider.invalidate()
        assert action.is_complete and system.pending_actions == []

    async def test_reset(
        self,
        system: CallSystem,
        provider: CXProvider,
        incoming: Callable[..., Any],
        delegate: RecordingDelegate,
    ) -> None:
        """reset_provider ends calls and tells the delegate provider_did_reset."""
        await incoming()
        system.reset_provider(provider)
        assert system.calls == []
        assert delegate.names()[-1] == "provider_did_reset"
        assert of_type(system, ProviderReset)
        await provider.report_new_incoming_call(uuid.uuid4(), update())
        assert len(system.calls) == 1
        with pytest.raises(ValueError):
            system.reset_provider(object())  # type: ignore[arg-type]

    async def test_report_without_delegate(self, system: CallSystem) -> None:
        """Reporting before setting a delegate works but is flagged (Apple's checklist)."""
        p = CXProvider(CXProviderConfiguration(), system=system)
        await p.report_new_incoming_call(uuid.uuid4(), update())
        assert [e.rule for e in of_type(system, RuleViolated)] == ["no_delegate"]

    def test_configuration_checks(self) -> None:
        """The configuration refuses nonsense limits and types."""
        with pytest.raises(ValueError):
            CXProviderConfiguration(maximum_call_groups=0)
        with pytest.raises(TypeError):
            CXProviderConfiguration(maximum_calls_per_call_group=2.5)  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            CXProvider("config", system=CallSystem(ManualClock()))  # type: ignore[arg-type]


async def test_controller_sees_only_its_providers_calls(
    system: CallSystem, controller: CXCallController
) -> None:
    """An app's controller cannot act on another app's call (unknown_call_uuid)."""
    other = CXProvider(CXProviderConfiguration(localized_name="Other"), system=system)
    other.set_delegate(RecordingDelegate())
    u = uuid.uuid4()
    await other.report_new_incoming_call(u, update())
    with pytest.raises(CallKitError) as info:
        await controller.request_transaction_with_action(CXEndCallAction(u))
    assert info.value.code is CXErrorCodeRequestTransactionError.UNKNOWN_CALL_UUID
    assert system.call(u) is not None
    await system.end(u)  # the system call screen can
    assert system.call(u) is None


async def test_close_leaves_nothing_behind(
    system: CallSystem,
    provider: CXProvider,
    incoming: Callable[..., Any],
    outgoing: Callable[..., Any],
    delegate: RecordingDelegate,
    clock: ManualClock,
) -> None:
    """close() ends every call, resolves every action and cancels every timer."""
    await incoming()
    await outgoing()
    delegate.auto = False
    await system.set_muted(system.calls[1].uuid, True)
    system.close()
    assert system.calls == [] and system.pending_actions == []
    assert clock.pending_timers == 0 and not system.audio_active
    assert provider.is_invalidated


class TestDoNotDisturbExceptions:
    async def test_allowed_numbers_ring_through(
        self, system: CallSystem, provider: CXProvider
    ) -> None:
        """Numbers allowed by the Focus ring through Do Not Disturb."""
        system.do_not_disturb = True
        system.do_not_disturb_allowed_numbers.add(15551230001)
        await provider.report_new_incoming_call(uuid.uuid4(), update("+15551230001"))
        with pytest.raises(CallKitError):
            await provider.report_new_incoming_call(uuid.uuid4(), update("+15551230002"))
        assert len(system.calls) == 1

    async def test_repeated_calls(
        self, system: CallSystem, provider: CXProvider, clock: ManualClock
    ) -> None:
        """With 'Allow Repeated Calls', a second call within 3 minutes rings; a later one not."""
        system.do_not_disturb = True
        system.do_not_disturb_allows_repeated_calls = True
        for _ in range(2):
            with pytest.raises(CallKitError):
                await provider.report_new_incoming_call(uuid.uuid4(), update("+15551230001"))
            clock.advance(181)
        with pytest.raises(CallKitError):
            await provider.report_new_incoming_call(uuid.uuid4(), update("+15551230001"))
        clock.advance(179)
        await provider.report_new_incoming_call(uuid.uuid4(), update("+15551230001"))
        assert len(system.calls) == 1

    async def test_repeated_calls_off_by_default(
        self, system: CallSystem, provider: CXProvider
    ) -> None:
        """Without the option, every call is silenced."""
        system.do_not_disturb = True
        for _ in range(3):
            with pytest.raises(CallKitError):
                await provider.report_new_incoming_call(uuid.uuid4(), update("+15551230001"))
        assert system.calls == []
