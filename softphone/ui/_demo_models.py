"""In-memory Recents and Contacts list models used when the app gives none.

They follow the role and slot names of the real ``RecentsListModel`` and
``ContactsListModel`` so the same QML works with either.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    Property,
    QAbstractListModel,
    QByteArray,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
    Slot,
)

_Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()


class _DictListModel(QAbstractListModel):
    """A list of dicts; each key of ``ROLES`` is one role."""

    ROLES: tuple[str, ...] = ()

    def __init__(self, rows: list[dict[str, Any]] | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self._all: list[dict[str, Any]] = list(rows or [])
        self._rows: list[dict[str, Any]] = list(self._all)

    def rowCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def roleNames(self) -> dict[int, QByteArray]:
        base = int(Qt.ItemDataRole.UserRole) + 1
        return {base + i: QByteArray(name.encode()) for i, name in enumerate(self.ROLES)}

    def data(self, index: _Index, role: int = int(Qt.ItemDataRole.DisplayRole)) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        key = self.roleNames().get(role)
        return self._rows[index.row()].get(bytes(key.data()).decode()) if key else None

    def _reset(self, rows: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()


class DemoRecentsListModel(_DictListModel):
    """Stand-in for ``RecentsListModel`` (All/Missed filter, details page)."""

    ROLES = (
        "displayName",
        "handle",
        "count",
        "isMissed",
        "direction",
        "timeText",
        "status",
        "entryId",
    )
    filterChanged = Signal()
    searchTextChanged = Signal()
    unseenMissedCountChanged = Signal()

    def __init__(self, rows: list[dict[str, Any]] | None = None, parent: QObject | None = None):
        super().__init__(rows if rows is not None else _sample_recents(), parent)
        self._filter, self._search, self._unseen = "all", "", sum(r["isMissed"] for r in self._all)

    def _get_filter(self) -> str:
        return self._filter

    def _set_filter(self, value: str) -> None:
        if value != self._filter:
            self._filter = value
            self.refresh()
            self.filterChanged.emit()

    filter = Property(str, _get_filter, _set_filter, notify=filterChanged)

    def _get_search(self) -> str:
        return self._search

    def _set_search(self, value: str) -> None:
        if value != self._search:
            self._search = value
            self.refresh()
            self.searchTextChanged.emit()

    searchText = Property(str, _get_search, _set_search, notify=searchTextChanged)

    @Property(int, notify=unseenMissedCountChanged)
    def unseenMissedCount(self) -> int:
        return self._unseen

    @Slot()
    def refresh(self) -> None:
        rows = [r for r in self._all if self._filter != "missed" or r["isMissed"]]
        needle = self._search.lower()
        self._reset([r for r in rows if needle in (r["displayName"] + r["handle"]).lower()])

    @Slot(int)
    def remove(self, row: int) -> None:
        if 0 <= row < len(self._rows):
            self._all.remove(self._rows[row])
            self.refresh()

    @Slot()
    def clearAll(self) -> None:
        self._all = []
        self.refresh()

    @Slot()
    def markMissedSeen(self) -> None:
        if self._unseen:
            self._unseen = 0
            self.unseenMissedCountChanged.emit()

    @Slot(int, result=list)
    def details(self, row: int) -> list[dict[str, Any]]:
        if not 0 <= row < len(self._rows):
            return []
        return list(self._rows[row].get("calls", []))


class DemoContactsListModel(_DictListModel):
    """Stand-in for ``ContactsListModel`` (a local address book)."""

    ROLES = ("name", "numbers", "sip_uris", "initials", "section")
    searchTextChanged = Signal()

    def __init__(self, rows: list[dict[str, Any]] | None = None, parent: QObject | None = None):
        super().__init__(rows if rows is not None else _sample_contacts(), parent)
        self._search = ""

    def _get_search(self) -> str:
        return self._search

    def _set_search(self, value: str) -> None:
        if value != self._search:
            self._search = value
            self._apply()
            self.searchTextChanged.emit()

    searchText = Property(str, _get_search, _set_search, notify=searchTextChanged)

    def _apply(self) -> None:
        rows = sorted(self._all, key=lambda r: r["name"].lower())
        self._reset([r for r in rows if self._search.lower() in r["name"].lower()])

    @Slot(str, str, str, result=bool)
    def add(self, name: str, number: str, sip_uri: str) -> bool:
        if not name.strip() or not (number.strip() or sip_uri.strip()):
            return False
        self._all.append(
            _contact(
                name.strip(),
                [number.strip()] if number.strip() else [],
                [sip_uri.strip()] if sip_uri.strip() else [],
            )
        )
        self._apply()
        return True

    @Slot(int)
    def remove(self, row: int) -> None:
        if 0 <= row < len(self._rows):
            self._all.remove(self._rows[row])
            self._apply()

    @Slot(str, result=int)
    def importVCard(self, path: str) -> int:
        return 0

    @Slot(str, result=int)
    def exportVCard(self, path: str) -> int:
        return 0


def _contact(name: str, numbers: list[str], uris: list[str]) -> dict[str, Any]:
    words = name.split()
    return {
        "name": name,
        "numbers": numbers,
        "sip_uris": uris,
        "initials": "".join(w[0].upper() for w in words[:2]),
        "section": name[:1].upper(),
    }


def _sample_contacts() -> list[dict[str, Any]]:
    return [
        _contact("Anna Becker", ["+49 30 1234567"], []),
        _contact("Bob Miller", ["+1 415 555 0100"], ["sip:bob@example.com"]),
        _contact("Carla Diaz", ["+34 612 345 678"], []),
        _contact("Dev Team", [], ["sip:dev@pbx.example.com"]),
    ]


def _recent(name: str, handle: str, missed: bool, direction: str, when: str, n: int = 1) -> dict:
    calls = [
        {
            "time": when,
            "duration": "" if missed else "2 minutes",
            "direction": direction,
            "status": "Missed Call" if missed else f"{direction.title()} Call",
        }
    ] * n
    return {
        "displayName": name,
        "handle": handle,
        "count": n,
        "isMissed": missed,
        "direction": direction,
        "timeText": when,
        "status": "mobile" if name else "unknown",
        "entryId": f"{handle}-{when}",
        "calls": calls,
    }


def _sample_recents() -> list[dict[str, Any]]:
    return [
        _recent("Bob Miller", "+14155550100", False, "outgoing", "09:41"),
        _recent("", "+442079460958", True, "incoming", "08:12", 2),
        _recent("Anna Becker", "+49301234567", False, "incoming", "Yesterday"),
        _recent("Dev Team", "sip:dev@pbx.example.com", True, "incoming", "Monday"),
        _recent("Carla Diaz", "+34612345678", False, "outgoing", "21/11/2026"),
    ]
