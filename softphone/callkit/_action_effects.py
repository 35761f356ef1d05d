"""What resolving an action does to calls, audio and groups (part of :class:`CallSystem`).

Kept apart from the request/report plumbing in ``_system``: this is the half that owns
action bookkeeping (exactly-once resolution, timeouts) and each call's state changes.
"""

from __future__ import annotations

import math
import uuid as _uuid
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from ._actions import (
    CXAction,
    CXActionState,
    CXAnswerCallAction,
    CXCallAction,
    CXEndCallAction,
    CXPlayDTMFCallAction,
    CXSetGroupCallAction,
    CXSetHeldCallAction,
    CXSetMutedCallAction,
    CXStartCallAction,
)
from ._call import CXCallEndedReason
from ._clock import Clock, TimerHandle
from ._errors import InvalidCallTransitionError
from ._events import (
    ActionFailed,
    ActionFulfilled,
    ActionTimedOut,
    AudioSessionActivated,
    AudioSessionDeactivated,
    CallConnected,
    CallEnded,
    CallGroupChanged,
    CallHoldChanged,
    CallKitEvent,
    CallMuteChanged,
    CallStateChanged,
    OutgoingCallStarted,
    OutgoingCallStartedConnecting,
)
from ._record import CallRecord, recents_status
from ._states import CallInput, CallState
from ._transaction import CXTransaction

if TYPE_CHECKING:
    from ._provider import CXProvider

__all__ = ["ActionEffects"]


class _ActionFields(TypedDict):
    at: float
    action_uuid: _uuid.UUID
    action_type: str
    call_uuid: _uuid.UUID | None
    provider_name: str


@dataclass
class _Pending:
    action: CXAction
    provider: CXProvider
    transaction: CXTransaction
    timer: TimerHandle | None = None


class ActionEffects:
    """Mixin of :class:`CallSystem`: action resolution and call state effects."""

    clock: Clock
    action_timeout: float
    _records: dict[_uuid.UUID, CallRecord]
    _transactions: dict[_uuid.UUID, tuple[CXTransaction, CXProvider]]
    _dtmf_waiting: dict[_uuid.UUID, deque[CXPlayDTMFCallAction]]
    _dtmf_busy: dict[_uuid.UUID, _uuid.UUID]

    if TYPE_CHECKING:

        def _emit(self, event: CallKitEvent) -> None: ...

        def _violation(
            self, rule: str, detail: str, call_uuid: _uuid.UUID | None = None
        ) -> None: ...

        def _to_delegate(self, provider: CXProvider, method: str, *args: object) -> None: ...

        def _notify_observers(self, record: CallRecord) -> None: ...

        def _deliver_next_dtmf(self, provider: CXProvider, call_uuid: _uuid.UUID) -> None: ...

        def _drop_dtmf(self, call_uuid: _uuid.UUID, why: str) -> None: ...

    def _init_effects(self) -> None:
        self._pending: dict[_uuid.UUID, _Pending] = {}

    # -- bookkeeping ------------------------------------------------------------------------

    def _date(self, value: object) -> float | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"a date is float seconds or None, got {value!r}")
        if not math.isfinite(value):
            raise ValueError(f"a date must be finite, got {value!r}")
        return float(value)

    def _track(self, action: CXAction, provider: CXProvider, transaction: CXTransaction) -> None:
        self._pending[action.uuid] = _Pending(action, provider, transaction)

    def _arm(self, action: CXAction) -> None:
        pending = self._pending[action.uuid]
        action.timeout_date = self.clock.now() + self.action_timeout
        pending.timer = self.clock.call_later(self.action_timeout, lambda: self._timed_out(action))

    def _finish(self, action: CXAction) -> _Pending:
        pending = self._pending.pop(action.uuid)
        if pending.timer is not None:
            pending.timer.cancel()
        transaction = pending.transaction
        if transaction.is_complete:
            self._transactions.pop(transaction.uuid, None)
        return pending

    def _action_event_fields(self, pending: _Pending) -> _ActionFields:
        action = pending.action
        return {
            "at": self.clock.now(),
            "action_uuid": action.uuid,
            "action_type": type(action).__name__,
            "call_uuid": getattr(action, "call_uuid", None),
            "provider_name": pending.provider.configuration.localized_name,
        }

    def _action_resolved(self, action: CXAction, state: CXActionState, date: float | None) -> None:
        """Called once by ``CXAction.fulfill()``/``fail()``."""
        pending = self._finish(action)
        fields = self._action_event_fields(pending)
        if state is CXActionState.FULFILLED:
            self._emit(ActionFulfilled(**fields))
            self._apply_fulfilled(pending, date)
        else:
            self._emit(ActionFailed(**fields, by_system=False, reason="failed by the app"))
            self._apply_failed(pending)
        self._after_dtmf(pending)

    def _system_fail(self, action: CXAction, why: str) -> None:
        """The system gives up on an action (provider reset/invalidated, DTMF dropped)."""
        if action.is_complete or action.uuid not in self._pending:
            return
        action.state = CXActionState.FAILED
        pending = self._finish(action)
        fields = self._action_event_fields(pending)
        self._emit(ActionFailed(**fields, by_system=True, reason=why))

    def _timed_out(self, action: CXAction) -> None:
        if action.is_complete or action.uuid not in self._pending:
            return
        action.state = CXActionState.TIMED_OUT
        pending = self._finish(action)
        self._emit(ActionTimedOut(**self._action_event_fields(pending)))
        call_uuid = getattr(action, "call_uuid", None)
        self._violation(
            "action_unresolved",
            f"{type(action).__name__} neither fulfilled nor failed in {self.action_timeout:g} s",
            call_uuid,
        )
        self._to_delegate(pending.provider, "timed_out_performing_action", pending.provider, action)
        record = self._records.get(call_uuid) if call_uuid is not None else None
        if record is not None and isinstance(action, CXEndCallAction):
            self._end_call(record, None, None)
        else:
            self._apply_failed(pending)
        self._after_dtmf(pending)

    def _after_dtmf(self, pending: _Pending) -> None:
        action = pending.action
        if not isinstance(action, CXPlayDTMFCallAction):
            return
        if self._dtmf_busy.get(action.call_uuid) != action.uuid:
            return
        if action.state is CXActionState.FULFILLED:
            self._deliver_next_dtmf(pending.provider, action.call_uuid)
        else:
            self._drop_dtmf(action.call_uuid, "an earlier DTMF tone failed")

    # -- effects of actions -----------------------------------------------------------------

    def _on_requested(self, action: CXAction, provider: CXProvider) -> None:
        if isinstance(action, CXStartCallAction):
            now = self.clock.now()
            record = CallRecord(
                action.call_uuid, provider, is_outgoing=True, handle=action.handle, started_at=now
            )
            record.has_video = action.is_video
            self._records[record.uuid] = record
            self._emit(
                OutgoingCallStarted(
                    at=now,
                    call_uuid=record.uuid,
                    provider_name=provider.configuration.localized_name,
                    handle=action.handle,
                    is_video=action.is_video,
                )
            )
            self._state_changed(record, None)
        elif isinstance(action, CXAnswerCallAction):
            record = self._records[action.call_uuid]
            if record.unanswered_timer is not None:
                record.unanswered_timer.cancel()
                record.unanswered_timer = None
            self._transition(record, CallInput.ANSWER_REQUESTED)

    def _apply_fulfilled(self, pending: _Pending, date: float | None) -> None:
        action = pending.action
        call_uuid = getattr(action, "call_uuid", None)
        record = self._records.get(call_uuid) if call_uuid is not None else None
        if record is None:
            return  # the call ended meanwhile; nothing left to change
        try:
            self._apply_to_record(record, action, date)
        except InvalidCallTransitionError as exc:
            # Already reported as a RuleViolated by _transition; the action stays fulfilled.
            del exc

    def _apply_to_record(self, record: CallRecord, action: CXAction, date: float | None) -> None:
        if isinstance(action, CXStartCallAction):
            self._transition(record, CallInput.START_FULFILLED)
            if date is not None:
                record.started_at = date
            record.audio_granted = True
            self._update_audio(record.provider)
        elif isinstance(action, CXAnswerCallAction):
            self._transition(record, CallInput.ANSWER_FULFILLED)
            self._mark_connected(record, date)
            record.audio_granted = True
            self._update_audio(record.provider)
        elif isinstance(action, CXEndCallAction):
            self._end_call(record, None, date)
        elif isinstance(action, CXSetHeldCallAction):
            self._transition(record, CallInput.HOLD if action.on_hold else CallInput.UNHOLD)
            record.on_hold = action.on_hold
            self._emit(
                CallHoldChanged(at=self.clock.now(), call_uuid=record.uuid, on_hold=action.on_hold)
            )
        elif isinstance(action, CXSetMutedCallAction):
            record.muted = action.muted
            self._emit(
                CallMuteChanged(at=self.clock.now(), call_uuid=record.uuid, muted=action.muted)
            )
            self._notify_observers(record)
        elif isinstance(action, CXSetGroupCallAction):
            self._set_group(record, action.call_uuid_to_group_with)

    def _apply_failed(self, pending: _Pending) -> None:
        action = pending.action
        if not isinstance(action, CXCallAction):
            return
        record = self._records.get(action.call_uuid)
        if record is None:
            return
        if isinstance(action, (CXStartCallAction, CXAnswerCallAction)):
            self._end_call(record, CXCallEndedReason.FAILED, None)
        elif isinstance(action, CXEndCallAction):
            record.declined = False  # the decline did not happen; the call goes on

    # -- call state -------------------------------------------------------------------------

    def _state_changed(self, record: CallRecord, old: CallState | None) -> None:
        self._emit(
            CallStateChanged(at=self.clock.now(), call_uuid=record.uuid, old=old, new=record.state)
        )
        self._notify_observers(record)

    def _transition(self, record: CallRecord, call_input: CallInput) -> None:
        old = record.state
        try:
            record.machine.process(call_input)
        except InvalidCallTransitionError as exc:
            self._violation("invalid_transition", str(exc), record.uuid)
            raise
        if record.state is not old:
            self._state_changed(record, old)

    def _mark_connected(self, record: CallRecord, when: float | None) -> None:
        if record.connected_at is not None:
            return
        record.connected_at = when if when is not None else self.clock.now()
        self._emit(
            CallConnected(
                at=self.clock.now(),
                call_uuid=record.uuid,
                is_outgoing=record.is_outgoing,
                connected_at=record.connected_at,
            )
        )
        self._notify_observers(record)

    def _emit_started_connecting(self, record: CallRecord) -> None:
        assert record.connecting_at is not None
        self._emit(
            OutgoingCallStartedConnecting(
                at=self.clock.now(),
                call_uuid=record.uuid,
                started_connecting_at=record.connecting_at,
            )
        )

    def _end_call(
        self, record: CallRecord, reason: CXCallEndedReason | None, ended_at: float | None
    ) -> None:
        if record.state is CallState.ENDED:
            return
        old = record.state
        record.machine.process(CallInput.END)
        record.ended_at = ended_at if ended_at is not None else self.clock.now()
        if record.unanswered_timer is not None:
            record.unanswered_timer.cancel()
            record.unanswered_timer = None
        del self._records[record.uuid]
        self._leave_group(record)
        self._drop_dtmf(record.uuid, "the call ended")
        self._state_changed(record, old)
        config = record.provider.configuration
        self._emit(
            CallEnded(
                at=self.clock.now(),
                call_uuid=record.uuid,
                reason=reason,
                handle=record.handle,
                localized_caller_name=record.caller_name,
                is_outgoing=record.is_outgoing,
                started_at=record.started_at,
                connected_at=record.connected_at,
                ended_at=record.ended_at,
                recents_status=recents_status(record, reason),
                in_recents=config.includes_calls_in_recents,
                provider_name=config.localized_name,
                participants=tuple(record.participants),
                has_video=record.has_video,
            )
        )
        self._update_audio(record.provider)

    # -- groups -----------------------------------------------------------------------------

    def _set_group_of(self, record: CallRecord, group: _uuid.UUID | None) -> None:
        if record.group_uuid == group:
            return
        record.group_uuid = group
        self._emit(CallGroupChanged(at=self.clock.now(), call_uuid=record.uuid, group_uuid=group))
        self._notify_observers(record)

    def _leave_group(self, record: CallRecord) -> None:
        group = record.group_uuid
        if group is None:
            return
        record.group_uuid = None
        members = [r for r in self._records.values() if r.group_uuid == group]
        if len(members) == 1:  # a group of one is no group
            self._set_group_of(members[0], None)

    def _set_group(self, record: CallRecord, target_uuid: _uuid.UUID | None) -> None:
        if target_uuid is None:
            old = record.group_uuid
            self._leave_group(record)
            record.group_uuid = old
            self._set_group_of(record, None)
            return
        target = self._records.get(target_uuid)
        if target is None:
            self._violation("group_target_gone", f"call {target_uuid} ended", record.uuid)
            return
        if target.group_uuid is None:
            self._set_group_of(target, _uuid.uuid4())
        self._leave_group(record)
        self._set_group_of(record, target.group_uuid)
        members = [r for r in self._records.values() if r.group_uuid == target.group_uuid]
        for member in members:
            for other in members:
                if other is not member and other.handle is not None:
                    member.participants[other.handle] = None

    # -- audio ------------------------------------------------------------------------------

    def _update_audio(self, provider: CXProvider) -> None:
        """Activate the session once a call's start/answer is fulfilled; deactivate when
        no call of the provider needs it (Apple: ``didActivate``/``didDeactivate``)."""
        needed = any(
            r.provider is provider and r.audio_granted and r.is_live for r in self._records.values()
        )
        session = provider.audio_session
        if needed == session.is_active:
            return
        session.is_active = needed
        name = provider.configuration.localized_name
        if needed:
            session.activation_count += 1
            self._emit(AudioSessionActivated(at=self.clock.now(), provider_name=name))
            self._to_delegate(provider, "did_activate_audio_session", provider, session)
        else:
            self._emit(AudioSessionDeactivated(at=self.clock.now(), provider_name=name))
            self._to_delegate(provider, "did_deactivate_audio_session", provider, session)
