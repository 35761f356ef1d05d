"""The calls that ended lately, who they were with and why, in plain words (``state``)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from softphone.phone.reasons import CallOutcome
from softphone.phone.voip_app import AppEvent


def recently_ended(
    outcomes: Mapping[uuid.UUID, CallOutcome], events: Sequence[AppEvent], limit: int = 10
) -> list[dict[str, Any]]:
    """The last ``limit`` calls' outcomes, oldest first: ``call``, ``outcome``, SIP
    ``code``, plain ``reason``, and ``handle``/``name`` from the call's start."""
    last = list(outcomes.items())[-limit:]
    wanted = {str(u) for u, _ in last}
    started: dict[str, dict[str, Any]] = {}
    for event in reversed(events):
        if event.name in ("call.incoming", "call.outgoing") and event.call in wanted:
            started.setdefault(event.call, event.data)
    out = []
    for call_uuid, outcome in last:
        start = started.get(str(call_uuid), {})
        out.append(
            {"call": str(call_uuid), **outcome.as_json(),
             "handle": start.get("handle"), "name": start.get("name")}
        )
    return out
