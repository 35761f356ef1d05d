"""Turn service snapshots into the plain dicts QML binds to (pure functions)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from softphone.ui.numbers import format_number
from softphone.ui.service import CallQuality, CallSnapshot, CallState, DeviceSnapshot

_STATUS = {
    CallState.DIALING: "calling...",
    CallState.CONNECTING: "calling...",
    CallState.RINGING: "ringing...",
    CallState.ENDED: "Call Ended",
}


def duration_text(seconds: float) -> str:
    """``mm:ss`` (``h:mm:ss`` past an hour) like the iOS call timer."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def status_text(call: CallSnapshot, now: float) -> str:
    """The line under the caller's name."""
    if call.state == CallState.INCOMING:
        return f"{call.app_name} Audio"
    if call.on_hold or call.state == CallState.HELD:
        return "on hold"
    if call.state == CallState.ACTIVE:
        if call.remote_hold:  # iOS says the same when the other party holds
            return "on hold"
        if call.media_lost:
            return "Reconnecting…"
        return duration_text(now - call.connected_at) if call.connected_at else "00:00"
    return _STATUS.get(call.state, call.state.value)


def quality(q: CallQuality | None) -> tuple[str, str]:
    """(badge text, level good/fair/poor) from call statistics."""
    if q is None:
        return "", ""
    parts = [q.codec] if q.codec else []
    level = ""
    if q.mos is not None:
        parts.append(f"MOS {q.mos:.1f}")
        level = "good" if q.mos >= 4.0 else "fair" if q.mos >= 3.1 else "poor"
    if q.loss_percent:
        parts.append(f"{q.loss_percent:.0f}% loss")
    return " · ".join(parts), level


def initials(name: str) -> str:
    words = [w for w in name.replace("@", " ").split() if w[:1].isalpha()]
    return "".join(w[0].upper() for w in words[:2])


def call_dict(call: CallSnapshot, now: float, lookup: Callable[[str], str]) -> dict[str, Any]:
    """Everything one call row or screen shows."""
    name = call.display_name or lookup(call.handle)
    number = format_number(call.handle)
    badge, level = quality(call.quality)
    return {
        "uuid": call.uuid,
        "handle": call.handle,
        "name": name or number,
        "number": number,
        "hasName": bool(name),
        "initials": initials(name) if name else "",
        "state": call.state.value,
        "isOutgoing": call.is_outgoing,
        "statusText": status_text(call, now),
        "muted": call.muted,
        "onHold": call.on_hold or call.state == CallState.HELD,
        "remoteHold": call.remote_hold,
        "encrypted": call.encrypted,
        "group": call.group_uuid or "",
        "appName": call.app_name,
        "qualityText": badge,
        "qualityLevel": level,
    }


def registration(device: DeviceSnapshot) -> tuple[str, str]:
    """(state, short text) for the status bar: the worst account wins."""
    accounts = [a for a in device.accounts if a.state != "disabled"]
    if not accounts:
        return "none", "No SIP account"
    for state in ("failed", "registering", "unregistered"):
        bad = [a for a in accounts if a.state == state]
        if bad:
            text = {"failed": "SIP failed", "registering": "Registering…", "unregistered": "No SIP"}
            detail = f": {bad[0].reason}" if bad[0].reason else ""
            return state, text[state] + (detail if state == "failed" else "")
    return "registered", accounts[0].label if len(accounts) == 1 else f"{len(accounts)} accounts"


def route_dicts(device: DeviceSnapshot) -> list[dict[str, Any]]:
    return [
        {"deviceId": r.device_id, "name": r.name, "kind": r.kind, "selected": r.selected}
        for r in device.audio_routes
    ]


def arrange(
    calls: list[dict[str, Any]], live: list[dict[str, Any]]
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], list[dict[str, Any]]]:
    """(incoming, primary, held, conference members) the way iOS lays out several calls.

    The primary call is the first live one not on hold (else the last held); a merged
    group shows as one "Conference"; the held line is another call outside that group.
    """
    incoming = next((d for d in calls if d["state"] == "incoming"), {})
    primary = next((d for d in live if not d["onHold"]), live[-1] if live else {})
    group = primary.get("group", "")
    conference = [d for d in live if group and d["group"] == group]
    if len(conference) > 1:
        people = f"{len(conference)} people"
        primary = {
            **primary,
            "name": "Conference",
            "hasName": True,
            "initials": "",
            "number": people,
        }
    held = next(
        (
            d
            for d in live
            if d["onHold"]
            and d["uuid"] != primary.get("uuid")
            and (not group or d["group"] != group)
        ),
        {},
    )
    return incoming, primary, held, conference
