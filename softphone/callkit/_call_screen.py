"""The user's intents on the system call screen (part of :class:`CallSystem`).

iOS turns each button of its call UI into a transaction and delivers it to the app's
provider delegate; these methods do the same (see ``_intents`` for the planning).
"""

from __future__ import annotations

import uuid as _uuid
from typing import TYPE_CHECKING

from . import _intents
from ._actions import (
    CXAction,
    CXAnswerCallAction,
    CXCallAction,
    CXEndCallAction,
    CXPlayDTMFCallAction,
    CXSetHeldCallAction,
    CXSetMutedCallAction,
)
from ._errors import CallKitError, CallWaitingChoiceRequiredError
from ._errors import CXErrorCodeRequestTransactionError as TxErr
from ._record import CallRecord
from ._states import CallState
from ._transaction import CXTransaction

if TYPE_CHECKING:
    from ._provider import CXProvider

__all__ = ["CallScreen"]


def _check_uuid(value: object) -> _uuid.UUID:
    if not isinstance(value, _uuid.UUID):
        raise TypeError(f"a call UUID must be uuid.UUID, got {type(value).__name__}")
    return value


class CallScreen:
    """Mixin of :class:`CallSystem`: what the call screen's buttons request."""

    _records: dict[_uuid.UUID, CallRecord]

    if TYPE_CHECKING:

        def _request(
            self, transaction: CXTransaction, provider: CXProvider | None, *, origin: str
        ) -> None: ...

    def _user_record(self, uuid: _uuid.UUID) -> CallRecord:
        record = self._records.get(_check_uuid(uuid))
        if record is None:
            raise CallKitError(TxErr.UNKNOWN_CALL_UUID, f"no live call {uuid}")
        return record

    def _request_actions(self, actions: list[CXCallAction]) -> None:
        """Request ``actions`` as one transaction per provider, in order."""
        batches: list[tuple[CXProvider | None, list[CXAction]]] = []
        for action in actions:
            record = self._records.get(action.call_uuid)
            provider = record.provider if record is not None else None
            if batches and batches[-1][0] is provider:
                batches[-1][1].append(action)
            else:
                batches.append((provider, [action]))
        for provider, batch in batches:
            self._request(CXTransaction(batch), provider, origin="system")

    async def answer(self, uuid: _uuid.UUID) -> None:
        """The user slid to answer (iOS requests a ``CXAnswerCallAction``).

        :raises CallWaitingChoiceRequiredError: another call is active; the UI must offer
            ``decline``, ``hold_and_accept`` or ``end_and_accept`` (see ``.choices``).
        """
        record = self._user_record(uuid)
        if record.state is CallState.RINGING:
            records = list(self._records.values())
            if _intents.active_others(records, record):
                raise CallWaitingChoiceRequiredError(
                    uuid, _intents.waiting_choices(records, record)
                )
        self._request_actions([CXAnswerCallAction(uuid)])

    async def decline(self, uuid: _uuid.UUID) -> None:
        """The user declined a ringing call (a ``CXEndCallAction``; Recents: declined)."""
        record = self._user_record(uuid)
        if record.state is not CallState.RINGING:
            raise CallKitError(TxErr.INVALID_ACTION, f"call {uuid} is not ringing")
        record.declined = True
        try:
            self._request_actions([CXEndCallAction(uuid)])
        except BaseException:
            record.declined = False
            raise

    async def end(self, uuid: _uuid.UUID) -> None:
        """The user tapped End (a ``CXEndCallAction``); on a ringing call that is Decline."""
        if self._user_record(uuid).state is CallState.RINGING:
            await self.decline(uuid)
            return
        self._request_actions([CXEndCallAction(uuid)])

    async def set_muted(self, uuid: _uuid.UUID, muted: bool) -> None:
        """The user toggled Mute (a ``CXSetMutedCallAction``)."""
        self._user_record(uuid)
        self._request_actions([CXSetMutedCallAction(uuid, muted)])

    async def set_held(self, uuid: _uuid.UUID, on_hold: bool) -> None:
        """The user toggled Hold (a ``CXSetHeldCallAction`` for the call or its whole group)."""
        record = self._user_record(uuid)
        members = [record]
        if record.group_uuid is not None:
            members = [r for r in self._records.values() if r.group_uuid == record.group_uuid]
        self._request_actions([CXSetHeldCallAction(r.uuid, on_hold) for r in members])

    async def play_dtmf(self, uuid: _uuid.UUID, digits: str) -> list[CXPlayDTMFCallAction]:
        """The user pressed keypad keys: one ``CXPlayDTMFCallAction`` per key, delivered
        one at a time (``,`` soft pause, ``;`` hard pause). Returns the actions."""
        self._user_record(uuid)
        actions = _intents.dtmf_actions(uuid, digits)
        for action in actions:
            self._request_actions([action])
        return actions

    async def swap(self) -> None:
        """The user tapped Swap: hold the active call (group), resume the held one."""
        self._request_actions(_intents.plan_swap(list(self._records.values())))

    async def merge(self) -> None:
        """The user tapped Merge Calls (``CXSetGroupCallAction`` + resume)."""
        self._request_actions(_intents.plan_merge(list(self._records.values())))

    async def unmerge(self, uuid: _uuid.UUID) -> None:
        """The user tapped Private on a conference member: split it out, hold the rest."""
        record = self._user_record(uuid)
        self._request_actions(_intents.plan_unmerge(list(self._records.values()), record))

    async def hold_and_accept(self, uuid: _uuid.UUID) -> None:
        """Call waiting, Hold & Accept: one transaction of set-held + answer."""
        record = self._user_record(uuid)
        self._request_actions(_intents.plan_hold_and_accept(list(self._records.values()), record))

    async def end_and_accept(self, uuid: _uuid.UUID, *, end_held: bool = False) -> None:
        """Call waiting, End & Accept: end the active call (or the held one), then answer."""
        record = self._user_record(uuid)
        plan = _intents.plan_end_and_accept(list(self._records.values()), record, end_held=end_held)
        self._request_actions(plan)
