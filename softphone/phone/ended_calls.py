"""The calls that ended lately, who they were with and why, in plain words (``state``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from softphone.phone.voip_app import AppEvent

_BY = {"local": "ended on this phone", "remote": "the other side ended the call"}


def recently_ended(events: Sequence[AppEvent], limit: int = 5) -> list[dict[str, Any]]:
    """The last ``limit`` ``call.ended`` events, newest first: ``call``, ``handle`` and
    ``name`` (from the call's start), ``by`` and ``reason``."""
    ended: list[AppEvent] = []
    started: dict[str, dict[str, Any]] = {}
    for event in reversed(events):
        if event.name == "call.ended" and event.call and len(ended) < limit:
            ended.append(event)
        elif event.name in ("call.incoming", "call.outgoing") and event.call:
            started.setdefault(event.call, event.data)
    out = []
    for event in ended:
        start = started.get(event.call or "", {})
        by = str(event.data.get("by", ""))
        out.append(
            {
                "call": event.call,
                "handle": start.get("handle"),
                "name": start.get("name"),
                "by": by,
                "reason": str(event.data.get("reason") or _BY.get(by, "")),
            }
        )
    return out
