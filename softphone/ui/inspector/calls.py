"""Grouping records into calls and finding neighbours in time (pure functions, no Qt)."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from softphone.ui.inspector.feed import PushRecord, SipMessage, TimelineEntry

ALL_CALLS = ""


@dataclass
class CallInfo:
    """A call as the Inspector knows it: a CallKit UUID and/or the SIP Call-IDs linked to it."""

    key: str
    call_uuid: str | None
    sip_call_ids: list[str] = field(default_factory=list)
    first_at: float = 0.0
    label: str = ""


def group_calls(timeline: Sequence[TimelineEntry], sip: Sequence[SipMessage]) -> list[CallInfo]:
    """Calls in order of first appearance.

    A timeline entry carrying both a UUID and a Call-ID links them; SIP dialogs linked to no
    UUID (e.g. REGISTER) become calls of their own, keyed by Call-ID.
    """
    by_uuid: dict[str, CallInfo] = {}
    uuid_of_sip: dict[str, str] = {}
    for e in timeline:
        if e.call_uuid is None:
            continue
        info = by_uuid.get(e.call_uuid)
        if info is None:
            info = by_uuid[e.call_uuid] = CallInfo(e.call_uuid, e.call_uuid, first_at=e.at)
        info.first_at = min(info.first_at, e.at)
        if e.sip_call_id and e.sip_call_id not in info.sip_call_ids:
            info.sip_call_ids.append(e.sip_call_id)
            uuid_of_sip.setdefault(e.sip_call_id, e.call_uuid)
        if not info.label:
            info.label = _label_from(e)
    by_sip: dict[str, CallInfo] = {}
    for m in sip:
        if m.sip_call_id is None:
            continue
        if m.sip_call_id in uuid_of_sip:
            owner = by_uuid[uuid_of_sip[m.sip_call_id]]
            owner.first_at = min(owner.first_at, m.at)
            continue
        if m.sip_call_id not in by_sip:
            method = m.first_line.split(" ", 1)[0] if not m.first_line.startswith("SIP/") else "SIP"
            label = "Registration" if method == "REGISTER" else method
            by_sip[m.sip_call_id] = CallInfo(
                m.sip_call_id, None, [m.sip_call_id], m.at, f"{label} ({m.remote})"
            )
    calls = list(by_uuid.values()) + list(by_sip.values())
    calls.sort(key=lambda c: c.first_at)
    for c in calls:
        if not c.label:
            c.label = c.key[:8]
    return calls


def _label_from(e: TimelineEntry) -> str:
    for key in ("handle", "caller", "remote", "callee"):
        value = e.detail.get(key)
        if value:
            return str(value)
    return ""


def call_of_entry(entry: TimelineEntry, calls: Sequence[CallInfo]) -> CallInfo | None:
    for c in calls:
        if entry.call_uuid is not None and c.call_uuid == entry.call_uuid:
            return c
        if entry.call_uuid is None and entry.sip_call_id in c.sip_call_ids:
            return c
    return None


def call_of_message(message: SipMessage, calls: Sequence[CallInfo]) -> CallInfo | None:
    for c in calls:
        if message.sip_call_id is not None and message.sip_call_id in c.sip_call_ids:
            return c
    return None


def call_of_push(record: PushRecord, calls: Sequence[CallInfo]) -> CallInfo | None:
    """The call a push announced, found by a CallKit UUID or SIP Call-ID in its payload."""
    if not isinstance(record.payload, dict):
        return None
    values = {str(v) for v in _flat_values(record.payload)}
    for c in calls:
        if (c.call_uuid and c.call_uuid in values) or values.intersection(c.sip_call_ids):
            return c
    return None


def _flat_values(data: Any) -> list[Any]:
    if isinstance(data, dict):
        return [x for v in data.values() for x in _flat_values(v)]
    if isinstance(data, list):
        return [x for v in data for x in _flat_values(v)]
    return [data]


def entries_for(call: CallInfo | None, timeline: Sequence[TimelineEntry]) -> list[TimelineEntry]:
    """The call's timeline entries (every entry when ``call`` is None)."""
    if call is None:
        return list(timeline)
    return [
        e
        for e in timeline
        if (call.call_uuid is not None and e.call_uuid == call.call_uuid)
        or (
            e.call_uuid is None and e.sip_call_id is not None and e.sip_call_id in call.sip_call_ids
        )
    ]


def messages_for(call: CallInfo | None, sip: Sequence[SipMessage]) -> list[SipMessage]:
    """The call's SIP messages (every message when ``call`` is None)."""
    if call is None:
        return list(sip)
    return [m for m in sip if m.sip_call_id is not None and m.sip_call_id in call.sip_call_ids]


def nearest_index(times: Sequence[float], at: float) -> int:
    """Index of the sorted ``times`` closest to ``at`` (earlier one on a tie); -1 if empty."""
    if not times:
        return -1
    i = bisect.bisect_left(times, at)
    if i == 0:
        return 0
    if i == len(times):
        return len(times) - 1
    return i if times[i] - at < at - times[i - 1] else i - 1


def around(times: Sequence[float], at: float, window_s: float) -> list[int]:
    """Indices of sorted ``times`` within ``window_s`` of ``at``; at least the nearest one."""
    lo = bisect.bisect_left(times, at - window_s)
    hi = bisect.bisect_right(times, at + window_s)
    found = list(range(lo, hi))
    if not found:
        n = nearest_index(times, at)
        found = [n] if n >= 0 else []
    return found


def parties(messages: Sequence[SipMessage]) -> list[str]:
    """Ladder columns: local addresses first, then remote ones, in order of appearance."""
    local: list[str] = []
    remote: list[str] = []
    for m in messages:
        if m.local not in local:
            local.append(m.local)
    for m in messages:
        if m.remote not in remote and m.remote not in local:
            remote.append(m.remote)
    return local + remote
