"""Neutral event records shown by the Inspector, and the thread-safe feed that collects them.

No Qt here: the app converts CallKit/PushKit/SIP events into these records and appends them
from any thread; the Qt side subscribes and marshals changes onto the GUI thread.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal, get_args

from softphone.ui.inspector.redaction import redact_headers, redact_sip

Source = Literal["callkit", "pushkit", "sip", "audio", "app"]
Severity = Literal["info", "warning", "violation"]
Direction = Literal["sent", "received"]
FeedKind = Literal["timeline", "sip", "push"]

SOURCES: tuple[str, ...] = get_args(Source)
SEVERITIES: tuple[str, ...] = get_args(Severity)
DIRECTIONS: tuple[str, ...] = get_args(Direction)

_log = logging.getLogger(__name__)


def _check_choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")


def _check_times(at: float, wall: datetime) -> None:
    if not isinstance(at, (int, float)):
        raise TypeError(f"at must be monotonic seconds (float); got {type(at).__name__}")
    if not isinstance(wall, datetime):
        raise TypeError(f"wall must be a datetime; got {type(wall).__name__}")


@dataclass(frozen=True)
class TimelineEntry:
    """One CallKit/PushKit/audio/app happening: a transaction, an action, its outcome, a report."""

    at: float
    wall: datetime
    source: Source
    kind: str
    call_uuid: str | None
    sip_call_id: str | None
    summary: str
    detail: dict[str, Any] = field(default_factory=dict)
    severity: Severity = "info"
    duration_ms: float | None = None

    def __post_init__(self) -> None:
        _check_times(self.at, self.wall)
        _check_choice("source", self.source, SOURCES)
        _check_choice("severity", self.severity, SEVERITIES)
        if not self.kind:
            raise ValueError("kind must not be empty")


@dataclass(frozen=True)
class SipMessage:
    """One SIP message sent or received by the phone; ``text`` is the whole (redacted) message."""

    at: float
    wall: datetime
    direction: Direction
    local: str
    remote: str
    first_line: str
    sip_call_id: str | None
    cseq: str
    text: str

    def __post_init__(self) -> None:
        _check_times(self.at, self.wall)
        _check_choice("direction", self.direction, DIRECTIONS)

    @property
    def sender(self) -> str:
        return self.local if self.direction == "sent" else self.remote

    @property
    def receiver(self) -> str:
        return self.remote if self.direction == "sent" else self.local


@dataclass(frozen=True)
class PushRecord:
    """One VoIP push request: what was sent, what APNs answered, and what the app did with it."""

    at: float
    wall: datetime
    token: str
    topic: str
    push_type: str
    headers: dict[str, str]
    payload: dict[str, Any] | str
    status: int
    reason: str | None
    apns_id: str | None
    delivered: bool
    app_reaction: str

    def __post_init__(self) -> None:
        _check_times(self.at, self.wall)
        if not isinstance(self.status, int):
            raise TypeError(f"status must be an HTTP status int; got {self.status!r}")


@dataclass(frozen=True)
class FeedChange:
    """What a subscriber hears: which list changed and the record appended."""

    kind: FeedKind
    item: TimelineEntry | SipMessage | PushRecord | None


Subscriber = Callable[[FeedChange], None]


class InspectorFeed:
    """Bounded, thread-safe lists of timeline entries, SIP messages and push records.

    Each list keeps the newest ``capacity`` records and counts what it dropped. Subscribers
    are called after each append, on the appending thread, outside the lock.
    """

    def __init__(self, capacity: int = 5000) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be >= 1; got {capacity}")
        self.capacity = capacity
        self._lock = threading.Lock()
        self._timeline: deque[TimelineEntry] = deque(maxlen=capacity)
        self._sip: deque[SipMessage] = deque(maxlen=capacity)
        self._push: deque[PushRecord] = deque(maxlen=capacity)
        self._dropped: dict[FeedKind, int] = {"timeline": 0, "sip": 0, "push": 0}
        self._origin: tuple[float, datetime] | None = None
        self._subscribers: list[Subscriber] = []

    # -- appending ---------------------------------------------------------------------------
    def append_timeline(self, entry: TimelineEntry) -> None:
        if not isinstance(entry, TimelineEntry):
            raise TypeError(f"expected TimelineEntry, got {type(entry).__name__}")
        self._append("timeline", self._timeline, entry)

    def append_sip(self, message: SipMessage) -> None:
        if not isinstance(message, SipMessage):
            raise TypeError(f"expected SipMessage, got {type(message).__name__}")
        clean = redact_sip(message.text)
        if clean != message.text:
            message = replace(message, text=clean)
        self._append("sip", self._sip, message)

    def append_push(self, record: PushRecord) -> None:
        if not isinstance(record, PushRecord):
            raise TypeError(f"expected PushRecord, got {type(record).__name__}")
        clean = redact_headers(record.headers)
        if clean != record.headers:
            record = replace(record, headers=clean)
        self._append("push", self._push, record)

    def _append(self, kind: FeedKind, target: deque[Any], item: Any) -> None:
        with self._lock:
            if len(target) == self.capacity:
                self._dropped[kind] += 1
            target.append(item)
            if self._origin is None or item.at < self._origin[0]:
                self._origin = (item.at, item.wall)
            subscribers = list(self._subscribers)
        self._notify(subscribers, FeedChange(kind, item))

    def clear(self) -> None:
        """Forget every record and drop count (a new session)."""
        with self._lock:
            self._timeline.clear()
            self._sip.clear()
            self._push.clear()
            self._dropped = {"timeline": 0, "sip": 0, "push": 0}
            self._origin = None
            subscribers = list(self._subscribers)
        kinds: tuple[FeedKind, ...] = ("timeline", "sip", "push")
        for kind in kinds:
            self._notify(subscribers, FeedChange(kind, None))

    # -- reading -----------------------------------------------------------------------------
    def timeline(self) -> list[TimelineEntry]:
        with self._lock:
            return list(self._timeline)

    def sip(self) -> list[SipMessage]:
        with self._lock:
            return list(self._sip)

    def push(self) -> list[PushRecord]:
        with self._lock:
            return list(self._push)

    @property
    def dropped(self) -> dict[str, int]:
        """How many records each list has dropped to stay within ``capacity``."""
        with self._lock:
            return {str(k): v for k, v in self._dropped.items()}

    @property
    def origin(self) -> tuple[float, datetime] | None:
        """``(at, wall)`` of the earliest record: the session's time zero."""
        with self._lock:
            return self._origin

    def restore_dropped(self, dropped: dict[str, int]) -> None:
        """Carry drop counts over from a loaded session."""
        with self._lock:
            for kind in self._dropped:
                self._dropped[kind] += int(dropped.get(kind, 0))

    # -- subscribing -------------------------------------------------------------------------
    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Call ``callback(change)`` after every append; returns a function that unsubscribes."""
        with self._lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)

        return unsubscribe

    @staticmethod
    def _notify(subscribers: list[Subscriber], change: FeedChange) -> None:
        for callback in subscribers:
            try:
                callback(change)
            except Exception:  # a broken viewer must not break the phone
                _log.exception("inspector feed subscriber failed")
