"""What happened on the wire, read from pjsua2's callbacks: INVITEs PJSIP refused before
they could ring, and whether a provisional response carried SDP (early media)."""

from __future__ import annotations

import re
from typing import Any

import pjsua2 as pj

from softphone.sip.events import IncomingCallRefused
from softphone.sip.uri import uri_of

_CONTENT_TYPE = re.compile(r"(?im)^(?:content-type|c)\s*:\s*application/sdp")
_CONTENT_LENGTH = re.compile(r"(?im)^(?:content-length|l)\s*:\s*(\d+)")


def refused_event(prm: Any) -> IncomingCallRefused:
    """An ``IncomingCallRefused`` from pjsua2's ``OnRejectedIncomingCallParam``."""
    status = int(prm.statusCode)
    reason = str(prm.reason) or "refused"
    if status == 488:
        reason = f"{reason}: no codec in common with the offer"
    return IncomingCallRefused(
        sip_call_id=str(prm.callId),
        remote_uri=str(uri_of(str(prm.remoteInfo))),
        status=status,
        reason=reason,
    )


def response_has_sdp(prm: Any) -> bool:
    """Whether the response that moved a call's state (``OnCallStateParam``) had an SDP
    body: only a 180/183 with SDP is early media; without it the caller hears ringback."""
    try:
        event = prm.e
        if event.type != pj.PJSIP_EVENT_TSX_STATE:
            return False
        tsx = event.body.tsxState
        if tsx.type != pj.PJSIP_EVENT_RX_MSG:
            return False
        text = str(tsx.src.rdata.wholeMsg)
    except Exception:
        return False
    head, _, body = text.partition("\r\n\r\n")
    if not body:
        head, _, body = text.partition("\n\n")
    length = _CONTENT_LENGTH.search(head)
    has_body = int(length.group(1)) > 0 if length else bool(body.strip())
    return has_body and _CONTENT_TYPE.search(head) is not None
