"""Frozen event objects the engine hands to subscribers (on the asyncio loop)."""

from __future__ import annotations

import enum
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


class RegistrationStatus(enum.Enum):
    """Where an account's registration stands."""

    UNREGISTERED = "unregistered"
    REGISTERING = "registering"
    REGISTERED = "registered"
    UNREGISTERING = "unregistering"
    FAILED = "failed"


class CallEndCause(enum.Enum):
    """Why a call ended (the phone layer maps these to CXCallEndedReason)."""

    REMOTE_HANGUP = "remote_hangup"
    LOCAL_HANGUP = "local_hangup"
    BUSY = "busy"
    DECLINED = "declined"
    NOT_FOUND = "not_found"
    NO_ANSWER = "no_answer"  # the callee never answered (our no-answer timeout)
    NO_RESPONSE = "no_response"  # nothing answered the INVITE: 408 / transport timeout
    CANCELLED = "cancelled"  # we cancelled our outgoing call before answer
    REMOTE_CANCELLED = "remote_cancelled"  # the caller cancelled before we answered
    REJECTED = "rejected"  # we rejected an incoming call
    ANSWERED_ELSEWHERE = "answered_elsewhere"
    UNAVAILABLE = "unavailable"  # 480/503 etc.
    UNAUTHORIZED = "unauthorized"
    FAILED = "failed"


#: Backwards-friendly alias: ``CallEndCause.TIMEOUT`` reads better at some call sites.
TIMEOUT = CallEndCause.NO_ANSWER


class MediaState(enum.Enum):
    NONE = "none"
    ACTIVE = "active"
    LOCAL_HOLD = "local_hold"
    REMOTE_HOLD = "remote_hold"
    ERROR = "error"


class Direction(enum.Enum):
    INCOMING = "incoming"
    OUTGOING = "outgoing"


def _now() -> float:
    return time.monotonic()


def frozen_headers(headers: Mapping[str, str] | None) -> Mapping[str, str]:
    return MappingProxyType(dict(headers or {}))


@dataclass(frozen=True)
class SipEvent:
    """Base of all events; ``timestamp`` is ``time.monotonic()`` when it happened."""

    timestamp: float = field(default_factory=_now, kw_only=True, compare=False)


@dataclass(frozen=True)
class RegistrationState:
    """An account's registration: status, last SIP code/reason, granted expiry (s)."""

    state: RegistrationStatus
    code: int = 0
    reason: str = ""
    expires: int = 0


@dataclass(frozen=True)
class RegistrationStateChanged(SipEvent):
    account_id: str
    state: RegistrationStatus
    code: int
    reason: str
    expires: int = 0


@dataclass(frozen=True)
class IncomingCallReceived(SipEvent):
    call_id: str
    sip_call_id: str
    remote_uri: str
    remote_display_name: str
    headers: Mapping[str, str]
    account_id: str | None


@dataclass(frozen=True)
class IncomingCallRefused(SipEvent):
    """An incoming INVITE the engine answered with a final error before it could ring
    (e.g. 488: no common codec, IPv6 media), so no call was ever reported."""

    sip_call_id: str
    remote_uri: str
    status: int
    reason: str
    account_id: str | None = None


@dataclass(frozen=True)
class OutgoingCallStarted(SipEvent):
    call_id: str
    sip_call_id: str
    remote_uri: str
    account_id: str | None


@dataclass(frozen=True)
class CallProgressed(SipEvent):
    """A provisional response (180 ringing, 183 with ``early_media``)."""

    call_id: str
    code: int
    reason: str
    early_media: bool


@dataclass(frozen=True)
class CallConnected(SipEvent):
    call_id: str


@dataclass(frozen=True)
class CallEnded(SipEvent):
    call_id: str
    cause: CallEndCause
    code: int
    reason: str


@dataclass(frozen=True)
class CallHoldChanged(SipEvent):
    call_id: str
    local_hold: bool
    remote_hold: bool


@dataclass(frozen=True)
class CallMuteChanged(SipEvent):
    call_id: str
    muted: bool


@dataclass(frozen=True)
class DtmfReceived(SipEvent):
    call_id: str
    digit: str
    method: str  # "rfc4733" | "info"


@dataclass(frozen=True)
class CallMediaStateChanged(SipEvent):
    call_id: str
    state: MediaState
    codec: str = ""
    srtp: bool = False


@dataclass(frozen=True)
class CallTransferred(SipEvent):
    """The call now talks to someone else, under the same ``call_id``: a REFER we
    accepted (``how="refer"``: the new party is being dialled) or an INVITE with
    ``Replaces`` (``how="replaces"``: it took the call over)."""

    call_id: str
    remote_uri: str
    remote_display_name: str
    how: str  # "refer" | "replaces"
    previous_uri: str


@dataclass(frozen=True)
class CallTransferRefused(SipEvent):
    """A REFER or an INVITE with ``Replaces`` for this call that the engine refused."""

    call_id: str
    target_uri: str
    status: int
    reason: str


@dataclass(frozen=True)
class CallTransferProgress(SipEvent):
    """A transfer we asked for (our REFER): the peer's NOTIFY (``code`` of its sipfrag),
    or the REFER's own failure; ``final`` when nothing more will come."""

    call_id: str
    code: int
    reason: str
    final: bool


@dataclass(frozen=True)
class CallRedirected(SipEvent):
    """A 3xx answer to our INVITE: ``followed`` to ``target_uri``, or not and why."""

    call_id: str
    target_uri: str
    followed: bool
    reason: str


@dataclass(frozen=True)
class MessageReceived(SipEvent):
    """A SIP MESSAGE outside a call (RFC 3428), already answered 200."""

    from_uri: str
    display_name: str
    body: str
    content_type: str
    account_id: str | None = None


@dataclass(frozen=True)
class SipMessageLogged(SipEvent):
    """One SIP message sent or received, credentials redacted."""

    direction: str  # "sent" | "received"
    sip_call_id: str
    first_line: str
    text: str


@dataclass(frozen=True)
class CallStats:
    """Per-call statistics (``mos`` is an E-model estimate from RTT, jitter and loss)."""

    codec: str
    rtt_ms: float
    jitter_ms: float
    loss_pct: float
    mos: float
    duration_s: float = 0.0
    packets_received: int = 0
    packets_sent: int = 0


@dataclass(frozen=True)
class CallInfo:
    """A snapshot of one live call."""

    call_id: str
    sip_call_id: str
    direction: Direction
    remote_uri: str
    account_id: str | None
    connected: bool
    local_hold: bool
    remote_hold: bool
    muted: bool


def estimate_mos(rtt_ms: float, jitter_ms: float, loss_pct: float, codec: str = "PCMU") -> float:
    """A simplified ITU-T G.107 E-model MOS (1.0 .. 4.5)."""
    effective = rtt_ms / 2 + 2 * jitter_ms + 10.0
    r = 93.2 - effective / 40 if effective < 160 else 93.2 - (effective - 120) / 10
    ie = {"G722": 0.0, "PCMU": 0.0, "PCMA": 0.0, "GSM": 20.0, "ILBC": 10.0}.get(
        codec.upper().split("/")[0], 5.0
    )
    r -= ie + 2.5 * max(0.0, loss_pct)
    if r <= 0:
        return 1.0
    if r >= 100:
        return 4.5
    return round(1 + 0.035 * r + 7e-6 * r * (r - 60) * (100 - r), 2)
