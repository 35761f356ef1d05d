"""RecentsStore: adding calls, grouping like iOS, paging, search, delete, badge, export."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pytest

from softphone.recents import (
    SCHEMA_VERSION,
    CallRecord,
    RecentsError,
    RecentsStatus,
    RecentsStore,
)
from tests.recents.conftest import NOON, rec

HOUR = 3600.0
DAY = 86400.0


class TestAdd:
    def test_round_trip_keeps_every_field(self, store: RecentsStore) -> None:
        """A stored call reads back with all its fields, duration from connect to end."""
        r = rec(
            "sip:alice@example.com",
            "outgoing",
            talk=90,
            caller_name="Alice",
            end_reason="remoteEnded",
            provider_name="Softphone",
            uuid="u-1",
            participants=("sip:bob@example.com", "+4930123"),
            handle_type="generic",
        )
        entry_id = store.add(r)
        got = store.get(entry_id)
        assert got is not None and got.record == r
        assert got.record.duration == 90
        assert got.direction == "outgoing"

    def test_same_uuid_is_stored_once(self, store: RecentsStore) -> None:
        """Adding a record with an already stored uuid returns the first id."""
        a = store.add(rec(uuid="same"))
        b = store.add(rec(uuid="same", at=NOON + 10))
        assert a == b and store.count() == 1

    def test_bad_records_are_refused_clearly(self, store: RecentsStore) -> None:
        """Unknown status, end before start and NaN times raise RecentsError."""
        with pytest.raises(RecentsError, match="unknown status"):
            rec(status="ringing")
        with pytest.raises(RecentsError, match="before started_at"):
            CallRecord("x", "incoming", False, started_at=10, ended_at=5)
        with pytest.raises(RecentsError, match="finite"):
            CallRecord("x", "incoming", False, started_at=float("nan"), ended_at=5)
        assert store.count() == 0

    def test_add_many_is_all_or_none(self, store: RecentsStore) -> None:
        """A bad record in a batch leaves nothing stored."""
        with pytest.raises(RecentsError):
            store.add_many([rec(), "not a record"])  # type: ignore[list-item]
        assert store.count() == 0

    def test_schema_version_and_wal(self, store: RecentsStore, db_path: Path) -> None:
        """The file is in WAL mode and carries the current schema version."""
        conn = sqlite3.connect(db_path)
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        conn.close()


class TestGrouping:
    def test_consecutive_same_handle_class_and_day_collapse(self, store: RecentsStore) -> None:
        """Three missed calls in a row from one number are one row "(3)"."""
        for i in range(3):
            store.add(rec("+15550001", "missed", at=NOON + i * 60, talk=None))
        groups = store.page().groups
        assert [g.count for g in groups] == [3]
        assert groups[0].is_missed

    def test_number_written_differently_still_groups(self, store: RecentsStore) -> None:
        """ "+1 555 0001" and "+15550001" are the same handle."""
        store.add(rec("+1 555 0001", at=NOON))
        store.add(rec("+15550001", at=NOON + 60))
        assert [g.count for g in store.page().groups] == [2]

    def test_missed_and_answered_do_not_mix(self, store: RecentsStore) -> None:
        """A missed call and an answered one from the same number are separate rows."""
        store.add(rec(status="incoming", at=NOON))
        store.add(rec(status="missed", at=NOON + 60, talk=None))
        store.add(rec(status="outgoing", at=NOON + 120))
        groups = store.page().groups
        assert [(g.count, g.is_missed) for g in groups] == [(1, False), (1, True), (1, False)]

    def test_incoming_and_outgoing_group_together(self, store: RecentsStore) -> None:
        """Non-missed calls group regardless of direction; the row shows the newest."""
        store.add(rec(status="incoming", at=NOON))
        store.add(rec(status="outgoing", at=NOON + 60))
        (g,) = store.page().groups
        assert g.count == 2 and g.latest.direction == "outgoing"

    def test_other_handle_in_between_splits(self, store: RecentsStore) -> None:
        """Only consecutive calls group: A, B, A is three rows."""
        for i, h in enumerate(["+1111111", "+2222222", "+1111111"]):
            store.add(rec(h, at=NOON + i * 60))
        assert [g.count for g in store.page().groups] == [1, 1, 1]

    def test_midnight_splits(self, store: RecentsStore) -> None:
        """Calls on different days (in the store's time zone) are separate rows."""
        midnight = NOON + 12 * HOUR
        store.add(rec(at=midnight - 60))
        store.add(rec(at=midnight + 60))
        assert [g.count for g in store.page().groups] == [1, 1]

    def test_missed_filter_regroups_missed_calls(self, store: RecentsStore) -> None:
        """In the Missed list, missed calls separated only by other calls become neighbours."""
        store.add(rec("+1111111", "missed", at=NOON, talk=None))
        store.add(rec("+2222222", "incoming", at=NOON + 60))
        store.add(rec("+1111111", "declined", at=NOON + 120, talk=None))
        assert [g.count for g in store.page("all").groups] == [1, 1, 1]
        missed = store.page("missed").groups
        assert [g.count for g in missed] == [2]
        assert [e.record.status for e in missed[0].entries] == [
            RecentsStatus.DECLINED,
            RecentsStatus.MISSED,
        ]


class TestPaging:
    def test_keyset_pages_cover_everything_once(self, store: RecentsStore) -> None:
        """Walking pages with the cursor yields each group once and ends with None."""
        ids = store.add_many(
            rec(
                f"+1555{i % 7:04d}",
                "missed" if i % 3 == 0 else "incoming",
                at=NOON - i * 600,
                talk=None if i % 3 == 0 else 30,
            )
            for i in range(120)
        )
        seen: list[int] = []
        cursor = None
        pages = 0
        while True:
            page = store.page(after=cursor, limit=7)
            pages += 1
            seen += [i for g in page.groups for i in g.ids]
            if page.next_cursor is None:
                break
            assert len(page.groups) == 7
            cursor = page.next_cursor
        assert sorted(seen) == sorted(ids) and len(seen) == len(set(seen))
        assert pages > 3
        one_page = [g.ids for g in store.page(limit=1000).groups]
        assert [i for g in one_page for i in g] == seen

    def test_bad_filter_and_limit(self, store: RecentsStore) -> None:
        """Unknown filters and non-positive limits raise RecentsError."""
        with pytest.raises(RecentsError):
            store.page("recent")
        with pytest.raises(RecentsError):
            store.page(limit=0)


class TestSearch:
    def test_by_name_number_and_contact(self, store: RecentsStore) -> None:
        """Search finds the caller name, the number however written, and contact names."""
        from softphone.recents import Contact

        store.add(rec("+1 (800) 555-1234", caller_name="Pizza Place", at=NOON))
        store.add(rec("sip:bob@example.com", at=NOON + 60))
        store.add(rec("+4930999", at=NOON + 120))
        store.contacts.add(Contact("Robert", sip_uris=("sip:bob@example.com",)))

        def handles(text: str) -> list[str]:
            return [g.latest.record.handle for g in store.page(search=text).groups]

        assert handles("pizza") == ["+1 (800) 555-1234"]
        assert handles("8005551234") == ["+1 (800) 555-1234"]
        assert handles("555-12") == ["+1 (800) 555-1234"]
        assert handles("robert") == ["sip:bob@example.com"]
        assert handles("100%") == []
        assert handles("") == ["+4930999", "sip:bob@example.com", "+1 (800) 555-1234"]


class TestDeleteAndBadge:
    def test_delete_one_group_and_clear(self, store: RecentsStore) -> None:
        """Deleting a group's ids removes only them; clear_all empties the history."""
        for i in range(3):
            store.add(rec("+1111111", at=NOON + i))
        other = store.add(rec("+2222222", at=NOON + 100))
        group = store.page().groups[1]
        assert store.delete(group.ids) == 3
        assert [e.id for g in store.page().groups for e in g.entries] == [other]
        assert store.delete(other) == 1
        store.add(rec())
        assert store.clear_all() == 1 and store.count() == 0

    def test_unseen_missed_badge(self, store: RecentsStore) -> None:
        """Only missed calls raise the badge; marking seen clears it."""
        store.add(rec(status="missed", talk=None))
        store.add(rec(status="missed", talk=None, at=NOON + 1))
        store.add(rec(status="declined", talk=None, at=NOON + 2))
        store.add(rec(status="incoming", at=NOON + 3))
        assert store.unseen_missed_count() == 2
        assert store.mark_missed_seen() == 2
        assert store.unseen_missed_count() == 0
        store.add(rec(status="missed", talk=None, at=NOON + 4))
        assert store.unseen_missed_count() == 1

    def test_listeners_hear_changes(self, store: RecentsStore) -> None:
        """Subscribers are told after each committed change, until they unsubscribe."""
        heard: list[str] = []
        unsubscribe = store.subscribe(heard.append)
        store.add(rec())
        store.contacts.add(__import__("softphone.recents").recents.Contact("Al"))
        unsubscribe()
        store.clear_all()
        assert heard == ["calls", "contacts"]


class TestExport:
    def test_csv_and_json(self, store: RecentsStore, tmp_path: Path) -> None:
        """Exports hold every entry with readable times and the conference participants."""
        store.add(rec("+1111111", "missed", talk=None, caller_name='Ann, "A"'))
        store.add(rec("sip:conf@x", "outgoing", at=NOON + 60, participants=("a", "b")))
        assert store.export_csv(tmp_path / "h.csv") == 2
        assert store.export_json(tmp_path / "h.json") == 2
        rows = list(csv.DictReader((tmp_path / "h.csv").open(encoding="utf-8")))
        assert [r["status"] for r in rows] == ["outgoing", "missed"]
        assert rows[1]["caller_name"] == 'Ann, "A"'
        assert rows[0]["participants"] == "a;b"
        data = json.loads((tmp_path / "h.json").read_text(encoding="utf-8"))
        assert data[0]["participants"] == ["a", "b"]
        assert data[1]["started_at"] == "2026-03-10T12:00:00+00:00"
        assert data[0]["duration_s"] == 60
        assert not list(tmp_path.glob("*.tmp"))
