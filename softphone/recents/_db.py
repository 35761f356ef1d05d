"""Opening the SQLite file: WAL, migrations, and recovery from a corrupt or newer file."""

from __future__ import annotations

import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from softphone.recents._schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION

#: How long a writer waits for another process holding the write lock.
BUSY_TIMEOUT_MS = 10_000


class UnusableDatabaseError(Exception):
    """The file is not a usable Recents database (corrupt, foreign or newer)."""


def is_damage(exc: BaseException) -> bool:
    """True for SQLite errors that mean a damaged file (not "busy" or "locked")."""
    code = getattr(exc, "sqlite_errorcode", None)
    return isinstance(code, int) and (code & 0xFF) in (
        sqlite3.SQLITE_CORRUPT,
        sqlite3.SQLITE_NOTADB,
    )


@dataclass(frozen=True)
class OpenResult:
    conn: sqlite3.Connection
    notice: str | None = None
    moved_aside: Path | None = None


def connect(path: Path | str, synchronous: str = "FULL") -> sqlite3.Connection:
    """A connection in autocommit mode (we issue BEGIN IMMEDIATE ourselves)."""
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys=ON")
    if str(path) != ":memory:":
        mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise sqlite3.OperationalError(f"could not switch to WAL (got {mode})")
    conn.execute(f"PRAGMA synchronous={synchronous}")
    return conn


def _check(conn: sqlite3.Connection, integrity: bool) -> int:
    """Return the file's schema version or raise :class:`UnusableDatabaseError`."""
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    tables = conn.execute("SELECT count(*) FROM sqlite_schema").fetchone()[0]
    problem = quick_check(conn) if integrity else None
    if problem is not None:
        raise UnusableDatabaseError(f"it is damaged ({problem})")
    if app_id not in (0, APPLICATION_ID) or (app_id == 0 and tables):
        raise UnusableDatabaseError("it is not a Softphone Recents database")
    if version > SCHEMA_VERSION:
        raise UnusableDatabaseError(
            f"it was written by a newer Softphone (schema {version}, this one knows "
            f"{SCHEMA_VERSION})"
        )
    return int(version)


def quick_check(conn: sqlite3.Connection) -> str | None:
    """None when every page reads back sound, else SQLite's complaint."""
    try:
        result = conn.execute("PRAGMA quick_check(1)").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        if not is_damage(exc):
            raise
        return str(exc)
    return None if result == "ok" else str(result)


def migrate(conn: sqlite3.Connection, target: int = SCHEMA_VERSION) -> None:
    """Apply the missing migrations, each in its own transaction with its version bump."""
    while True:
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version >= target:
                conn.execute("COMMIT")
                return
            if version == 0:
                conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
            for statement in MIGRATIONS[version].split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version={version + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


def _move_aside(path: Path) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while aside.exists():
        n += 1
        aside = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    for suffix in ("-wal", "-shm", "-journal"):
        side = Path(f"{path}{suffix}")
        if side.exists():
            os.replace(side, Path(f"{aside}{suffix}"))
    os.replace(path, aside)
    return aside


IntegrityCheck = Literal["auto", "always", "never"]


def _wants_check(path: Path | str, mode: IntegrityCheck) -> bool:
    """ "auto" checks every page only when a non-empty -wal file is left over: the last
    session did not close cleanly (or another instance has the file open). A clean close
    removes the -wal file, so the common open costs no full scan (~70 ms per 100k calls)."""
    if mode not in ("auto", "always", "never"):
        raise ValueError(f"integrity_check must be auto, always or never, not {mode!r}")
    if mode != "auto" or str(path) == ":memory:":
        return mode == "always"
    wal = Path(f"{path}-wal")
    return wal.exists() and wal.stat().st_size > 0


def _check_file(path: Path, full_check: bool) -> None:
    """Check an existing file through a read-only connection, which never checkpoints:
    a damaged file is moved aside exactly as found, -wal included."""
    if not path.exists() or path.stat().st_size == 0:
        return
    ro = sqlite3.connect(
        path.resolve().as_uri() + "?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000
    )
    try:
        _check(ro, full_check)
    except sqlite3.DatabaseError as exc:
        if not is_damage(exc):
            raise
        raise UnusableDatabaseError(f"it is damaged ({exc})") from exc
    finally:
        ro.close()


def open_database(
    path: Path | str, synchronous: str = "FULL", integrity_check: IntegrityCheck = "auto"
) -> OpenResult:
    """Open (creating or migrating) the database at ``path``.

    A file that is damaged, foreign or from a newer schema is renamed to
    ``<name>.corrupt-<time>`` (with its -wal/-shm files) and a fresh database is started;
    ``OpenResult.notice`` then says so in words for the user.
    """
    full_check = _wants_check(path, integrity_check)
    if str(path) == ":memory:":
        conn = connect(path, synchronous)
        migrate(conn)
        return OpenResult(conn)
    file = Path(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    try:
        _check_file(file, full_check)
        conn = connect(file, synchronous)
        try:
            migrate(conn)
        except BaseException:
            conn.close()
            raise
        return OpenResult(conn)
    except (UnusableDatabaseError, sqlite3.DatabaseError) as exc:
        if not (isinstance(exc, UnusableDatabaseError) or is_damage(exc)):
            raise
        reason = exc if isinstance(exc, UnusableDatabaseError) else f"it is damaged ({exc})"
        aside = _move_aside(file)
        conn = connect(file, synchronous)
        migrate(conn)
        notice = (
            f"The call history at {file} could not be used: {reason}. It was kept as "
            f"{aside.name} and a new, empty history was started."
        )
        return OpenResult(conn, notice, aside)
