"""Feed Recents from the system's events (never from SIP): one entry per ended call, and
the call directory and contacts back into the CallKit layer for caller ID and blocking."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from typing import Any

from softphone.callkit import (
    CallEnded,
    CallSystem,
    CXHandle,
    IncomingCallRejected,
)
from softphone.phone.side_effects import SideEffects
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
        effects: SideEffects | None = None,
        outcome: Callable[[Any, bool, bool], tuple[str | None, str] | None] | None = None,
    ) -> None:
        self.system = system
        self.store = store
        self.on_added = on_added
        self.on_error = on_error
        #: ``outcome(call_uuid, outgoing, connected)``: (status or None, end reason) from
        #: what the wire said, when it says more than CallKit's reason.
        self.outcome = outcome
        effects = effects or SideEffects(lambda what, msg: on_error and on_error(f"{what}: {msg}"))
        self._unsubscribe = system.subscribe(effects.guard("Recents write", self._on_event))

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
                end_reason=event.reason.value if event.reason is not None else "",
                provider_name=event.provider_name,
                participants=tuple(_value(h) for h in event.participants),
                handle_type=event.handle.type.value if event.handle is not None else "generic",
                uuid=str(event.call_uuid),
            )
            record = self._with_outcome(record, event.call_uuid, connected is not None)
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

    def _with_outcome(self, record: CallRecord, call_uuid: Any, connected: bool) -> CallRecord:
        found = self.outcome(call_uuid, record.is_outgoing, connected) if self.outcome else None
        if found is None:
            return record
        status, reason = found
        return dataclasses.replace(record, status=status or record.status, end_reason=reason)

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
