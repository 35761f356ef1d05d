"""iOS Recents grouping: consecutive calls with the same handle, missed-ness and day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Generator, Iterable

from softphone.recents._record import CallEntry, RecentsGroup

GroupKey = tuple[str, bool, dt.date]


def group_key(entry: CallEntry, tz: dt.tzinfo | None = None) -> GroupKey:
    """What two neighbouring entries must share to be one row."""
    day = dt.datetime.fromtimestamp(entry.record.started_at, tz).date()
    return (entry.handle_key, entry.is_missed, day)


def iter_groups(
    entries: Iterable[CallEntry], tz: dt.tzinfo | None = None
) -> Generator[RecentsGroup, None, None]:
    """Collapse newest-first ``entries`` into groups, lazily (reads one entry ahead)."""
    current: list[CallEntry] = []
    current_key: GroupKey | None = None
    for entry in entries:
        key = group_key(entry, tz)
        if current and key != current_key:
            yield RecentsGroup(tuple(current))
            current = []
        current.append(entry)
        current_key = key
    if current:
        yield RecentsGroup(tuple(current))
