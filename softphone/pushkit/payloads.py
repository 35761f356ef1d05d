"""VoIP push payload parsers: QuickBlox, Sinch, Stream Video, Flexisip/Linphone, Twilio.

Every payload becomes an :class:`IncomingPushCall` (what the app puts in a CXCallUpdate).
Unknown or malformed payloads still give a call ("Unknown caller") with the reason,
because iOS requires every VoIP push to be reported. :func:`parse_voip_payload` never raises.
"""

from __future__ import annotations

import calendar
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["UNKNOWN_CALLER", "IncomingPushCall", "parse_voip_payload"]

UNKNOWN_CALLER = "Unknown caller"
_MAX_TEXT = 256


@dataclass(frozen=True)
class IncomingPushCall:
    """The caller a VoIP push announces (for ``CXCallUpdate``: localized name, handle)."""

    caller_name: str
    handle: str
    call_id: str
    service: str
    raw: Any = field(repr=False, compare=False, default=None)
    reason: str = ""
    sent_at: float | None = None
    has_video: bool = False

    @property
    def known(self) -> bool:
        return not self.reason


def _text(value: Any) -> str | None:
    """A short clean string from a JSON scalar, else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        value = str(value)
    if not isinstance(value, str):
        return None
    cleaned = "".join(ch for ch in value if ch.isprintable()).strip()
    return cleaned[:_MAX_TEXT] or None


def _get(obj: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(obj, Mapping):
            return None
        obj = obj.get(key)
    return obj


def _epoch(value: Any, millis: bool = False) -> float | None:
    text = _text(value)
    if text is None:
        return None
    try:
        number = float(text)
    except ValueError:
        try:
            return float(calendar.timegm(time.strptime(text, "%Y-%m-%d %H:%M:%S")))
        except (ValueError, OverflowError):
            return None
    if number != number or number in (float("inf"), float("-inf")):
        return None
    return number / 1000.0 if millis else number


def _quickblox(p: Mapping[str, Any]) -> IncomingPushCall | None:
    if "ios_voip" not in p and "sessionID" not in p:
        return None
    session = _text(p.get("sessionID"))
    name = _text(p.get("contactIdentifier"))
    handle = _text(p.get("opponentsIDs")) or ""
    if session is None:
        return _unknown(p, "quickblox", "QuickBlox push without sessionID")
    return IncomingPushCall(
        name or UNKNOWN_CALLER,
        handle,
        session,
        "quickblox",
        p,
        "" if name else "QuickBlox push without contactIdentifier",
        _epoch(p.get("timestamp"), millis=True),
        _text(p.get("conferenceType")) == "1",
    )


def _sinch(p: Mapping[str, Any]) -> IncomingPushCall | None:
    if "sin" not in p:
        return None
    sin = _text(p.get("sin"))
    alert = _get(p, "aps", "alert")
    name = None
    if _text(_get(alert, "loc-key")) == "SIN_INCOMING_CALL_DISPLAY_NAME":
        args = _get(alert, "loc-args")
        if isinstance(args, list) and args:
            name = _text(args[0])
    if sin is None:
        return _unknown(p, "sinch", "Sinch push with an empty 'sin'")
    call_id = sin[:64]
    reason = "" if name else "Sinch push without a display name"
    return IncomingPushCall(name or UNKNOWN_CALLER, "", call_id, "sinch", p, reason)


def _stream(p: Mapping[str, Any]) -> IncomingPushCall | None:
    stream = p.get("stream")
    alert = _get(p, "aps", "alert")
    cid = _text(_get(stream, "call_cid")) or _text(_get(alert, "call_cid"))
    if not isinstance(stream, Mapping) and cid is None:
        return None
    name = _text(_get(stream, "created_by_display_name"))
    handle = _text(_get(stream, "created_by_id")) or ""
    if name is None:
        ids = _text(_get(alert, "user_ids"))
        if ids:
            parts = [x.strip() for x in ids.split(",") if x.strip()]
            if len(parts) == 1:
                name = parts[0]
            elif len(parts) == 2:
                name = f"{parts[0]} and {parts[1]}"
            elif parts:
                name = f"{parts[0]}, {parts[1]} and {len(parts) - 2} others"
    if cid is None or ":" not in cid:
        return _unknown(p, "stream", f"Stream push with a bad call_cid {cid!r}")
    reason = "" if name else "Stream push without a caller"
    return IncomingPushCall(name or UNKNOWN_CALLER, handle, cid, "stream", p, reason)


def _flexisip(p: Mapping[str, Any]) -> IncomingPushCall | None:
    if "call-id" not in p and "from-uri" not in p:
        return None
    call_id = _text(p.get("call-id"))
    uri = _text(p.get("from-uri")) or ""
    name = _text(p.get("display-name")) or _user_of(uri)
    if call_id is None:
        return _unknown(p, "flexisip", "Flexisip push without call-id")
    reason = "" if name else "Flexisip push without from-uri/display-name"
    sent = _epoch(p.get("send-time"))
    return IncomingPushCall(name or UNKNOWN_CALLER, uri, call_id, "flexisip", p, reason, sent)


def _user_of(uri: str) -> str | None:
    if not uri:
        return None
    rest = uri.split(":", 1)[-1]
    return rest.split("@", 1)[0] or None


def _twilio(p: Mapping[str, Any]) -> IncomingPushCall | None:
    if not any(str(k).startswith("twi_") for k in p):
        return None
    sid = _text(p.get("twi_call_sid"))
    caller = _text(p.get("twi_from"))
    if sid is None:
        return _unknown(p, "twilio", "Twilio push without twi_call_sid")
    name = _user_of(caller) if caller and caller.startswith("client:") else caller
    reason = "" if caller else "Twilio push without twi_from"
    return IncomingPushCall(name or UNKNOWN_CALLER, caller or "", sid, "twilio", p, reason)


def _unknown(raw: Any, service: str, reason: str) -> IncomingPushCall:
    return IncomingPushCall(UNKNOWN_CALLER, "", "", service, raw, reason)


_PARSERS = (_quickblox, _sinch, _stream, _twilio, _flexisip)


def parse_voip_payload(payload: Any) -> IncomingPushCall:
    """The caller of a VoIP push in any known format; never raises.

    Unknown or malformed payloads give ``caller_name == "Unknown caller"`` and a
    ``reason`` saying why (report the call anyway, as iOS requires).
    """
    if not isinstance(payload, Mapping):
        return _unknown(payload, "unknown", f"payload is a {type(payload).__name__}, not an object")
    for parser in _PARSERS:
        try:
            call = parser(payload)
        except Exception as exc:  # a parser bug must not lose the call
            return _unknown(payload, parser.__name__.strip("_"), f"parser error: {exc!r}")
        if call is not None:
            return call
    keys = ", ".join(sorted(str(k) for k in payload)[:8])
    return _unknown(payload, "unknown", f"no known VoIP payload format (keys: {keys or 'none'})")
