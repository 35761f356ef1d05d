"""RecentsListModel: the Recents tab's list (iOS grouping), paged lazily from RecentsStore."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    Property,
    QAbstractListModel,
    QByteArray,
    QDate,
    QLocale,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QTime,
    Signal,
    Slot,
)

from softphone.recents import CallEntry, PageCursor, RecentsGroup, RecentsStatus, RecentsStore

PAGE_SIZE = 50

_STATUS_TEXT = {
    RecentsStatus.OUTGOING: "Outgoing Call",
    RecentsStatus.INCOMING: "Incoming Call",
    RecentsStatus.MISSED: "Missed Call",
    RecentsStatus.DECLINED: "Declined Call",
    RecentsStatus.CANCELLED: "Canceled Call",
    RecentsStatus.BLOCKED: "Blocked Call",
    RecentsStatus.FAILED: "Failed Call",
    RecentsStatus.ANSWERED_ELSEWHERE: "Answered Elsewhere",
    RecentsStatus.NO_RESPONSE: "No Response",
    RecentsStatus.UNANSWERED: "No Answer",
    RecentsStatus.BUSY: "Busy",
    RecentsStatus.REFUSED: "Call Refused",
}

ModelIndex = QModelIndex | QPersistentModelIndex


class _Qt:
    """Qt::DisplayRole and Qt::UserRole as plain ints: touching ``Qt.ItemDataRole``
    makes PySide build every enum of the Qt namespace (~30 ms before the first frame)."""

    DISPLAY_ROLE = 0
    USER_ROLE = 0x0100


class RecentsRole(enum.IntEnum):
    DISPLAY_NAME = _Qt.USER_ROLE + 1
    HANDLE = enum.auto()
    COUNT = enum.auto()
    IS_MISSED = enum.auto()
    DIRECTION = enum.auto()
    TIME_TEXT = enum.auto()
    STATUS = enum.auto()
    ENTRY_ID = enum.auto()


_ROLE_NAMES = {
    RecentsRole.DISPLAY_NAME: b"displayName",
    RecentsRole.HANDLE: b"handle",
    RecentsRole.COUNT: b"count",
    RecentsRole.IS_MISSED: b"isMissed",
    RecentsRole.DIRECTION: b"direction",
    RecentsRole.TIME_TEXT: b"timeText",
    RecentsRole.STATUS: b"status",
    RecentsRole.ENTRY_ID: b"entryId",
}


def time_text(when: dt.datetime, now: dt.datetime, locale: QLocale) -> str:
    """iOS style: the time today, "Yesterday", the weekday within a week, else a short date."""
    days = (now.date() - when.date()).days
    if days <= 0:
        return locale.toString(QTime(when.hour, when.minute), QLocale.FormatType.ShortFormat)
    if days == 1:
        return "Yesterday"
    if days < 7:
        return locale.dayName(when.isoweekday(), QLocale.FormatType.LongFormat)
    return locale.toString(QDate(when.year, when.month, when.day), QLocale.FormatType.ShortFormat)


def duration_text(seconds: float) -> str:
    """Details-page duration: "45 seconds", "1 minute", "12 minutes", "1 hour 5 minutes"."""
    s = round(seconds)
    if s < 60:
        return f"{s} second{'s' * (s != 1)}"
    h, m = divmod(s // 60, 60)
    mins = f"{m} minute{'s' * (m != 1)}"
    return mins if not h else f"{h} hour{'s' * (h != 1)}" + (f" {mins}" if m else "")


class RecentsListModel(QAbstractListModel):
    """Grouped call history for QML; pages come from :meth:`RecentsStore.page` as the
    view scrolls (``canFetchMore``/``fetchMore``). ``now`` and ``locale`` are injectable."""

    filterChanged = Signal()
    searchTextChanged = Signal()
    unseenMissedCountChanged = Signal()

    def __init__(
        self,
        store: RecentsStore,
        parent: QObject | None = None,
        *,
        now: Callable[[], dt.datetime] | None = None,
        locale: QLocale | None = None,
        page_size: int = PAGE_SIZE,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._now = now or (lambda: dt.datetime.now(store.tz))
        self._locale = locale or QLocale()
        self._page_size = page_size
        self._filter = "all"
        self._search = ""
        self._groups: list[RecentsGroup] = []
        self._names: list[str] = []
        self._cursor: PageCursor | None = None
        self._more = True
        self._unseen = store.unseen_missed_count()
        self._quiet = False
        unsubscribe = store.subscribe(self._on_store_changed)
        self.destroyed.connect(lambda *_a: unsubscribe())
        self._load_first_page()

    # -- Qt model ---------------------------------------------------------------------

    def roleNames(self) -> dict[int, QByteArray]:
        return {int(k): QByteArray(v) for k, v in _ROLE_NAMES.items()}

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._groups)

    def data(self, index: ModelIndex, role: int = _Qt.DISPLAY_ROLE) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._groups):
            return None
        group = self._groups[index.row()]
        if role == _Qt.DISPLAY_ROLE:
            role = RecentsRole.DISPLAY_NAME
        return self._value(group, self._names[index.row()], role)

    def _value(self, group: RecentsGroup, name: str, role: int) -> Any:
        latest = group.latest
        match role:
            case RecentsRole.DISPLAY_NAME:
                return name
            case RecentsRole.HANDLE:
                return latest.record.handle
            case RecentsRole.COUNT:
                return group.count
            case RecentsRole.IS_MISSED:
                return group.is_missed
            case RecentsRole.DIRECTION:
                return latest.direction
            case RecentsRole.TIME_TEXT:
                return self._time_text(latest.record.started_at)
            case RecentsRole.STATUS:
                return RecentsStatus(latest.record.status).value
            case RecentsRole.ENTRY_ID:
                return latest.id
        return None

    def _time_text(self, started_at: float) -> str:
        return time_text(self._local(started_at), self._now(), self._locale)

    def _local(self, t: float) -> dt.datetime:
        """In the store's time zone (the one that splits groups by day); local if None."""
        return dt.datetime.fromtimestamp(t, self._store.tz)

    def canFetchMore(self, parent: ModelIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._more

    def fetchMore(self, parent: ModelIndex = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or not self._more:
            return
        page = self._store.page(self._filter, self._search, self._cursor, self._page_size)
        groups = list(page.groups)
        self._cursor, self._more = page.next_cursor, page.next_cursor is not None
        if groups and self._groups and self._joins(self._groups[-1], groups[0]):
            # the row we deleted last had kept these two apart
            self._replace(len(self._groups) - 1, self._groups[-1].entries + groups.pop(0).entries)
        if groups:
            first = len(self._groups)
            self.beginInsertRows(QModelIndex(), first, first + len(groups) - 1)
            self._groups += groups
            self._names += [self._store.display_name(g.latest) for g in groups]
            self.endInsertRows()

    # -- properties -------------------------------------------------------------------

    def _get_filter(self) -> str:
        return self._filter

    def _set_filter(self, value: str) -> None:
        if value not in ("all", "missed"):
            raise ValueError(f"filter must be 'all' or 'missed', not {value!r}")
        if value != self._filter:
            self._filter = value
            self.filterChanged.emit()
            self.refresh()

    filter = Property(str, _get_filter, _set_filter, notify=filterChanged)

    def _get_search(self) -> str:
        return self._search

    def _set_search(self, value: str) -> None:
        if value != self._search:
            self._search = value
            self.searchTextChanged.emit()
            self.refresh()

    searchText = Property(str, _get_search, _set_search, notify=searchTextChanged)

    def _get_unseen(self) -> int:
        return self._unseen

    unseenMissedCount = Property(int, _get_unseen, notify=unseenMissedCountChanged)

    def _update_unseen(self) -> None:
        n = self._store.unseen_missed_count()
        if n != self._unseen:
            self._unseen = n
            self.unseenMissedCountChanged.emit()

    # -- slots ------------------------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        """Reload from the store (first page only; later pages load as the view scrolls)."""
        self.beginResetModel()
        self._groups, self._names, self._cursor, self._more = [], [], None, True
        self.endResetModel()
        self._load_first_page()
        self._update_unseen()

    def _load_first_page(self) -> None:
        self.fetchMore(QModelIndex())

    @Slot(int)
    def remove(self, row: int) -> None:
        """Delete the row's calls (the whole group); neighbours that now touch merge."""
        if not 0 <= row < len(self._groups):
            return
        with self._own_change():
            self._store.delete(self._groups[row].ids)
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._groups[row]
        del self._names[row]
        self.endRemoveRows()
        if 0 < row < len(self._groups) and self._joins(self._groups[row - 1], self._groups[row]):
            self._replace(row - 1, self._groups[row - 1].entries + self._groups[row].entries)
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._groups[row]
            del self._names[row]
            self.endRemoveRows()
        self._update_unseen()

    @Slot()
    def clearAll(self) -> None:
        with self._own_change():
            self._store.clear_all()
        self.refresh()

    @Slot()
    def markMissedSeen(self) -> None:
        with self._own_change():
            self._store.mark_missed_seen()
        self._update_unseen()

    @Slot(int, result="QVariantList")
    def details(self, row: int) -> list[dict[str, Any]]:
        """The calls of one row, newest first, for the details page."""
        if not 0 <= row < len(self._groups):
            return []
        return [self._detail(e) for e in self._groups[row].entries]

    def _detail(self, e: CallEntry) -> dict[str, Any]:
        status = RecentsStatus(e.record.status)
        start = self._local(e.record.started_at)
        connected = e.record.connected_at is not None
        return {
            "time": self._locale.toString(
                QTime(start.hour, start.minute), QLocale.FormatType.ShortFormat
            ),
            "duration": duration_text(e.record.duration) if connected else "",
            "status": _STATUS_TEXT[status],
            "direction": e.direction,
            "timestamp": e.record.started_at,
            "durationSeconds": e.record.duration,
            "entryId": e.id,
        }

    # -- helpers ----------------------------------------------------------------------

    def _joins(self, newer: RecentsGroup, older: RecentsGroup) -> bool:
        return self._store.group_key(newer.latest) == self._store.group_key(older.latest)

    def _replace(self, row: int, entries: tuple[CallEntry, ...]) -> None:
        self._groups[row] = RecentsGroup(entries)
        idx = self.index(row, 0)
        self.dataChanged.emit(idx, idx, [int(RecentsRole.COUNT)])

    def _own_change(self) -> _Quiet:
        return _Quiet(self)

    def _on_store_changed(self, kind: str) -> None:
        if self._quiet:
            return
        if kind in ("calls", "contacts"):
            self.refresh()


class _Quiet:
    """While the model changes the store itself, its own change notices are ignored."""

    def __init__(self, model: RecentsListModel) -> None:
        self._model = model

    def __enter__(self) -> None:
        self._model._quiet = True

    def __exit__(self, *exc: object) -> None:
        self._model._quiet = False
