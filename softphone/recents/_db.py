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


_SQLITE_CORRUPT, _SQLITE_NOTADB = 11, 26
_DAMAGE_TEXT = ("file is not a database", "malformed", "file is encrypted")


def is_damage(exc: BaseException) -> bool:
    """True for SQLite errors that mean a damaged file (not "busy" or "locked")."""
    code = getattr(exc, "sqlite_errorcode", None)  # Python >= 3.11
    if isinstance(code, int):
        return (code & 0xFF) in (_SQLITE_CORRUPT, _SQLITE_NOTADB)
    return isinstance(exc, sqlite3.DatabaseError) and any(t in str(exc) for t in _DAMAGE_TEXT)


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
    tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
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


def _private_files(file: Path) -> None:
    """The database and its -wal/-shm readable by this user only (0600): a new file is
    created so (SQLite gives -wal/-shm the database's mode), an older looser one fixed."""
    if os.name != "posix":
        return
    if not file.exists():
        os.close(os.open(file, os.O_WRONLY | os.O_CREAT, 0o600))  # empty: a new database
    for path in (file, *(file.with_name(file.name + s) for s in ("-wal", "-shm", "-journal"))):
        try:
            if path.stat().st_mode & 0o077:
                path.chmod(0o600)
        except FileNotFoundError:
            continue


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
    file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    _private_files(file)
    try:
        _check_file(file, full_check)
        conn = connect(file, synchronous)
        _private_files(file)
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
        _private_files(file)
        conn = connect(file, synchronous)
        _private_files(file)
        migrate(conn)
        notice = (
            f"The call history at {file} could not be used: {reason}. It was kept as "
            f"{aside.name} and a new, empty history was started."
        )
        return OpenResult(conn, notice, aside)
