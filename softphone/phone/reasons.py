"""How SIP outcomes map to CallKit's words, and CallKit's refusals back to SIP statuses."""

from __future__ import annotations

from softphone.callkit import CXCallEndedReason, CXErrorCodeIncomingCallError

# CallEndCause names (softphone.sip) -> what the provider reports to the system.
# Apple has few reasons: a remote party that ends, is busy or declines is remote_ended;
# a call nobody answered is unanswered; anything broken is failed.
_END_REASONS: dict[str, CXCallEndedReason] = {
    "remote_hangup": CXCallEndedReason.REMOTE_ENDED,
    "busy": CXCallEndedReason.REMOTE_ENDED,
    "declined": CXCallEndedReason.REMOTE_ENDED,
    "remote_cancelled": CXCallEndedReason.REMOTE_ENDED,
    "timeout": CXCallEndedReason.UNANSWERED,
    "no_answer": CXCallEndedReason.UNANSWERED,
    "unanswered": CXCallEndedReason.UNANSWERED,
    "answered_elsewhere": CXCallEndedReason.ANSWERED_ELSEWHERE,
    "declined_elsewhere": CXCallEndedReason.DECLINED_ELSEWHERE,
}


def ended_reason(cause: str, code: int = 0, reason_header: str = "") -> CXCallEndedReason:
    """The CXCallEndedReason for a SIP call that ended by itself (not by our action).

    A CANCEL carrying ``Reason: SIP;cause=200`` means another device answered
    (RFC 3326), ``cause=603`` that another device declined.
    """
    if "cause=200" in reason_header:
        return CXCallEndedReason.ANSWERED_ELSEWHERE
    if "cause=603" in reason_header:
        return CXCallEndedReason.DECLINED_ELSEWHERE
    return _END_REASONS.get(cause, CXCallEndedReason.FAILED)


# Why CallKit refused to show an incoming call -> the status we answer the INVITE with.
_REFUSAL_STATUS: dict[str, int] = {
    "filtered_by_do_not_disturb": 486,  # Busy Here: the user is not available now
    "filtered_by_block_list": 603,  # Decline: the user never wants this caller
    "call_uuid_already_exists": 482,  # Loop Detected: the same call arrived twice
    "maximum_call_groups_reached": 486,
    "call_limit_reached": 486,
}


def refusal_status(code: CXErrorCodeIncomingCallError | None) -> tuple[int, str]:
    """SIP status and reason phrase for an INVITE that CallKit would not report."""
    name = code.name.lower() if code is not None else ""
    status = _REFUSAL_STATUS.get(name, 480)
    phrase = {
        486: "Busy Here",
        603: "Decline",
        482: "Loop Detected",
        480: "Temporarily Unavailable",
    }[status]
    return status, phrase
