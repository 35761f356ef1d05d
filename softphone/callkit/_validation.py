"""Checks a requested transaction against the calls, as iOS does before delivering it.

Actions are checked in order against a simulation of the earlier actions' effects, so
"end A + answer B" counts A as gone when checking B's call-group limit.
"""

from __future__ import annotations

import uuid as _uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING

from ._actions import (
    CXAction,
    CXAnswerCallAction,
    CXCallAction,
    CXEndCallAction,
    CXPlayDTMFCallAction,
    CXSetGroupCallAction,
    CXSetHeldCallAction,
    CXSetMutedCallAction,
    CXStartCallAction,
)
from ._errors import CallKitError
from ._errors import CXErrorCodeRequestTransactionError as TxErr
from ._record import CallRecord
from ._states import CallState
from ._transaction import CXTransaction

if TYPE_CHECKING:
    from ._provider import CXProvider

__all__ = ["validate_transaction"]

_CONNECTED = (CallState.ACTIVE, CallState.HELD)


def _bad(detail: str, code: TxErr = TxErr.INVALID_ACTION) -> CallKitError:
    return CallKitError(code, detail)


class _Simulation:
    """The calls as they would be after the actions checked so far."""

    def __init__(self, records: Mapping[_uuid.UUID, CallRecord]) -> None:
        self.records = records
        self.ending: set[_uuid.UUID] = set()
        self.starting: set[_uuid.UUID] = set()
        self.answering: set[_uuid.UUID] = set()
        self.groups: dict[_uuid.UUID, _uuid.UUID] = {}
        self.seen: set[tuple[type, _uuid.UUID]] = set()

    def record(self, call_uuid: _uuid.UUID) -> CallRecord:
        record = self.records.get(call_uuid)
        if record is None or call_uuid in self.ending:
            raise _bad(f"no call {call_uuid}", TxErr.UNKNOWN_CALL_UUID)
        return record

    def group_of(self, record: CallRecord) -> _uuid.UUID:
        return self.groups.get(record.uuid, record.group_key)

    def group_count(self, provider: CXProvider) -> int:
        keys = {
            self.group_of(r)
            for r in self.records.values()
            if r.provider is provider
            and r.uuid not in self.ending
            and (r.state is not CallState.RINGING or r.uuid in self.answering)
        }
        return len(keys) + len(self.starting)

    def group_size(self, group: _uuid.UUID) -> int:
        return sum(
            1
            for r in self.records.values()
            if r.uuid not in self.ending and self.group_of(r) == group
        )


def _check_start(sim: _Simulation, action: CXStartCallAction, provider: CXProvider) -> None:
    if action.call_uuid in sim.records or action.call_uuid in sim.starting:
        raise _bad(f"call {action.call_uuid} already exists", TxErr.CALL_UUID_ALREADY_EXISTS)
    config = provider.configuration
    if action.handle.type not in config.supported_handle_types:
        raise _bad(f"handle type {action.handle.type.value} is not supported by the provider")
    if action.is_video and not config.supports_video:
        raise _bad("the provider does not support video")
    if sim.group_count(provider) + 1 > config.maximum_call_groups:
        raise _bad("maximum call groups reached", TxErr.MAXIMUM_CALL_GROUPS_REACHED)
    sim.starting.add(action.call_uuid)


def _check_answer(sim: _Simulation, record: CallRecord) -> None:
    if record.is_outgoing or record.state is not CallState.RINGING:
        raise _bad(f"call {record.uuid} is {record.state.value}, not ringing")
    sim.answering.add(record.uuid)
    config = record.provider.configuration
    if sim.group_count(record.provider) > config.maximum_call_groups:
        raise _bad("maximum call groups reached", TxErr.MAXIMUM_CALL_GROUPS_REACHED)


def _check_held(record: CallRecord, action: CXSetHeldCallAction) -> None:
    if record.state not in _CONNECTED:
        raise _bad(f"call {record.uuid} is {record.state.value}; only connected calls hold")
    if action.on_hold and not record.supports_holding:
        raise _bad(f"call {record.uuid} does not support holding")


def _check_group(sim: _Simulation, record: CallRecord, action: CXSetGroupCallAction) -> None:
    if record.state not in _CONNECTED:
        raise _bad(f"call {record.uuid} is {record.state.value}; only connected calls group")
    target_uuid = action.call_uuid_to_group_with
    if target_uuid is None:
        if not record.supports_ungrouping:
            raise _bad(f"call {record.uuid} does not support ungrouping")
        if sim.group_size(sim.group_of(record)) < 2:
            raise _bad(f"call {record.uuid} is not in a group")
        sim.groups[record.uuid] = record.uuid
        return
    target = sim.record(target_uuid)
    if target.provider is not record.provider or target.state not in _CONNECTED:
        raise _bad(f"call {target_uuid} cannot be grouped with {record.uuid}")
    if not (record.supports_grouping and target.supports_grouping):
        raise _bad("one of the calls does not support grouping")
    group = sim.group_of(target)
    if sim.group_of(record) == group:
        raise _bad(f"calls {record.uuid} and {target_uuid} are already grouped")
    if sim.group_size(group) + 1 > record.provider.configuration.maximum_calls_per_call_group:
        raise _bad("maximum calls per call group reached")
    sim.groups[target.uuid] = group
    sim.groups[record.uuid] = group


def _check_action(sim: _Simulation, action: CXCallAction, provider: CXProvider) -> None:
    key = (type(action), action.call_uuid)
    if key in sim.seen:
        raise _bad(f"two {type(action).__name__} for call {action.call_uuid}")
    sim.seen.add(key)
    if isinstance(action, CXStartCallAction):
        _check_start(sim, action, provider)
        return
    record = sim.record(action.call_uuid)
    if record.provider is not provider:
        raise _bad("a transaction may only hold calls of one provider")
    if isinstance(action, CXAnswerCallAction):
        _check_answer(sim, record)
    elif isinstance(action, CXEndCallAction):
        sim.ending.add(record.uuid)
    elif isinstance(action, CXSetHeldCallAction):
        _check_held(record, action)
    elif isinstance(action, CXSetMutedCallAction):
        if record.state is CallState.RINGING:
            raise _bad(f"call {record.uuid} is ringing; it cannot be muted")
    elif isinstance(action, CXPlayDTMFCallAction):
        if record.state is not CallState.ACTIVE or not record.supports_dtmf:
            raise _bad(f"call {record.uuid} cannot play DTMF now ({record.state.value})")
    elif isinstance(action, CXSetGroupCallAction):
        _check_group(sim, record, action)
    else:
        raise _bad(f"unknown action type {type(action).__name__}")


def _provider_of(
    action: CXAction, records: Mapping[_uuid.UUID, CallRecord], default: CXProvider | None
) -> CXProvider:
    if not isinstance(action, CXCallAction):
        raise _bad(f"{type(action).__name__} is not a call action")
    if isinstance(action, CXStartCallAction):
        if default is None:
            raise _bad("no provider to place the call", TxErr.UNKNOWN_CALL_PROVIDER)
        return default
    record = records.get(action.call_uuid)
    if record is None:
        raise _bad(f"no call {action.call_uuid}", TxErr.UNKNOWN_CALL_UUID)
    return record.provider


def validate_transaction(
    transaction: CXTransaction,
    records: Mapping[_uuid.UUID, CallRecord],
    default_provider: CXProvider | None,
) -> CXProvider:
    """Raise ``CallKitError`` if iOS would refuse ``transaction``; return its provider."""
    if not isinstance(transaction, CXTransaction):
        raise TypeError(f"expected a CXTransaction, got {type(transaction).__name__}")
    actions = transaction.actions
    if not actions:
        raise _bad("the transaction holds no actions", TxErr.EMPTY_TRANSACTION)
    if transaction.requested:
        raise _bad("the transaction was already requested")
    if len({id(a) for a in actions}) != len(actions) or any(a._requested for a in actions):
        raise _bad("an action may be requested only once")
    provider = _provider_of(actions[0], records, default_provider)
    if provider.is_invalidated:
        raise _bad("the provider was invalidated", TxErr.UNKNOWN_CALL_PROVIDER)
    sim = _Simulation(records)
    for action in actions:
        if _provider_of(action, records, default_provider) is not provider:
            raise _bad("a transaction may only hold calls of one provider")
        assert isinstance(action, CXCallAction)
        _check_action(sim, action, provider)
    return provider
