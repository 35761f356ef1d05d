"""RecentsStore: the call history (iOS Recents) in one SQLite file per profile."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from softphone.recents._contacts import ContactBook
from softphone.recents._db import IntegrityCheck, open_database, quick_check
from softphone.recents._directory import CallDirectoryStore
from softphone.recents._export import write_csv, write_json
from softphone.recents._grouping import GroupKey, group_key, iter_groups
from softphone.recents._handles import handle_key, phone_digits
from softphone.recents._record import (
    BADGE_CLASS,
    CallEntry,
    CallRecord,
    PageCursor,
    RecentsError,
    RecentsGroup,
    RecentsPage,
    RecentsStatus,
)
from softphone.recents._tx import Database

DB_FILE_NAME = "recents.sqlite3"
FILTERS = ("all", "missed")

_COLUMNS = (
    "id, uuid, is_outgoing, status, handle, handle_type, handle_key, caller_name, "
    "started_at, connected_at, ended_at, end_reason, provider_name, participants, seen"
)


def default_db_path(data_dir: Path | str) -> Path:
    """Where a profile keeps its history: ``<profile data dir>/recents.sqlite3``.

    The caller passes the data dir (``softphone.settings.profile_paths(name).data_dir``);
    this layer imports nothing but the standard library.
    """
    return Path(data_dir) / DB_FILE_NAME


def _entry(row: tuple[Any, ...]) -> CallEntry:
    record = CallRecord(
        uuid=row[1],
        is_outgoing=bool(row[2]),
        status=row[3],
        handle=row[4],
        handle_type=row[5],
        caller_name=row[7],
        started_at=row[8],
        connected_at=row[9],
        ended_at=row[10],
        end_reason=row[11],
        provider_name=row[12],
        participants=tuple(json.loads(row[13])),
    )
    return CallEntry(id=row[0], record=record, seen=bool(row[14]), handle_key=row[6])


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class RecentsStore:
    """The Recents list of one profile: calls, contacts and Call Directory entries.

    ``path`` is a file (``":memory:"`` for tests). A damaged, foreign or newer file is
    moved aside on open and :attr:`recovery_notice` tells the user. ``synchronous`` is
    SQLite's setting: FULL (default) makes each committed call survive power loss as
    well as a crash; NORMAL survives a crash (kill -9) but may lose the last commits on
    power loss. ``integrity_check``: "auto" reads every page only after an unclean
    shutdown (a -wal file was left), "always" or "never". ``tz`` is the time zone whose
    days split the groups (local by default).
    """

    def __init__(
        self,
        path: Path | str,
        *,
        synchronous: str = "FULL",
        integrity_check: IntegrityCheck = "auto",
        tz: dt.tzinfo | None = None,
    ) -> None:
        if synchronous.upper() not in ("NORMAL", "FULL", "EXTRA"):
            raise RecentsError(f"synchronous must be NORMAL, FULL or EXTRA, not {synchronous!r}")
        self.path = path if str(path) == ":memory:" else Path(path)
        opened = open_database(path, synchronous.upper(), integrity_check)
        self._db = Database(opened.conn)
        self.recovery_notice: str | None = opened.notice
        self.moved_aside: Path | None = opened.moved_aside
        self.tz = tz
        self.contacts = ContactBook(self._db)
        self.directory = CallDirectoryStore(self._db)

    # -- life cycle -----------------------------------------------------------------

    def verify(self) -> str | None:
        """Check every page now (``PRAGMA quick_check``); None when sound, else the
        problem in words. Reopening a damaged file moves it aside."""
        return quick_check(self._db.conn)

    def close(self) -> None:
        self._db.conn.close()

    def __enter__(self) -> RecentsStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def subscribe(self, listener: Callable[[str], None]) -> Callable[[], None]:
        """``listener(kind)`` after each change: "calls", "contacts" or "directory"."""
        return self._db.subscribe(listener)

    # -- writing --------------------------------------------------------------------

    def add(self, record: CallRecord) -> int:
        """Store one ended call; returns its id. Adding a record whose ``uuid`` is already
        stored returns the existing id and changes nothing."""
        return self.add_many([record])[0]

    def add_many(self, records: Iterable[CallRecord]) -> list[int]:
        """Store several calls in one transaction (all or none)."""
        ids: list[int] = []
        with self._db.write() as conn:
            for record in records:
                ids.append(self._insert(conn, record))
        self._db.changed("calls")
        return ids

    def _insert(self, conn: sqlite3.Connection, r: CallRecord) -> int:
        if not isinstance(r, CallRecord):
            raise RecentsError(f"expected a CallRecord, got {type(r).__name__}")
        cur = conn.execute(
            "INSERT OR IGNORE INTO calls(uuid, is_outgoing, status, is_missed, handle, "
            "handle_type, handle_key, caller_name, started_at, connected_at, ended_at, "
            "duration, end_reason, provider_name, participants, seen) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                r.uuid,
                int(r.is_outgoing),
                RecentsStatus(r.status).value,
                int(r.is_missed),
                r.handle,
                r.handle_type,
                handle_key(r.handle),
                r.caller_name,
                r.started_at,
                r.connected_at,
                r.ended_at,
                r.duration,
                r.end_reason,
                r.provider_name,
                json.dumps(list(r.participants)),
                int(r.status not in BADGE_CLASS),
            ),
        )
        if cur.rowcount == 1 and cur.lastrowid is not None:
            return cur.lastrowid
        row = conn.execute("SELECT id FROM calls WHERE uuid = ?", (r.uuid,)).fetchone()
        return int(row[0])

    def delete(self, entry_ids: int | Iterable[int]) -> int:
        """Delete one entry or several (a whole group); returns how many went."""
        ids = [entry_ids] if isinstance(entry_ids, int) else list(entry_ids)
        with self._db.write() as conn:
            n = 0
            for i in ids:
                n += conn.execute("DELETE FROM calls WHERE id = ?", (int(i),)).rowcount
        self._db.changed("calls")
        return n

    def clear_all(self) -> int:
        """Delete the whole call history (contacts and directory stay)."""
        with self._db.write() as conn:
            n = conn.execute("DELETE FROM calls").rowcount
        self._db.changed("calls")
        return n

    def mark_missed_seen(self) -> int:
        """Clear the badge: every missed call counts as seen."""
        with self._db.write() as conn:
            n = conn.execute("UPDATE calls SET seen = 1 WHERE seen = 0").rowcount
        if n:
            self._db.changed("calls")
        return n

    # -- reading --------------------------------------------------------------------

    def unseen_missed_count(self) -> int:
        """The Recents tab badge."""
        return int(self._db.conn.execute("SELECT count(*) FROM calls WHERE seen = 0").fetchone()[0])

    def count(self) -> int:
        return int(self._db.conn.execute("SELECT count(*) FROM calls").fetchone()[0])

    def get(self, entry_id: int) -> CallEntry | None:
        row = self._db.conn.execute(
            f"SELECT {_COLUMNS} FROM calls WHERE id = ?", (entry_id,)
        ).fetchone()
        return _entry(row) if row else None

    def iter_entries(
        self, filter: str = "all", search: str = "", after: PageCursor | None = None
    ) -> Iterator[CallEntry]:
        """Entries newest first (by start time), lazily from the database."""
        if filter not in FILTERS:
            raise RecentsError(f"filter must be one of {FILTERS}, not {filter!r}")
        where: list[str] = []
        args: list[object] = []
        if filter == "missed":
            where.append("is_missed = 1")
        if after is not None:
            where.append("(started_at, id) < (?, ?)")
            args += [float(after[0]), int(after[1])]
        if search.strip():
            clause, more = self._search_clause(search.strip())
            where.append(clause)
            args += more
        sql = f"SELECT {_COLUMNS} FROM calls"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY started_at DESC, id DESC"
        for row in self._db.conn.execute(sql, args):
            yield _entry(row)

    def _search_clause(self, text: str) -> tuple[str, list[object]]:
        like = _like(text)
        parts = [
            "caller_name LIKE ? ESCAPE '\\'",
            "handle LIKE ? ESCAPE '\\'",
            "handle_key IN (SELECT h.key FROM contact_handles h JOIN contacts c "
            "ON c.id = h.contact_id WHERE c.name LIKE ? ESCAPE '\\')",
        ]
        args: list[object] = [like, like, like]
        digits = phone_digits(text)
        if digits is not None:
            parts.append("handle_key LIKE ? ESCAPE '\\'")
            args.append(_like(digits))
        return "(" + " OR ".join(parts) + ")", args

    def page(
        self,
        filter: str = "all",
        search: str = "",
        after: PageCursor | None = None,
        limit: int = 50,
    ) -> RecentsPage:
        """Up to ``limit`` grouped rows after the keyset cursor ``after``.

        Only the rows needed are read (the index walks newest first), so the cost
        depends on the page, not on the size of the history.
        """
        if limit < 1:
            raise RecentsError(f"limit must be positive, got {limit}")
        groups: list[RecentsGroup] = []
        gen = iter_groups(self.iter_entries(filter, search, after), self.tz)
        for group in gen:
            groups.append(group)
            if len(groups) == limit:
                break
        more = len(groups) == limit and next(gen, None) is not None
        gen.close()
        cursor: PageCursor | None = None
        if more:
            last = groups[-1].entries[-1]
            cursor = (last.record.started_at, last.id)
        return RecentsPage(groups, cursor)

    def group_key(self, entry: CallEntry) -> GroupKey:
        """Entries with equal keys that are neighbours form one row."""
        return group_key(entry, self.tz)

    def display_name(self, entry: CallEntry) -> str:
        """What the list shows: the contact's name now, else the caller name at the
        time, else the handle."""
        contact = self.contacts.lookup_by_handle(entry.record.handle)
        if contact is not None and contact.name:
            return contact.name
        return entry.record.caller_name or entry.record.handle

    # -- export ---------------------------------------------------------------------

    def export_csv(self, path: Path | str) -> int:
        """Write the whole history as CSV (for bug reports); returns the entry count."""
        return write_csv(Path(path), self.iter_entries())

    def export_json(self, path: Path | str) -> int:
        """Write the whole history as a JSON array; returns the entry count."""
        return write_json(Path(path), self.iter_entries())
