"""Call Directory entries (``CXCallDirectoryProvider``): blocked and identified numbers."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from softphone.recents._handles import e164
from softphone.recents._record import RecentsError
from softphone.recents._tx import Database


@dataclass(frozen=True)
class DirectoryChanges:
    """Net changes since a version, for the incremental mode
    (``CXCallDirectoryExtensionContext.isIncremental``); every list is ascending."""

    version: int
    blocking_added: list[int] = field(default_factory=list)
    blocking_removed: list[int] = field(default_factory=list)
    identification_added: list[tuple[int, str]] = field(default_factory=list)
    identification_removed: list[int] = field(default_factory=list)


class CallDirectoryStore:
    """Blocking and identification entries as ``CXCallDirectoryPhoneNumber`` ints (E.164
    digits), always returned in ascending order as iOS requires."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def add_blocking(self, numbers: Iterable[int | str]) -> None:
        """Apple: ``addBlockingEntry(withNextSequentialPhoneNumber:)`` (any order here)."""
        nums = sorted({e164(n) for n in numbers})
        with self._db.write() as conn:
            for n in nums:
                if conn.execute(
                    "INSERT OR IGNORE INTO directory_blocking VALUES (?)", (n,)
                ).rowcount:
                    self._log(conn, "blocking", "add", n, None)
        self._db.changed("directory")

    def remove_blocking(self, numbers: Iterable[int | str]) -> None:
        """Apple: ``removeBlockingEntry(withPhoneNumber:)``."""
        nums = sorted({e164(n) for n in numbers})
        with self._db.write() as conn:
            for n in nums:
                if conn.execute("DELETE FROM directory_blocking WHERE number = ?", (n,)).rowcount:
                    self._log(conn, "blocking", "remove", n, None)
        self._db.changed("directory")

    def add_identification(self, entries: Iterable[tuple[int | str, str]]) -> None:
        """Apple: ``addIdentificationEntry(withNextSequentialPhoneNumber:label:)``;
        a number already present gets the new label."""
        items = sorted({e164(n): str(label) for n, label in entries}.items())
        for n, label in items:
            if not label.strip():
                raise RecentsError(f"identification label for {n} is empty")
        with self._db.write() as conn:
            for n, label in items:
                conn.execute(
                    "INSERT INTO directory_identification VALUES (?, ?) "
                    "ON CONFLICT(number) DO UPDATE SET label = excluded.label",
                    (n, label),
                )
                self._log(conn, "identification", "add", n, label)
        self._db.changed("directory")

    def remove_identification(self, numbers: Iterable[int | str]) -> None:
        """Apple: ``removeIdentificationEntry(withPhoneNumber:)``."""
        nums = sorted({e164(n) for n in numbers})
        with self._db.write() as conn:
            for n in nums:
                cur = conn.execute("DELETE FROM directory_identification WHERE number = ?", (n,))
                if cur.rowcount:
                    self._log(conn, "identification", "remove", n, None)
        self._db.changed("directory")

    @staticmethod
    def _log(conn: object, kind: str, op: str, number: int, label: str | None) -> None:
        conn.execute(  # type: ignore[attr-defined]
            "INSERT INTO directory_changes(kind, op, number, label) VALUES (?,?,?,?)",
            (kind, op, number, label),
        )

    def blocking_numbers(self) -> list[int]:
        rows = self._db.conn.execute("SELECT number FROM directory_blocking ORDER BY number")
        return [r[0] for r in rows]

    def identification_entries(self) -> list[tuple[int, str]]:
        rows = self._db.conn.execute(
            "SELECT number, label FROM directory_identification ORDER BY number"
        )
        return [(r[0], r[1]) for r in rows]

    def is_blocked(self, number: int | str) -> bool:
        try:
            n = e164(number)
        except RecentsError:
            return False
        sql = "SELECT 1 FROM directory_blocking WHERE number = ?"
        return self._db.conn.execute(sql, (n,)).fetchone() is not None

    def identify(self, number: int | str) -> str | None:
        try:
            n = e164(number)
        except RecentsError:
            return None
        sql = "SELECT label FROM directory_identification WHERE number = ?"
        row = self._db.conn.execute(sql, (n,)).fetchone()
        return row[0] if row else None

    @property
    def version(self) -> int:
        """Grows with every change; pass it to :meth:`changes_since` next time."""
        row = self._db.conn.execute("SELECT max(seq) FROM directory_changes").fetchone()
        return int(row[0] or 0)

    def changes_since(self, version: int) -> DirectoryChanges:
        """The net add/remove lists that bring a copy at ``version`` up to date."""
        rows = self._db.conn.execute(
            "SELECT seq, kind, op, number, label FROM directory_changes WHERE seq > ? ORDER BY seq",
            (version,),
        ).fetchall()
        last: dict[tuple[str, int], tuple[str, str | None]] = {}
        for _seq, kind, op, number, label in rows:
            last[(kind, number)] = (op, label)
        out = DirectoryChanges(max([version, *(r[0] for r in rows)]))
        for (kind, number), (op, label) in sorted(last.items(), key=lambda kv: kv[0][1]):
            if kind == "blocking":
                (out.blocking_added if op == "add" else out.blocking_removed).append(number)
            elif op == "add":
                out.identification_added.append((number, label or ""))
            else:
                out.identification_removed.append(number)
        return out
