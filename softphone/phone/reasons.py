"""How SIP outcomes map to CallKit's words, and CallKit's refusals back to SIP statuses."""

from __future__ import annotations

from dataclasses import dataclass

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
    "no_response": CXCallEndedReason.FAILED,  # nothing answered: an error, not the callee
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


# What happened on the wire, in words, for ``call.ended``/``call.failed``, ``state`` and
# Recents: CallEndCause name -> (kind, plain words).
_OUTCOMES: dict[str, tuple[str, str]] = {
    "no_response": ("no_response", "no response"),
    "no_answer": ("unanswered", "unanswered: the callee never answered"),
    "cancelled": ("cancelled", "cancelled before the answer"),
    "remote_cancelled": ("remote_cancelled", "the caller hung up (CANCEL) before the answer"),
    "busy": ("busy", "busy"),
    "declined": ("declined", "declined"),
    "not_found": ("refused", "not found"),
    "unavailable": ("refused", "unavailable"),
    "unauthorized": ("refused", "refused: not authorised"),
    "rejected": ("declined", "declined here"),
    "remote_hangup": ("remote_ended", "the other side hung up"),
    "local_hangup": ("ended", "hung up here"),
    "answered_elsewhere": ("answered_elsewhere", "answered elsewhere"),
}


@dataclass(frozen=True)
class CallOutcome:
    """How a call ended, as the wire said: ``kind`` (no_response, unanswered, cancelled,
    remote_cancelled, busy, declined, refused, remote_ended, ended, failed ...), the SIP
    ``code`` (0 when none) and a plain ``reason``."""

    kind: str
    code: int
    reason: str

    def as_json(self) -> dict[str, object]:
        return {"outcome": self.kind, "code": self.code, "reason": self.reason}


def outcome_of(cause: str, code: int = 0, sip_reason: str = "") -> CallOutcome:
    """The outcome of a SIP call that ended by itself (``cause``: a CallEndCause value)."""
    kind, words = _OUTCOMES.get(cause, ("failed", "failed"))
    if cause == "failed" and 400 <= code < 700:
        kind, words = "refused", "refused"
    if code and sip_reason:
        words = f"{words} ({code} {sip_reason})"
    elif sip_reason and kind in ("no_response", "failed"):
        words = f"{words} ({sip_reason})"
    return CallOutcome(kind, code, words)


#: An outgoing call that never connected: Recents says what happened, not "cancelled".
_RECENTS_STATUS = {
    "no_response": "no_response",
    "unanswered": "unanswered",
    "busy": "busy",
    "declined": "refused",
    "refused": "refused",
}


def recents_status_for(outcome: CallOutcome | None, outgoing: bool, connected: bool) -> str | None:
    """The Recents status for an ended call, when the wire says more than CallKit's
    reason (None: CallKit's status stands)."""
    if outcome is None or not outgoing or connected:
        return None
    return _RECENTS_STATUS.get(outcome.kind)
