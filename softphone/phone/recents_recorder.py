"""Feed Recents from the system's events (never from SIP): one entry per ended call, and
the call directory and contacts back into the CallKit layer for caller ID and blocking."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable

from softphone.callkit import (
    CallEnded,
    CallSystem,
    CXHandle,
    IncomingCallRejected,
)
from softphone.recents import CallDirectoryStore, CallRecord, RecentsError, RecentsStore

log = logging.getLogger(__name__)


class RecentsRecorder:
    """Writes ``CallEnded`` / rejected-incoming events into a :class:`RecentsStore`."""

    def __init__(
        self,
        system: CallSystem,
        store: RecentsStore,
        *,
        on_added: Callable[[int], None] | None = None,
        on_error: Callable[[str], None] | None = None,
        detail: Callable[[uuid.UUID], str | None] | None = None,
    ) -> None:
        self.system = system
        self.store = store
        self.on_added = on_added
        self.on_error = on_error
        #: The app's plain-words reason for a call it ended (else CallKit's reason).
        self.detail = detail
        self._unsubscribe = system.subscribe(self._on_event)

    def _wall(self, at: float) -> float:
        """CallKit clock seconds -> POSIX time."""
        return time.time() - (self.system.clock.now() - at)

    def _on_event(self, event: object) -> None:
        record: CallRecord | None = None
        if isinstance(event, CallEnded) and event.in_recents:
            started = self._wall(event.started_at)
            ended = max(started, self._wall(event.ended_at))
            connected = self._wall(event.connected_at) if event.connected_at is not None else None
            if connected is not None:
                connected = min(max(connected, started), ended)
            record = CallRecord(
                handle=_value(event.handle),
                status=event.recents_status.value,
                is_outgoing=event.is_outgoing,
                started_at=started,
                ended_at=ended,
                connected_at=connected,
                caller_name=event.localized_caller_name or "",
                end_reason=self._end_reason(event),
                provider_name=event.provider_name,
                participants=tuple(_value(h) for h in event.participants),
                handle_type=event.handle.type.value if event.handle is not None else "generic",
                uuid=str(event.call_uuid),
            )
        elif (
            isinstance(event, IncomingCallRejected)
            and event.in_recents
            and event.recents_status is not None
        ):
            at = self._wall(event.at)
            record = CallRecord(
                handle=_value(event.handle),
                status=event.recents_status.value,
                is_outgoing=False,
                started_at=at,
                ended_at=at,
                end_reason=event.reason,
                provider_name=event.provider_name,
                handle_type=event.handle.type.value if event.handle is not None else "generic",
                uuid=str(event.call_uuid),
            )
        if record is None:
            return
        try:
            entry_id = self.store.add(record)
        except (RecentsError, OSError) as exc:  # the call is over either way; say so
            log.error("could not record the call in Recents: %s", exc)
            if self.on_error is not None:
                self.on_error(f"Recents: {exc}")
            return
        if self.on_added is not None:
            self.on_added(entry_id)

    def _end_reason(self, event: CallEnded) -> str:
        detail = self.detail(event.call_uuid) if self.detail is not None else None
        if detail:
            return detail
        return event.reason.value if event.reason is not None else ""

    def close(self) -> None:
        self._unsubscribe()


def _value(handle: CXHandle | None) -> str:
    return handle.value if handle is not None else "Unknown"


def load_call_directory(system: CallSystem, directory: CallDirectoryStore) -> int:
    """Hand the stored block and identification lists (ascending E.164) to the system."""
    blocked = list(directory.blocking_numbers())
    identified = list(directory.identification_entries())
    system.call_directory.replace_all(blocked, identified)
    return len(blocked) + len(identified)
