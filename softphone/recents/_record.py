"""The call-history record types: what one ended call leaves in Recents."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field


class RecentsError(ValueError):
    """Bad input for the Recents store (an invalid record, contact or number)."""


class RecentsStatus(str, enum.Enum):
    """How iOS labels an ended call in Recents."""

    OUTGOING = "outgoing"
    INCOMING = "incoming"
    MISSED = "missed"
    DECLINED = "declined"
    CANCELLED = "cancelled"  # outgoing, never connected ("Canceled Call")
    BLOCKED = "blocked"
    FAILED = "failed"
    ANSWERED_ELSEWHERE = "answered_elsewhere"
    # Outgoing calls that never connected, by what the wire said (not "Canceled"):
    NO_RESPONSE = "no_response"  # nothing answered the INVITE (408, transport timeout)
    UNANSWERED = "unanswered"  # it rang and nobody answered
    BUSY = "busy"
    REFUSED = "refused"  # declined, not found, unavailable or another 4xx-6xx


#: Statuses that iOS draws in red and lists under "Missed": incoming calls nobody talked on here.
MISSED_CLASS = frozenset({RecentsStatus.MISSED, RecentsStatus.DECLINED, RecentsStatus.BLOCKED})
#: Statuses that raise the badge on the Recents tab until marked seen.
BADGE_CLASS = frozenset({RecentsStatus.MISSED})


def _check_time(name: str, value: float | None) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise RecentsError(f"{name} must be a finite POSIX timestamp, got {value!r}")


@dataclass(frozen=True)
class CallRecord:
    """One ended call, as the app reports it (neutral: no CallKit types).

    Times are POSIX timestamps (seconds). ``participants`` lists the other handles of a
    conference, which is stored as one entry. ``uuid`` (the CallKit call UUID) makes
    :meth:`RecentsStore.add` idempotent when given.
    """

    handle: str
    status: RecentsStatus | str
    is_outgoing: bool
    started_at: float
    ended_at: float
    connected_at: float | None = None
    caller_name: str = ""
    end_reason: str = ""
    provider_name: str = ""
    participants: tuple[str, ...] = ()
    handle_type: str = "generic"
    uuid: str | None = None

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "status", RecentsStatus(self.status))
        except ValueError:
            known = ", ".join(s.value for s in RecentsStatus)
            raise RecentsError(f"unknown status {self.status!r}; use one of {known}") from None
        if not isinstance(self.handle, str):
            raise RecentsError(f"handle must be a string, got {self.handle!r}")
        for name in ("caller_name", "end_reason", "provider_name", "handle_type"):
            value = getattr(self, name)
            if value is None:
                object.__setattr__(self, name, "")
            elif not isinstance(value, str):
                raise RecentsError(f"{name} must be a string, got {value!r}")
        if self.uuid is not None and not isinstance(self.uuid, str):
            object.__setattr__(self, "uuid", str(self.uuid))
        for name in ("started_at", "ended_at", "connected_at"):
            _check_time(name, getattr(self, name))
        if self.ended_at < self.started_at:
            raise RecentsError(
                f"ended_at ({self.ended_at}) is before started_at ({self.started_at})"
            )
        if self.connected_at is not None and not (
            self.started_at <= self.connected_at <= self.ended_at
        ):
            raise RecentsError("connected_at must lie between started_at and ended_at")
        object.__setattr__(self, "participants", tuple(str(p) for p in self.participants))

    @property
    def duration(self) -> float:
        """Talk time in seconds: connect to end, 0 for a call that never connected."""
        if self.connected_at is None:
            return 0.0
        return self.ended_at - self.connected_at

    @property
    def is_missed(self) -> bool:
        return self.status in MISSED_CLASS


@dataclass(frozen=True)
class CallEntry:
    """A stored :class:`CallRecord` with its row id and whether its badge was cleared."""

    id: int
    record: CallRecord
    seen: bool = True
    handle_key: str = ""

    @property
    def is_missed(self) -> bool:
        return self.record.is_missed

    @property
    def direction(self) -> str:
        return "outgoing" if self.record.is_outgoing else "incoming"


@dataclass(frozen=True)
class RecentsGroup:
    """One row of the Recents list: consecutive calls with the same handle, missed-ness
    and day, newest first (iOS shows "Name (3)")."""

    entries: tuple[CallEntry, ...] = field(default_factory=tuple)

    @property
    def latest(self) -> CallEntry:
        return self.entries[0]

    @property
    def count(self) -> int:
        return len(self.entries)

    @property
    def ids(self) -> list[int]:
        return [e.id for e in self.entries]

    @property
    def is_missed(self) -> bool:
        return self.latest.is_missed


#: Keyset position in the history: (started_at, id) of the last entry already returned.
PageCursor = tuple[float, int]


@dataclass(frozen=True)
class RecentsPage:
    """A page of groups and the cursor for the next one (``None`` at the end)."""

    groups: list[RecentsGroup]
    next_cursor: PageCursor | None
