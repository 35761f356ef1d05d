"""What the system call screen's buttons turn into (iOS builds these transactions itself).

Pure planners: given the current calls, return the actions for one user intent or raise
``CallKitError`` when the intent makes no sense now.
"""

from __future__ import annotations

import uuid as _uuid
from collections.abc import Iterable

from ._actions import (
    CXAnswerCallAction,
    CXCallAction,
    CXEndCallAction,
    CXPlayDTMFCallAction,
    CXPlayDTMFCallActionType,
    CXSetGroupCallAction,
    CXSetHeldCallAction,
)
from ._errors import CallKitError
from ._errors import CXErrorCodeRequestTransactionError as TxErr
from ._record import CallRecord
from ._states import CallState

__all__ = [
    "active_others",
    "dtmf_actions",
    "plan_end_and_accept",
    "plan_hold_and_accept",
    "plan_merge",
    "plan_swap",
    "plan_unmerge",
    "waiting_choices",
]

_PAUSES = {",": CXPlayDTMFCallActionType.SOFT_PAUSE, ";": CXPlayDTMFCallActionType.HARD_PAUSE}


def _invalid(detail: str) -> CallKitError:
    return CallKitError(TxErr.INVALID_ACTION, detail)


def active_others(records: Iterable[CallRecord], ringing: CallRecord) -> list[CallRecord]:
    """Live calls other than ``ringing`` that are not on hold (what call waiting is about)."""
    return [r for r in records if r is not ringing and r.is_live and r.state is not CallState.HELD]


def _held_others(records: Iterable[CallRecord], ringing: CallRecord) -> list[CallRecord]:
    return [r for r in records if r is not ringing and r.state is CallState.HELD]


def _connected_groups(records: Iterable[CallRecord], ringing: CallRecord) -> int:
    return len({r.group_key for r in records if r.provider is ringing.provider and r.is_live})


def waiting_choices(records: list[CallRecord], ringing: CallRecord) -> tuple[str, ...]:
    """The buttons iOS shows for ``ringing`` while other calls are live."""
    active = active_others(records, ringing)
    held = _held_others(records, ringing)
    choices = ["decline"]
    holdable = all(r.state is CallState.ACTIVE and r.supports_holding for r in active)
    room = _connected_groups(records, ringing) < ringing.provider.configuration.maximum_call_groups
    if active and holdable and room:
        choices.append("hold_and_accept")
    if active:
        choices.append("end_and_accept")
    if held:
        choices.append("end_held_and_accept")
    if not active and room:
        choices.append("accept")
    return tuple(choices)


def _need_ringing(record: CallRecord) -> None:
    if record.state is not CallState.RINGING:
        raise _invalid(f"call {record.uuid} is {record.state.value}, not ringing")


def plan_hold_and_accept(records: list[CallRecord], ringing: CallRecord) -> list[CXCallAction]:
    """Hold & Accept: hold every active call, then answer (one transaction)."""
    _need_ringing(ringing)
    active = active_others(records, ringing)
    for record in active:
        if record.state is not CallState.ACTIVE:
            raise _invalid(f"call {record.uuid} is {record.state.value}; it cannot be held")
    actions: list[CXCallAction] = [CXSetHeldCallAction(r.uuid, True) for r in active]
    return [*actions, CXAnswerCallAction(ringing.uuid)]


def plan_end_and_accept(
    records: list[CallRecord], ringing: CallRecord, *, end_held: bool
) -> list[CXCallAction]:
    """End & Accept: end the active calls (or the held ones), then answer."""
    _need_ringing(ringing)
    active = active_others(records, ringing)
    held = _held_others(records, ringing)
    targets = held if end_held else (active or held)
    if not targets:
        raise _invalid("there is no other call to end")
    actions: list[CXCallAction] = [CXEndCallAction(r.uuid) for r in targets]
    return [*actions, CXAnswerCallAction(ringing.uuid)]


def _split_groups(
    records: list[CallRecord],
) -> tuple[list[CallRecord], list[CallRecord]]:
    connected = [r for r in records if r.state in (CallState.ACTIVE, CallState.HELD)]
    groups: dict[_uuid.UUID, list[CallRecord]] = {}
    for record in connected:
        groups.setdefault(record.group_key, []).append(record)
    active = [g for g in groups.values() if any(r.state is CallState.ACTIVE for r in g)]
    held = [g for g in groups.values() if all(r.state is CallState.HELD for r in g)]
    if len(active) != 1 or len(held) != 1:
        raise _invalid("this needs exactly one active and one held call (or group)")
    return active[0], held[0]


def plan_swap(records: list[CallRecord]) -> list[CXCallAction]:
    """Swap: hold the active call (group) and resume the held one."""
    active, held = _split_groups(records)
    hold: list[CXCallAction] = [CXSetHeldCallAction(r.uuid, True) for r in active]
    return hold + [CXSetHeldCallAction(r.uuid, False) for r in held]


def plan_merge(records: list[CallRecord]) -> list[CXCallAction]:
    """Merge Calls: group the held call(s) with the active one and resume them."""
    active, held = _split_groups(records)
    anchor = active[0]
    actions: list[CXCallAction] = []
    for record in held:
        actions.append(CXSetGroupCallAction(record.uuid, anchor.uuid))
        actions.append(CXSetHeldCallAction(record.uuid, False))
    return actions


def plan_unmerge(records: list[CallRecord], record: CallRecord) -> list[CXCallAction]:
    """Private (split from conference): ungroup ``record``; the rest of the group goes on hold."""
    if record.group_uuid is None:
        raise _invalid(f"call {record.uuid} is not in a conference")
    others = [r for r in records if r is not record and r.group_uuid == record.group_uuid]
    actions: list[CXCallAction] = [CXSetGroupCallAction(record.uuid, None)]
    if record.state is CallState.HELD:
        actions.append(CXSetHeldCallAction(record.uuid, False))
    actions += [CXSetHeldCallAction(r.uuid, True) for r in others if r.state is CallState.ACTIVE]
    return actions


def dtmf_actions(call_uuid: _uuid.UUID, digits: str) -> list[CXPlayDTMFCallAction]:
    """One action per keypad press: digits are tones, ``,`` a soft pause, ``;`` a hard pause."""
    if not isinstance(digits, str):
        raise TypeError(f"digits must be str, got {type(digits).__name__}")
    if not digits:
        raise ValueError("no DTMF digits given")
    actions = []
    for char in digits:
        pause = _PAUSES.get(char)
        if pause is not None:
            actions.append(CXPlayDTMFCallAction(call_uuid, "", pause))
        else:
            actions.append(CXPlayDTMFCallAction(call_uuid, char))
    return actions
