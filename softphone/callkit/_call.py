"""Call snapshots and end reasons (Apple: ``CXCall``, ``CXCallEndedReason``)."""

from __future__ import annotations

import enum
import uuid as _uuid
from dataclasses import dataclass

from ._handle import CXHandle
from ._states import CallState

__all__ = ["CXCall", "CXCallEndedReason", "RecentsStatus"]


class CXCallEndedReason(enum.Enum):
    """Apple: ``CXCallEndedReason``: why the app reports a call as ended."""

    FAILED = "failed"
    REMOTE_ENDED = "remote_ended"
    UNANSWERED = "unanswered"
    ANSWERED_ELSEWHERE = "answered_elsewhere"
    DECLINED_ELSEWHERE = "declined_elsewhere"
    failed = "failed"
    remote_ended = "remote_ended"
    unanswered = "unanswered"
    answered_elsewhere = "answered_elsewhere"
    declined_elsewhere = "declined_elsewhere"


class RecentsStatus(enum.Enum):
    """How an ended call shows in the Recents list (iOS Phone app)."""

    OUTGOING = "outgoing"
    INCOMING = "incoming"
    MISSED = "missed"
    DECLINED = "declined"
    CANCELLED = "cancelled"
    BLOCKED = "blocked"
    FAILED = "failed"
    ANSWERED_ELSEWHERE = "answered_elsewhere"
    outgoing = "outgoing"
    incoming = "incoming"
    missed = "missed"
    declined = "declined"
    cancelled = "cancelled"
    blocked = "blocked"
    failed = "failed"
    answered_elsewhere = "answered_elsewhere"


@dataclass(frozen=True)
class CXCall:
    """Apple: ``CXCall``: an immutable snapshot of a call as the system sees it."""

    uuid: _uuid.UUID
    state: CallState
    provider_name: str
    handle: CXHandle | None
    localized_caller_name: str | None
    is_outgoing: bool
    is_on_hold: bool
    is_muted: bool
    has_connected: bool
    has_ended: bool
    started_at: float
    connected_at: float | None
    ended_at: float | None
    group_uuid: _uuid.UUID | None
    supports_holding: bool
    supports_grouping: bool
    supports_ungrouping: bool
    supports_dtmf: bool
    has_video: bool

    @property
    def display_name(self) -> str:
        """The caller name if known, else the handle's value, else "Unknown"."""
        if self.localized_caller_name:
            return self.localized_caller_name
        return self.handle.value if self.handle is not None else "Unknown"
