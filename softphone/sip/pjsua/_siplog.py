"""Turn PJSIP's message log lines into SipMessageLogged events (credentials redacted)."""

from __future__ import annotations

import re

from softphone.logsetup import redact
from softphone.sip.events import SipMessageLogged

_HEAD = re.compile(r"(?P<dir>TX|RX) \d+ bytes (?:Request|Response) msg")
_CALL_ID = re.compile(r"(?im)^(?:call-id|i)\s*:\s*(\S+)")


def parse_log_entry(msg: str) -> SipMessageLogged | None:
    """A SipMessageLogged for a PJSIP ``TX/RX ... bytes Request/Response msg`` entry."""
    m = _HEAD.search(msg)
    if m is None:
        return None
    _, _, body = msg[m.end() :].partition(":\n")
    body = body.split("\n--end msg--", 1)[0].strip("\r\n")
    if not body:
        return None
    first = body.split("\n", 1)[0].strip()
    cid = _CALL_ID.search(body)
    return SipMessageLogged(
        direction="sent" if m.group("dir") == "TX" else "received",
        sip_call_id=cid.group(1) if cid else "",
        first_line=first,
        text=redact(body),
    )
