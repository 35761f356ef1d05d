"""InspectorViewModel: the Inspector window's state, filters, selection linking and export."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Property, QObject, QTimer, QUrl, Signal, Slot

from softphone.ui.inspector import calls as calls_mod
from softphone.ui.inspector.calls import CallInfo
from softphone.ui.inspector.export import export_session
from softphone.ui.inspector.feed import FeedChange, InspectorFeed, TimelineEntry
from softphone.ui.inspector.models import (
    PushLogModel,
    SipLadderModel,
    TimelineListModel,
    describe_entry,
    describe_push,
)

_log = logging.getLogger(__name__)
LINK_WINDOW_S = 1.0  # timeline entries this close to a clicked SIP message are highlighted


class _FeedBridge(QObject):
    """Lives on the GUI thread; emitting ``changed`` from another thread queues the slot call."""

    changed = Signal()


class InspectorViewModel(QObject):
    """State of the Inspector window over an :class:`InspectorFeed`."""

    callsChanged = Signal()
    currentCallChanged = Signal()
    filterChanged = Signal()
    selectionChanged = Signal()
    detailChanged = Signal()
    countsChanged = Signal()
    exportDone = Signal(str)
    scrollTimelineTo = Signal(int)
    scrollLadderTo = Signal(int)

    def __init__(self, feed: InspectorFeed, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._feed = feed
        self._timeline, self._ladder, self._pushes = (
            TimelineListModel(), SipLadderModel(), PushLogModel()
        )  # fmt: skip
        self._calls: list[CallInfo] = []
        self._call_key = calls_mod.ALL_CALLS
        self._filter_text = ""
        self._problems_only = False
        self._sel_timeline = self._sel_sip = self._sel_push = -1
        self._detail_title, self._detail_text = "", ""
        self._timer = QTimer(self, singleShot=True, interval=30)
        self._timer.timeout.connect(self.refresh)
        self._bridge = _FeedBridge(self)
        self._bridge.changed.connect(self._timer.start)
        self._unsubscribe = feed.subscribe(self._on_feed_change)
        self.refresh()

    def _on_feed_change(self, change: FeedChange) -> None:  # any thread
        self._bridge.changed.emit()

    def close(self) -> None:
        """Stop listening to the feed."""
        self._unsubscribe()

    # -- properties ------------------------------------------------------------------------
    @Property(QObject, constant=True)
    def timeline(self) -> TimelineListModel:
        return self._timeline

    @Property(QObject, constant=True)
    def ladder(self) -> SipLadderModel:
        return self._ladder

    @Property(QObject, constant=True)
    def pushes(self) -> PushLogModel:
        return self._pushes

    @Property(list, notify=callsChanged)
    def callLabels(self) -> list[str]:
        return ["All calls"] + [f"{c.label}  ·  {c.key[:8]}" for c in self._calls]

    @Property(int, notify=currentCallChanged)
    def currentCallIndex(self) -> int:
        keys = [c.key for c in self._calls]
        return keys.index(self._call_key) + 1 if self._call_key in keys else 0

    @Property(list, notify=currentCallChanged)
    def parties(self) -> list[str]:
        return list(self._ladder.parties)

    @Property(str, notify=filterChanged)
    def filterText(self) -> str:
        return self._filter_text

    @Property(bool, notify=filterChanged)
    def problemsOnly(self) -> bool:
        return self._problems_only

    @Property(int, notify=selectionChanged)
    def selectedTimelineIndex(self) -> int:
        return self._sel_timeline

    @Property(int, notify=selectionChanged)
    def selectedSipIndex(self) -> int:
        return self._sel_sip

    @Property(int, notify=selectionChanged)
    def selectedPushIndex(self) -> int:
        return self._sel_push

    @Property(str, notify=detailChanged)
    def detailTitle(self) -> str:
        return self._detail_title

    @Property(str, notify=detailChanged)
    def detailText(self) -> str:
        return self._detail_text

    @Property(str, notify=countsChanged)
    def countsText(self) -> str:
        d = self._feed.dropped
        text = (
            f"{len(self._timeline.rows)} events · {len(self._ladder.rows)} SIP · "
            f"{len(self._pushes.rows)} pushes"
        )
        dropped = sum(d.values())
        return text + (f" · {dropped} dropped (capacity {self._feed.capacity})" if dropped else "")

    # -- intents ---------------------------------------------------------------------------
    @Slot(int)
    def setCurrentCallIndex(self, index: int) -> None:
        key = self._calls[index - 1].key if 1 <= index <= len(self._calls) else calls_mod.ALL_CALLS
        if key != self._call_key:
            self._call_key = key
            self._clear_selection()
            self._apply()
            self.currentCallChanged.emit()

    @Slot(str)
    def setFilterText(self, text: str) -> None:
        if text != self._filter_text:
            self._filter_text = text
            self._sel_timeline = -1
            self._apply()
            self.filterChanged.emit()
            self.selectionChanged.emit()

    @Slot(bool)
    def setProblemsOnly(self, value: bool) -> None:
        if value != self._problems_only:
            self._problems_only = value
            self._sel_timeline = -1
            self._apply()
            self.filterChanged.emit()
            self.selectionChanged.emit()

    @Slot(int)
    def selectTimeline(self, row: int) -> None:
        """Show the entry, switch to its call and move the ladder to the nearest SIP message."""
        if not 0 <= row < len(self._timeline.rows):
            return
        entry = self._timeline.rows[row]
        call = calls_mod.call_of_entry(entry, self._calls)
        if call is not None and call.key != self._call_key:
            self._call_key = call.key
            self._apply()
            self.currentCallChanged.emit()
        row = _index_of(self._timeline.rows, entry)
        self._sel_timeline, self._sel_push = row, -1
        times = [m.at for m in self._ladder.rows]
        self._sel_sip = calls_mod.nearest_index(times, entry.at)
        self._timeline.set_highlighted(set())
        self._ladder.set_highlighted({self._sel_sip} if self._sel_sip >= 0 else set())
        self._set_detail(f"{entry.kind} — {entry.source}", describe_entry(entry, self._origin()))
        self.selectionChanged.emit()
        self.scrollTimelineTo.emit(row)
        if self._sel_sip >= 0:
            self.scrollLadderTo.emit(self._sel_sip)

    @Slot(int)
    def selectSip(self, row: int) -> None:
        """Show the full message and highlight the timeline entries around it."""
        if not 0 <= row < len(self._ladder.rows):
            return
        msg = self._ladder.rows[row]
        self._sel_sip, self._sel_timeline, self._sel_push = row, -1, -1
        self._ladder.set_highlighted(set())
        times = [e.at for e in self._timeline.rows]
        near = calls_mod.around(times, msg.at, LINK_WINDOW_S)
        self._timeline.set_highlighted(set(near))
        arrow = "→" if msg.direction == "sent" else "←"
        head = f"{arrow} {msg.first_line}"
        meta = (
            f"{'sent to' if msg.direction == 'sent' else 'received from'} {msg.remote} "
            f"· +{msg.at - self._origin():.3f} s · {msg.wall.strftime('%H:%M:%S.%f')[:-3]}"
        )
        self._set_detail(head, f"{meta}\n\n{msg.text.replace(chr(13), '')}")
        self.selectionChanged.emit()
        if near:
            nearest = calls_mod.nearest_index([times[i] for i in near], msg.at)
            self.scrollTimelineTo.emit(near[nearest])

    @Slot(int)
    def selectPush(self, row: int) -> None:
        if not 0 <= row < len(self._pushes.rows):
            return
        rec = self._pushes.rows[row]
        call = calls_mod.call_of_push(rec, self._calls)
        if call is not None and call.key != self._call_key:
            self._call_key = call.key
            self._apply()
            self.currentCallChanged.emit()
        self._sel_push, self._sel_timeline, self._sel_sip = row, -1, -1
        times = [e.at for e in self._timeline.rows]
        near = calls_mod.around(times, rec.at, LINK_WINDOW_S)
        self._timeline.set_highlighted(set(near))
        self._ladder.set_highlighted(set())
        self._set_detail(f"Push {rec.status} — {rec.topic}", describe_push(rec, self._origin()))
        self.selectionChanged.emit()
        if near:
            self.scrollTimelineTo.emit(near[0])

    @Slot()
    def clearSession(self) -> None:
        """Forget everything recorded so far (the feed is cleared for every viewer)."""
        self._feed.clear()
        self._clear_selection()
        self.refresh()

    @Slot(str, result=bool)
    def exportJson(self, path: str) -> bool:
        return self._export(path, "json")

    @Slot(str, result=bool)
    def exportHtml(self, path: str) -> bool:
        return self._export(path, "html")

    @Slot(QUrl, str, result=bool)
    def exportToUrl(self, url: QUrl, fmt: str) -> bool:
        return self._export(url.toLocalFile(), fmt)

    # -- internals -------------------------------------------------------------------------
    def _export(self, path: str, fmt: Any) -> bool:
        try:
            written = export_session(self._feed, path, fmt)
        except (OSError, ValueError) as exc:
            _log.error("inspector export failed: %s", exc)
            self.exportDone.emit(f"Export failed: {exc}")
            return False
        self.exportDone.emit(f"Saved {written}")
        return True

    @Slot()
    def refresh(self) -> None:
        """Re-read the feed (called, coalesced, after appends)."""
        calls = calls_mod.group_calls(self._feed.timeline(), self._feed.sip())
        old_labels = self.callLabels
        self._calls = calls
        if self.callLabels != old_labels:
            self.callsChanged.emit()
            self.currentCallChanged.emit()
        self._apply()

    def _apply(self) -> None:
        call = self._current_call()
        origin = self._origin()
        for model in (self._timeline, self._ladder, self._pushes):
            model.origin = origin
        entries = sorted(calls_mod.entries_for(call, self._feed.timeline()), key=_at)
        self._timeline.set_rows([e for e in entries if self._passes(e)])
        messages = sorted(calls_mod.messages_for(call, self._feed.sip()), key=_at)
        parties = calls_mod.parties(messages)
        if parties != self._ladder.parties or self._ladder.show_call_tags != (call is None):
            self._ladder.show_call_tags = call is None
            self._ladder.parties = parties
            self._ladder.set_rows([])
            self.currentCallChanged.emit()
        self._ladder.set_rows(messages)
        self._pushes.set_rows(sorted(self._feed.push(), key=_at))
        self.countsChanged.emit()

    def _passes(self, e: TimelineEntry) -> bool:
        if self._problems_only and e.severity == "info":
            return False
        needle = self._filter_text.strip().lower()
        if not needle:
            return True
        hay = f"{e.source} {e.kind} {e.summary} {e.call_uuid or ''} {e.sip_call_id or ''}"
        return needle in hay.lower()

    def _current_call(self) -> CallInfo | None:
        return next((c for c in self._calls if c.key == self._call_key), None)

    def _origin(self) -> float:
        origin = self._feed.origin
        return origin[0] if origin else 0.0

    def _clear_selection(self) -> None:
        self._sel_timeline = self._sel_sip = self._sel_push = -1
        self._set_detail("", "")
        self.selectionChanged.emit()

    def _set_detail(self, title: str, text: str) -> None:
        self._detail_title, self._detail_text = title, text
        self.detailChanged.emit()


def _at(record: Any) -> float:
    return float(record.at)


def _index_of(rows: list[Any], item: Any) -> int:
    return next((i for i, r in enumerate(rows) if r is item), -1)
