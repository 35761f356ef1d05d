"""Saving an Inspector session as one JSON file or one self-contained HTML report; loading JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from softphone import __version__
from softphone.fileio import write_text_atomic
from softphone.ui.inspector.feed import InspectorFeed, PushRecord, SipMessage, TimelineEntry
from softphone.ui.inspector.redaction import redact_headers, redact_sip

FORMAT_NAME = "softphone-inspector-session"
FORMAT_VERSION = 1
ExportFormat = Literal["json", "html"]


class SessionFileError(ValueError):
    """A session file that is not a readable Inspector JSON export."""


def session_dict(feed: InspectorFeed) -> dict[str, Any]:
    """The session as plain JSON-ready data (SIP text and push credentials redacted again)."""
    origin = feed.origin
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "softphone": __version__,
        "exported_at": datetime.now(timezone.utc).isoformat(),
        "origin": None if origin is None else {"at": origin[0], "wall": origin[1].isoformat()},
        "capacity": feed.capacity,
        "dropped": feed.dropped,
        "timeline": [_record(e) for e in feed.timeline()],
        "sip": [{**_record(m), "text": redact_sip(m.text)} for m in feed.sip()],
        "push": [{**_record(p), "headers": redact_headers(p.headers)} for p in feed.push()],
    }


def _record(obj: TimelineEntry | SipMessage | PushRecord) -> dict[str, Any]:
    data = asdict(obj)
    data["wall"] = obj.wall.isoformat()
    return data


def export_session(feed: InspectorFeed, path: str | Path, fmt: ExportFormat | None = None) -> Path:
    """Write the session to ``path`` as ``"json"`` or ``"html"`` (default: from the suffix).

    :returns: the path written.
    :raises ValueError: for an unknown format.
    """
    path = Path(path)
    if fmt is None:
        fmt = "html" if path.suffix.lower() in (".html", ".htm") else "json"
    if fmt == "json":
        text = json.dumps(session_dict(feed), indent=1, ensure_ascii=False, default=str)
    elif fmt == "html":
        from softphone.ui.inspector.html_report import render_html

        text = render_html(feed)
    else:
        raise ValueError(f"export format must be 'json' or 'html'; got {fmt!r}")
    return write_text_atomic(path, text)  # never through a planted symlink


def load_session(path: str | Path, capacity: int | None = None) -> InspectorFeed:
    """A new feed holding the records of a JSON export.

    :raises SessionFileError: when the file is not a valid export (nothing is half-loaded).
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SessionFileError(f"{path}: cannot read session: {exc}") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
        raise SessionFileError(f"{path}: not a Softphone Inspector session file")
    if data.get("version") != FORMAT_VERSION:
        raise SessionFileError(f"{path}: unsupported session version {data.get('version')!r}")
    try:
        timeline = [_build(TimelineEntry, r) for r in data["timeline"]]
        sip = [_build(SipMessage, r) for r in data["sip"]]
        push = [_build(PushRecord, r) for r in data["push"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise SessionFileError(f"{path}: bad record: {exc}") from exc
    size = max(capacity or int(data.get("capacity", 5000)), 1)
    feed = InspectorFeed(size)
    for e in timeline:
        feed.append_timeline(e)
    for m in sip:
        feed.append_sip(m)
    for p in push:
        feed.append_push(p)
    feed.restore_dropped(data.get("dropped") or {})
    return feed


def _build(cls: Any, raw: dict[str, Any]) -> Any:
    if not isinstance(raw, dict):
        raise TypeError(f"record must be an object, got {type(raw).__name__}")
    names = {f.name for f in fields(cls)}
    missing = names - raw.keys()
    if missing:
        raise KeyError(f"{cls.__name__} lacks {', '.join(sorted(missing))}")
    values = {k: raw[k] for k in names}
    values["wall"] = datetime.fromisoformat(values["wall"])
    return cls(**values)
