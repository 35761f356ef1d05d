"""Opening bad files: damaged, foreign or newer ones are kept aside; old ones migrate."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from softphone.recents import SCHEMA_VERSION, RecentsStore, default_db_path
from softphone.recents._db import connect, migrate
from tests.recents.conftest import rec


def _fresh_ok(path: Path) -> RecentsStore:
    store = RecentsStore(path, tz=dt.timezone.utc)
    store.add(rec())
    assert store.count() == 1
    return store


class TestRecovery:
    def test_garbage_file_is_moved_aside(self, db_path: Path) -> None:
        """A file that is not SQLite is kept as .corrupt-<time>; a new history starts."""
        db_path.parent.mkdir(parents=True)
        db_path.write_bytes(b"this is not a database\n" * 200)
        store = _fresh_ok(db_path)
        assert store.moved_aside is not None and store.moved_aside.exists()
        assert store.moved_aside.name.startswith("recents.sqlite3.corrupt-")
        assert store.moved_aside.read_bytes().startswith(b"this is not a database")
        assert store.recovery_notice is not None
        assert "could not be used" in store.recovery_notice
        assert store.moved_aside.name in store.recovery_notice
        store.close()

    @staticmethod
    def _damage(path: Path) -> None:
        raw = bytearray(path.read_bytes())
        assert len(raw) > 40_000
        raw[20_000:36_000] = b"\xa5" * 16_000
        path.write_bytes(bytes(raw))

    @staticmethod
    def _filled(path: Path) -> RecentsStore:
        s = RecentsStore(path)
        s.add_many(rec(f"+1555{i:05d}", at=1e9 + i, caller_name="x" * 200) for i in range(500))
        return s

    def test_damaged_pages_are_detected(self, db_path: Path) -> None:
        """integrity_check="always" catches a damaged middle of a valid file."""
        self._filled(db_path).close()
        self._damage(db_path)
        store = RecentsStore(db_path, integrity_check="always")
        assert store.recovery_notice is not None and "damaged" in store.recovery_notice
        assert store.count() == 0
        store.close()

    def test_auto_checks_after_unclean_shutdown(self, db_path: Path, tmp_path: Path) -> None:
        """A leftover -wal (crash) makes "auto" read every page and catch the damage."""
        live = self._filled(db_path)
        live._db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        live.add(rec(uuid="in-wal"))  # not yet checkpointed: the -wal file is non-empty
        crashed = tmp_path / "crashed.sqlite3"
        crashed.write_bytes(db_path.read_bytes())
        Path(f"{crashed}-wal").write_bytes(Path(f"{db_path}-wal").read_bytes())
        live.close()
        self._damage(crashed)
        store = RecentsStore(crashed)
        assert store.recovery_notice is not None and "damaged" in store.recovery_notice
        assert store.moved_aside is not None
        assert Path(f"{store.moved_aside}-wal").exists()
        store.close()

    def test_auto_skips_full_check_after_clean_close(self, db_path: Path) -> None:
        """After a clean close "auto" opens fast; verify() still finds the damage."""
        self._filled(db_path).close()
        assert not Path(f"{db_path}-wal").exists()
        self._damage(db_path)
        store = RecentsStore(db_path)
        assert store.recovery_notice is None
        problem = store.verify()
        assert problem is not None
        store.close()
        healthy = RecentsStore(db_path.with_name("other.sqlite3"))
        assert healthy.verify() is None
        healthy.close()

    def test_future_version_is_kept_aside(self, db_path: Path) -> None:
        """A file from a newer schema is not touched: it is moved aside intact."""
        RecentsStore(db_path).close()
        conn = sqlite3.connect(db_path)
        conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
        conn.close()
        store = _fresh_ok(db_path)
        assert store.recovery_notice is not None and "newer" in store.recovery_notice
        assert store.moved_aside is not None
        old = sqlite3.connect(store.moved_aside)
        assert old.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
        old.close()
        store.close()

    def test_foreign_database_is_kept_aside(self, db_path: Path) -> None:
        """Another program's SQLite file is never migrated into ours."""
        db_path.parent.mkdir(parents=True)
        conn = sqlite3.connect(db_path)
        conn.execute("CREATE TABLE notes(x)")
        conn.commit()
        conn.close()
        store = _fresh_ok(db_path)
        assert store.recovery_notice is not None and "not a Softphone" in store.recovery_notice
        store.close()

    def test_healthy_file_has_no_notice(self, db_path: Path) -> None:
        """Reopening a good file keeps its data and says nothing."""
        _fresh_ok(db_path).close()
        store = RecentsStore(db_path)
        assert store.recovery_notice is None and store.count() == 1
        store.close()

    def test_profiles_use_separate_files(self, tmp_path: Path) -> None:
        """Two profiles' data dirs give two databases that never see each other."""
        from softphone.settings import profile_paths

        a = default_db_path(profile_paths("alice", root=tmp_path).data_dir)
        b = default_db_path(profile_paths("bob", root=tmp_path).data_dir)
        assert a != b
        sa, sb = RecentsStore(a), RecentsStore(b)
        sa.add(rec())
        assert (sa.count(), sb.count()) == (1, 0)
        sa.close()
        sb.close()


class TestMigrations:
    @pytest.mark.parametrize("start", range(1, SCHEMA_VERSION))
    def test_old_versions_migrate_keeping_calls(self, db_path: Path, start: int) -> None:
        """A file at an older schema is upgraded in place and keeps its calls."""
        db_path.parent.mkdir(parents=True)
        conn = connect(db_path)
        migrate(conn, target=start)
        conn.execute(
            "INSERT INTO calls(uuid, is_outgoing, status, is_missed, handle, handle_type,"
            " handle_key, caller_name, started_at, connected_at, ended_at, duration,"
            " end_reason, provider_name, participants, seen) VALUES"
            " ('old', 0, 'missed', 1, '+1555', 'generic', '1555', 'Old', 1e9, NULL, 1e9,"
            " 0, '', '', '[]', 0)"
        )
        conn.close()
        store = RecentsStore(db_path)
        assert store.recovery_notice is None
        assert [g.latest.record.uuid for g in store.page().groups] == ["old"]
        assert store.unseen_missed_count() == 1
        store.directory.add_blocking([15550001])
        store.contacts.add(__import__("softphone.recents").recents.Contact("New"))
        store.close()
        check = sqlite3.connect(db_path)
        assert check.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        check.close()

    def test_failed_migration_rolls_back(self, db_path: Path) -> None:
        """A migration that fails leaves the file at its old version, data intact."""
        db_path.parent.mkdir(parents=True)
        conn = connect(db_path)
        migrate(conn, target=1)
        conn.execute("CREATE TABLE contacts(x)")  # makes migration 2 fail half-way
        with pytest.raises(sqlite3.OperationalError):
            migrate(conn)
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
        assert (
            conn.execute(
                "SELECT count(*) FROM sqlite_schema WHERE name = 'contact_handles'"
            ).fetchone()[0]
            == 0
        )
        conn.close()
