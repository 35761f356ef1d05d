"""What providers report: new incoming calls, updates, outgoing progress, ends.

Part of :class:`CallSystem`; applies Do Not Disturb, the call directory and the call
limits to incoming calls, and starts each call's unanswered timer.
"""

from __future__ import annotations

import uuid as _uuid
from typing import TYPE_CHECKING

from . import _intents
from ._action_effects import ActionEffects
from ._actions import CXEndCallAction
from ._call import CXCallEndedReason, RecentsStatus
from ._directory import CallDirectory
from ._errors import CallKitError, CXErrorCode, CXErrorCodeIncomingCallError, ErrorCode
from ._errors import CXErrorCodeRequestTransactionError as TxErr
from ._events import CallUpdated, CallWaitingPresented, IncomingCallRejected, IncomingCallReported
from ._handle import CXCallUpdate, e164_number
from ._record import CallRecord
from ._states import CallInput, CallState
from ._transaction import CXTransaction

if TYPE_CHECKING:
    from ._provider import CXProvider

__all__ = ["REPEATED_CALL_WINDOW", "ProviderReports"]

#: iOS Focus treats a second call within three minutes as "repeated".
REPEATED_CALL_WINDOW = 180.0


def _check_uuid(value: object) -> _uuid.UUID:
    if not isinstance(value, _uuid.UUID):
        raise TypeError(f"a call UUID must be uuid.UUID, got {type(value).__name__}")
    return value


class ProviderReports(ActionEffects):
    """Mixin of :class:`CallSystem`: handling ``CXProvider``'s ``report*`` calls."""

    call_directory: CallDirectory
    unanswered_timeout: float
    do_not_disturb_allowed_numbers: set[int]
    do_not_disturb_allows_repeated_calls: bool
    _dnd: bool
    _dnd_silenced: dict[int, float]

    if TYPE_CHECKING:

        def _start_transaction(
            self, provider: CXProvider, transaction: CXTransaction, origin: str
        ) -> None: ...

    def _check_provider(self, provider: CXProvider) -> None:
        if provider.is_invalidated:
            raise CallKitError(CXErrorCode.PROVIDER_INVALIDATED, f"{provider!r} was invalidated")

    def _own_record(self, provider: CXProvider, uuid: _uuid.UUID) -> CallRecord:
        self._check_provider(provider)
        record = self._records.get(_check_uuid(uuid))
        if record is None or record.provider is not provider:
            raise CallKitError(TxErr.UNKNOWN_CALL_UUID, f"{provider!r} has no live call {uuid}")
        return record

    def _reject_incoming(
        self,
        provider: CXProvider,
        uuid: _uuid.UUID,
        update: CXCallUpdate,
        code: ErrorCode,
        reason: str,
        status: RecentsStatus | None,
    ) -> CallKitError:
        in_recents = status is not None and status is not RecentsStatus.BLOCKED
        self._emit(
            IncomingCallRejected(
                at=self.clock.now(),
                call_uuid=uuid,
                provider_name=provider.configuration.localized_name,
                handle=update.remote_handle,
                code=code,
                reason=reason,
                recents_status=status,
                in_recents=in_recents and provider.configuration.includes_calls_in_recents,
            )
        )
        return CallKitError(code, reason)

    def _dnd_filters(self, number: int | None) -> bool:
        if not self._dnd:
            return False
        if number is None:
            return True
        if number in self.do_not_disturb_allowed_numbers:
            return False
        now = self.clock.now()
        last = self._dnd_silenced.get(number)
        repeated = last is not None and now - last <= REPEATED_CALL_WINDOW
        if self.do_not_disturb_allows_repeated_calls and repeated:
            return False
        self._dnd_silenced = {
            n: t for n, t in self._dnd_silenced.items() if now - t <= REPEATED_CALL_WINDOW
        }
        self._dnd_silenced[number] = now
        return True

    def _incoming_over_limit(self, provider: CXProvider) -> bool:
        # One ringing call beyond the group limit is allowed: that is the call-waiting case.
        groups = {r.group_key for r in self._records.values() if r.provider is provider}
        return len(groups) > provider.configuration.maximum_call_groups

    def _report_incoming(
        self, provider: CXProvider, uuid: _uuid.UUID, update: CXCallUpdate
    ) -> None:
        self._check_provider(provider)
        _check_uuid(uuid)
        if not isinstance(update, CXCallUpdate):
            raise TypeError(f"update must be a CXCallUpdate, got {type(update).__name__}")
        update.validate()
        err = CXErrorCodeIncomingCallError
        if uuid in self._records:
            raise self._reject_incoming(
                provider, uuid, update, err.CALL_UUID_ALREADY_EXISTS, "duplicate call UUID", None
            )
        number = e164_number(update.remote_handle)
        if self.call_directory.is_blocked(number):
            raise self._reject_incoming(
                provider,
                uuid,
                update,
                err.FILTERED_BY_BLOCK_LIST,
                "caller is blocked",
                RecentsStatus.BLOCKED,
            )
        if self._dnd_filters(number):
            raise self._reject_incoming(
                provider,
                uuid,
                update,
                err.FILTERED_BY_DO_NOT_DISTURB,
                "Do Not Disturb is on",
                RecentsStatus.MISSED,
            )
        if self._incoming_over_limit(provider):
            raise self._reject_incoming(
                provider,
                uuid,
                update,
                err.CALL_LIMIT_REACHED,
                "too many calls",
                RecentsStatus.MISSED,
            )
        self._add_incoming(provider, uuid, update, number)

    def _add_incoming(
        self, provider: CXProvider, uuid: _uuid.UUID, update: CXCallUpdate, number: int | None
    ) -> None:
        now = self.clock.now()
        if provider.delegate is None:
            # Apple: set the CXProviderDelegate before reporting any calls.
            self._violation("no_delegate", f"{provider!r} reported a call without a delegate", uuid)
        record = CallRecord(
            uuid, provider, is_outgoing=False, handle=update.remote_handle, started_at=now
        )
        record.apply_update(update)
        identified = False
        if not record.caller_name:
            label = self.call_directory.label_for(number)
            if label is not None:
                record.caller_name, identified = label, True
        self._records[uuid] = record
        record.unanswered_timer = self.clock.call_later(
            self.unanswered_timeout, lambda: self._unanswered(uuid)
        )
        self._emit(
            IncomingCallReported(
                at=now,
                call_uuid=uuid,
                provider_name=provider.configuration.localized_name,
                handle=record.handle,
                localized_caller_name=record.caller_name,
                has_video=record.has_video,
                identified_by_directory=identified,
            )
        )
        self._state_changed(record, None)
        others = [r.uuid for r in self._records.values() if r is not record and r.is_live]
        if others:
            choices = _intents.waiting_choices(list(self._records.values()), record)
            self._emit(
                CallWaitingPresented(
                    at=now, call_uuid=uuid, other_call_uuids=tuple(others), choices=choices
                )
            )

    def _unanswered(self, uuid: _uuid.UUID) -> None:
        record = self._records.get(uuid)
        if record is None or record.state is not CallState.RINGING:
            return
        self._end_call(record, CXCallEndedReason.UNANSWERED, None)
        # Tell the app too, so it can reject the call on its side (e.g. SIP 480/487).
        self._start_transaction(record.provider, CXTransaction([CXEndCallAction(uuid)]), "system")

    def _report_updated(self, provider: CXProvider, uuid: _uuid.UUID, update: CXCallUpdate) -> None:
        record = self._own_record(provider, uuid)
        if not isinstance(update, CXCallUpdate):
            raise TypeError(f"update must be a CXCallUpdate, got {type(update).__name__}")
        update.validate()
        record.apply_update(update)
        self._emit(CallUpdated(at=self.clock.now(), call_uuid=uuid, call=record.snapshot()))
        self._notify_observers(record)

    def _report_ended(
        self,
        provider: CXProvider,
        uuid: _uuid.UUID,
        ended_at: float | None,
        reason: CXCallEndedReason,
    ) -> None:
        record = self._own_record(provider, uuid)
        if not isinstance(reason, CXCallEndedReason):
            raise TypeError(f"reason must be a CXCallEndedReason, got {reason!r}")
        self._end_call(record, reason, self._date(ended_at))

    def _outgoing_record(self, provider: CXProvider, uuid: _uuid.UUID) -> CallRecord:
        record = self._own_record(provider, uuid)
        if not record.is_outgoing:
            self._violation("outgoing_report_on_incoming", f"call {uuid} is incoming", uuid)
            raise CallKitError(CXErrorCode.INVALID_ARGUMENT, f"call {uuid} is not outgoing")
        return record

    def _report_started_connecting(
        self, provider: CXProvider, uuid: _uuid.UUID, at: float | None
    ) -> None:
        record = self._outgoing_record(provider, uuid)
        when = self._date(at)
        self._transition(record, CallInput.STARTED_CONNECTING)
        record.connecting_at = when if when is not None else self.clock.now()
        self._emit_started_connecting(record)

    def _report_connected(self, provider: CXProvider, uuid: _uuid.UUID, at: float | None) -> None:
        record = self._outgoing_record(provider, uuid)
        when = self._date(at)
        self._transition(record, CallInput.CONNECTED)
        self._mark_connected(record, when)
