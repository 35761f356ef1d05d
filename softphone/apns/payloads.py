"""Presets that compose VoIP push payloads in the formats real services send
(QuickBlox, Sinch, Stream Video, Flexisip/Linphone, Twilio), for the push console/CLI."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

__all__ = ["PRESETS", "compose"]

Payload = dict[str, Any]


def quickblox(caller: str, call_id: str, handle: str, now: float) -> Payload:
    return {
        "ios_voip": "1",
        "message": f"{caller} is calling you.",
        "sessionID": call_id,
        "opponentsIDs": handle or "1001,1002",
        "contactIdentifier": caller,
        "conferenceType": "2",
        "timestamp": str(int(now * 1000)),
    }


def sinch(caller: str, call_id: str, handle: str, now: float) -> Payload:
    return {
        "aps": {"alert": {"loc-key": "SIN_INCOMING_CALL_DISPLAY_NAME", "loc-args": [caller]}},
        "sin": call_id,
    }


def stream(caller: str, call_id: str, handle: str, now: float) -> Payload:
    cid = call_id if ":" in call_id else f"default:{call_id}"
    return {
        "aps": {"alert": {"call_cid": cid, "user_ids": handle or caller}},
        "stream": {
            "sender": "stream.video",
            "type": "call.ring",
            "call_cid": cid,
            "created_by_id": handle or caller.lower().replace(" ", "-"),
            "created_by_display_name": caller,
        },
    }


def flexisip(caller: str, call_id: str, handle: str, now: float) -> Payload:
    return {
        "aps": {},
        "call-id": call_id,
        "from-uri": handle or f"sip:{caller.lower().replace(' ', '.')}@example.org",
        "display-name": caller,
        "uuid": str(uuid.uuid4()),
        "send-time": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(now)),
        "pn_ttl": 30,
    }


def twilio(caller: str, call_id: str, handle: str, now: float) -> Payload:
    return {
        "twi_message_type": "twilio.voice.call",
        "twi_call_sid": call_id if call_id.startswith("CA") else f"CA{uuid.uuid4().hex}",
        "twi_from": handle or f"client:{caller}",
        "twi_to": "client:softphone",
        "twi_bridge_token": "emulated",
        "twi_account_sid": "AC" + "0" * 32,
    }


PRESETS: dict[str, Callable[[str, str, str, float], Payload]] = {
    "quickblox": quickblox,
    "sinch": sinch,
    "stream": stream,
    "flexisip": flexisip,
    "twilio": twilio,
}


def compose(
    preset: str,
    caller: str = "Alice",
    call_id: str | None = None,
    handle: str = "",
    now: float | None = None,
) -> Payload:
    """A VoIP push payload in ``preset``'s format (raises KeyError listing the presets)."""
    try:
        build = PRESETS[preset]
    except KeyError:
        raise KeyError(f"unknown preset {preset!r}; use one of {', '.join(PRESETS)}") from None
    return build(caller, call_id or str(uuid.uuid4()), handle, time.time() if now is None else now)
