"""RecentsListModel and ContactsListModel over a real store (pytest-qt, offscreen)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QLocale, QModelIndex
from pytestqt.qtbot import QtBot

from softphone.recents import Contact, RecentsStore
from softphone.ui.contacts_model import ContactsListModel, initials, section
from softphone.ui.recents_model import RecentsListModel, duration_text, time_text
from tests.recents.conftest import NOON, rec

UTC = dt.timezone.utc
NOW = dt.datetime.fromtimestamp(NOON, UTC) + dt.timedelta(hours=3)  # Tue 15:00


def role(model: Any, row: int, name: str) -> Any:
    roles = {bytes(v).decode(): k for k, v in model.roleNames().items()}
    return model.data(model.index(row, 0), roles[name])


def column(model: Any, name: str) -> list[Any]:
    return [role(model, r, name) for r in range(model.rowCount())]


@pytest.fixture
def recents(store: RecentsStore, qtbot: QtBot) -> Iterator[RecentsListModel]:
    model = RecentsListModel(store, now=lambda: NOW, locale=QLocale.c(), page_size=4)
    yield model
    model.deleteLater()


def fill(store: RecentsStore, n: int) -> None:
    """n calls, alternating two handles, so none group together."""
    store.add_many(rec(f"+155500{i % 2}", at=NOON - i * 60) for i in range(n))


class TestTimeText:
    @pytest.mark.parametrize(
        ("days_ago", "expected"),
        [(0, "09:05"), (1, "Yesterday"), (2, "Sunday"), (6, "Wednesday"), (7, "3 03 2026")],
    )
    def test_ios_style(self, days_ago: int, expected: str) -> None:
        """Time today, Yesterday, weekday within a week, short date beyond."""
        when = dt.datetime(2026, 3, 10, 9, 5, tzinfo=UTC) - dt.timedelta(days=days_ago)
        assert time_text(when, NOW, QLocale.c()) == expected

    def test_durations(self) -> None:
        """Durations read like the iOS details page."""
        assert [duration_text(s) for s in (1, 45, 60, 754, 3900)] == [
            "1 second",
            "45 seconds",
            "1 minute",
            "12 minutes",
            "1 hour 5 minutes",
        ]


class TestRecentsListModel:
    def test_roles_of_a_group(self, store: RecentsStore, qtbot: QtBot) -> None:
        """A group of three missed calls shows as one row with count 3 and its roles."""
        store.contacts.add(Contact("Ann", ("+15550001",)))
        for i in range(3):
            store.add(rec("+1 555 0001", "missed", at=NOON + i * 60, talk=None))
        model = RecentsListModel(store, now=lambda: NOW, locale=QLocale.c())
        assert model.rowCount() == 1
        assert [
            role(model, 0, n)
            for n in (
                "displayName",
                "handle",
                "count",
                "isMissed",
                "direction",
                "timeText",
                "status",
            )
        ] == ["Ann", "+1 555 0001", 3, True, "incoming", "12:02", "missed"]
        assert role(model, 0, "entryId") == max(e.id for e in store.iter_entries())
        details = model.details(0)
        assert [d["time"] for d in details] == ["12:02", "12:01", "12:00"]
        assert {d["status"] for d in details} == {"Missed Call"}
        assert details[0]["duration"] == "" and details[0]["direction"] == "incoming"

    def test_lazy_paging(self, store: RecentsStore, recents: RecentsListModel) -> None:
        """Rows arrive a page at a time through canFetchMore/fetchMore."""
        fill(store, 10)
        recents.refresh()
        assert recents.rowCount() == 4 and recents.canFetchMore(QModelIndex())
        recents.fetchMore(QModelIndex())
        recents.fetchMore(QModelIndex())
        assert recents.rowCount() == 10 and not recents.canFetchMore(QModelIndex())

    def test_filter_and_search(
        self, store: RecentsStore, recents: RecentsListModel, qtbot: QtBot
    ) -> None:
        """filter and searchText narrow the list and emit their notify signals."""
        store.add(rec("+1111111", "missed", talk=None, caller_name="Zed"))
        store.add(rec("+2222222", "outgoing", at=NOON + 60))
        with qtbot.waitSignal(recents.filterChanged):
            recents.setProperty("filter", "missed")
        assert column(recents, "handle") == ["+1111111"]
        recents.setProperty("filter", "all")
        with qtbot.waitSignal(recents.searchTextChanged):
            recents.setProperty("searchText", "zed")
        assert column(recents, "handle") == ["+1111111"]
        with pytest.raises(ValueError):
            recents._set_filter("recent")

    def test_remove_merges_neighbours(self, store: RecentsStore, recents: RecentsListModel) -> None:
        """Deleting B from A, B, A (same day) leaves one row A with count 2."""
        for i, h in enumerate(["+1111111", "+2222222", "+1111111"]):
            store.add(rec(h, at=NOON + i * 60))
        recents.refresh()
        assert column(recents, "count") == [1, 1, 1]
        recents.remove(1)
        assert column(recents, "count") == [2]
        assert store.count() == 2

    def test_remove_merges_across_page_boundary(
        self, store: RecentsStore, recents: RecentsListModel
    ) -> None:
        """A deleted last row lets the next page's first row join the row above."""
        fill(store, 4)  # rows A B A B on page one
        store.add(rec("+1555000", at=NOON - 4 * 60))  # a fifth row A on page two
        recents.refresh()
        assert recents.rowCount() == 4
        recents.remove(3)  # the last loaded B goes: A B A | A
        recents.fetchMore(QModelIndex())
        assert column(recents, "handle") == ["+1555000", "+1555001", "+1555000"]
        assert column(recents, "count") == [1, 1, 2]
        assert not recents.canFetchMore(QModelIndex())

    def test_badge_and_clear(
        self, store: RecentsStore, recents: RecentsListModel, qtbot: QtBot
    ) -> None:
        """unseenMissedCount follows new calls, markMissedSeen and clearAll."""
        with qtbot.waitSignal(recents.unseenMissedCountChanged):
            store.add(rec(status="missed", talk=None))  # store change refreshes the model
        assert recents.property("unseenMissedCount") == 1 and recents.rowCount() == 1
        with qtbot.waitSignal(recents.unseenMissedCountChanged):
            recents.markMissedSeen()
        assert recents.property("unseenMissedCount") == 0
        recents.clearAll()
        assert recents.rowCount() == 0 and store.count() == 0


class TestContactsListModel:
    def test_add_search_remove(self, store: RecentsStore, qtbot: QtBot) -> None:
        """add() validates, rows sort by name with initials and sections, remove deletes."""
        model = ContactsListModel(store)
        assert model.add("bob stone", "+1 555 1234", "")
        assert model.add("Ann", "", "sip:ann@x.org")
        assert not model.add("", "not a number", "")
        assert "not a phone number" in model.property("lastError")
        assert column(model, "name") == ["Ann", "bob stone"]
        assert column(model, "initials") == ["A", "BS"]
        assert column(model, "section") == ["A", "B"]
        assert column(model, "numbers") == [[], ["+1 555 1234"]]
        assert column(model, "sipUris") == [["sip:ann@x.org"], []]
        with qtbot.waitSignal(model.searchTextChanged):
            model.setProperty("searchText", "5551")
        assert column(model, "name") == ["bob stone"]
        model.remove(0)
        assert model.rowCount() == 0 and store.contacts.count() == 1

    def test_vcard_files(self, store: RecentsStore, tmp_path: Path, qtbot: QtBot) -> None:
        """exportVCard then importVCard (also via file:// URL) round-trips; errors say why."""
        model = ContactsListModel(store)
        model.add("Ann", "+4930111", "sip:ann@x.org")
        path = tmp_path / "out.vcf"
        assert model.exportVCard(str(path)) == 1
        with RecentsStore(":memory:") as other:
            m2 = ContactsListModel(other)
            assert m2.importVCard(path.as_uri()) == 1
            assert column(m2, "numbers") == [["+4930111"]]
            assert m2.importVCard(str(tmp_path / "missing.vcf")) == -1
            assert "Could not import" in m2.property("lastError")

    def test_helpers(self) -> None:
        """Initials and sections follow the iOS avatar and index."""
        assert initials("Anna Maria Smith") == "AS" and initials("+1 555") == "#"
        assert section("élan") == "É" and section("42") == "#"
