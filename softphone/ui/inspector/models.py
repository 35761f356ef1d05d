"""List models behind the Inspector panes: timeline, SIP ladder, push log."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractListModel, QByteArray, QModelIndex, QPersistentModelIndex, Qt

from softphone.ui.inspector.feed import PushRecord, SipMessage, TimelineEntry

R = TypeVar("R")
Index = QModelIndex | QPersistentModelIndex
RoleGetter = Callable[[Any], Any]


class _RecordListModel(QAbstractListModel, Generic[R]):
    """Rows are frozen records; roles are computed from them. Appends keep views' positions."""

    _ROLES: tuple[str, ...] = ()

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[R] = []
        self._highlighted: set[int] = set()
        self.origin = 0.0
        self._role_ids = {Qt.ItemDataRole.UserRole + 1 + i: n for i, n in enumerate(self._ROLES)}

    # Qt API
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def roleNames(self) -> dict[int, QByteArray]:
        return {k: QByteArray(v.encode()) for k, v in self._role_ids.items()}

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        name = self._role_ids.get(role)
        if name is None:
            return None
        if name == "highlighted":
            return index.row() in self._highlighted
        return self._value(self._rows[index.row()], name)

    def _value(self, row: R, role: str) -> Any:
        raise NotImplementedError

    # Python API
    @property
    def rows(self) -> list[R]:
        return self._rows

    def set_rows(self, rows: Sequence[R]) -> None:
        """Replace the rows; a pure append (same prefix) inserts instead of resetting."""
        rows = list(rows)
        old = self._rows
        n = len(old)
        if n and len(rows) >= n and all(a is b for a, b in zip(old, rows[:n], strict=False)):
            if len(rows) > n:
                self.beginInsertRows(QModelIndex(), n, len(rows) - 1)
                self._rows = rows
                self.endInsertRows()
            return
        self.beginResetModel()
        self._rows = rows
        self._highlighted = set()
        self.endResetModel()

    def set_highlighted(self, rows: set[int]) -> None:
        changed = self._highlighted ^ rows
        self._highlighted = set(rows)
        role = [k for k, v in self._role_ids.items() if v == "highlighted"]
        for r in sorted(changed):
            if 0 <= r < len(self._rows):
                idx = self.index(r, 0)
                self.dataChanged.emit(idx, idx, role)

    @property
    def highlighted(self) -> set[int]:
        return set(self._highlighted)

    def rel(self, at: float) -> str:
        return f"+{at - self.origin:.3f}"


class TimelineListModel(_RecordListModel[TimelineEntry]):
    """CallKit/PushKit/audio/app events, one row each."""

    _ROLES = (
        "timeText", "wallText", "source", "kind", "summary", "severity", "durationText",
        "callUuid", "sipCallId", "highlighted",
    )  # fmt: skip

    def _value(self, e: TimelineEntry, role: str) -> Any:
        getters: dict[str, RoleGetter] = {
            "timeText": lambda e: self.rel(e.at),
            "wallText": lambda e: e.wall.strftime("%H:%M:%S.%f")[:-3],
            "source": lambda e: e.source,
            "kind": lambda e: e.kind,
            "summary": lambda e: e.summary,
            "severity": lambda e: e.severity,
            "durationText": lambda e: _ms(e.duration_ms),
            "callUuid": lambda e: e.call_uuid or "",
            "sipCallId": lambda e: e.sip_call_id or "",
        }
        return getters[role](e)


class SipLadderModel(_RecordListModel[SipMessage]):
    """SIP messages of the selected call; ``fromColumn``/``toColumn`` index ``parties``."""

    _ROLES = (
        "timeText", "firstLine", "direction", "fromColumn", "toColumn", "cseq", "callTag",
        "highlighted",
    )  # fmt: skip

    def __init__(self) -> None:
        super().__init__()
        self.parties: list[str] = []
        self.show_call_tags = False  # on when several calls share the ladder

    def _value(self, m: SipMessage, role: str) -> Any:
        if role == "fromColumn":
            return self._column(m.sender)
        if role == "toColumn":
            return self._column(m.receiver)
        getters: dict[str, RoleGetter] = {
            "timeText": lambda m: self.rel(m.at),
            "firstLine": lambda m: m.first_line,
            "direction": lambda m: m.direction,
            "cseq": lambda m: m.cseq,
            "callTag": lambda m: (m.sip_call_id or "")[:9] if self.show_call_tags else "",
        }
        return getters[role](m)

    def _column(self, party: str) -> int:
        return self.parties.index(party) if party in self.parties else 0


class PushLogModel(_RecordListModel[PushRecord]):
    """VoIP push requests with APNs' answer and the app's reaction."""

    _ROLES = (
        "timeText", "topic", "pushType", "tokenShort", "statusText", "ok", "delivered",
        "appReaction", "highlighted",
    )  # fmt: skip

    def _value(self, p: PushRecord, role: str) -> Any:
        getters: dict[str, RoleGetter] = {
            "timeText": lambda p: self.rel(p.at),
            "topic": lambda p: p.topic,
            "pushType": lambda p: p.push_type,
            "tokenShort": lambda p: p.token[:8] + "…" if len(p.token) > 8 else p.token,
            "statusText": lambda p: f"{p.status} {p.reason or ('OK' if p.status == 200 else '')}",
            "ok": lambda p: p.status == 200,
            "delivered": lambda p: p.delivered,
            "appReaction": lambda p: p.app_reaction,
        }
        return getters[role](p)


def _ms(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value / 1000:.2f} s" if value >= 1000 else f"{value:.0f} ms"


def _wall(wall: datetime) -> str:
    return wall.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3] + (f" {wall.tzname()}" if wall.tzinfo else "")


def describe_entry(e: TimelineEntry, origin: float) -> str:
    """The detail-pane text of a timeline entry."""
    lines = [
        f"{e.kind}  ({e.source}, {e.severity})",
        f"time      +{e.at - origin:.3f} s",
        f"wall      {_wall(e.wall)}",
        f"summary   {e.summary}",
        f"call      {e.call_uuid or '-'}",
        f"Call-ID   {e.sip_call_id or '-'}",
    ]
    if e.duration_ms is not None:
        lines.append(f"duration  {e.duration_ms:.1f} ms")
    if e.detail:
        lines += ["", json.dumps(e.detail, indent=2, default=str, ensure_ascii=False)]
    return "\n".join(lines)


def describe_push(p: PushRecord, origin: float) -> str:
    """The detail-pane text of a push record."""
    payload = p.payload if isinstance(p.payload, str) else json.dumps(p.payload, indent=2)
    headers = "\n".join(f"{k}: {v}" for k, v in p.headers.items())
    return "\n".join([
        f"POST /3/device/{p.token}",
        headers,
        "",
        payload,
        "",
        f"→ {p.status} {p.reason or ''}".rstrip() + f"   apns-id: {p.apns_id or '-'}",
        f"time      +{p.at - origin:.3f} s",
        f"wall      {_wall(p.wall)}",
        f"delivery  {'delivered to the device' if p.delivered else 'not delivered'}",
        f"app       {p.app_reaction}",
    ])  # fmt: skip
