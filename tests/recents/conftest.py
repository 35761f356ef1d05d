"""Fixtures for the Recents store tests: a store in tmp_path, days in UTC."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from softphone.recents import CallRecord, RecentsStore

#: 2026-03-10 12:00:00 UTC, a Tuesday.
NOON = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.timezone.utc).timestamp()


def rec(
    handle: str = "+15550001",
    status: str = "incoming",
    at: float = NOON,
    talk: float | None = 60.0,
    **kw: object,
) -> CallRecord:
    """A call starting at ``at``; ``talk`` seconds connected (None: never connected)."""
    outgoing = status in ("outgoing", "cancelled") or bool(kw.pop("is_outgoing", False))
    connected = None if talk is None else at + 5
    ended = at + 5 + (talk or 0)
    return CallRecord(
        handle=handle,
        status=status,
        is_outgoing=outgoing,
        started_at=at,
        connected_at=connected,
        ended_at=ended,
        **kw,  # type: ignore[arg-type]
    )


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "profile" / "recents.sqlite3"


@pytest.fixture
def store(db_path: Path) -> Iterator[RecentsStore]:
    s = RecentsStore(db_path, tz=dt.timezone.utc)
    yield s
    s.close()
