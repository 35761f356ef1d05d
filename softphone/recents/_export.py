"""History export to CSV and JSON, written atomically (temp file, then rename)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from softphone.recents._record import CallEntry, RecentsStatus

FIELDS = (
    "id",
    "uuid",
    "direction",
    "status",
    "handle",
    "handle_type",
    "caller_name",
    "started_at",
    "connected_at",
    "ended_at",
    "duration_s",
    "end_reason",
    "provider_name",
    "participants",
)


def _iso(t: float | None) -> str | None:
    if t is None:
        return None
    return dt.datetime.fromtimestamp(t, dt.timezone.utc).isoformat()


def entry_dict(e: CallEntry) -> dict[str, object]:
    r = e.record
    return {
        "id": e.id,
        "uuid": r.uuid,
        "direction": e.direction,
        "status": RecentsStatus(r.status).value,
        "handle": r.handle,
        "handle_type": r.handle_type,
        "caller_name": r.caller_name,
        "started_at": _iso(r.started_at),
        "connected_at": _iso(r.connected_at),
        "ended_at": _iso(r.ended_at),
        "duration_s": round(r.duration, 3),
        "end_reason": r.end_reason,
        "provider_name": r.provider_name,
        "participants": list(r.participants),
    }


def _atomic(path: Path) -> Path:
    return path.with_name(path.name + ".tmp")


def _finish(tmp: Path, f: IO[str], path: Path) -> None:
    f.flush()
    os.fsync(f.fileno())
    f.close()
    os.replace(tmp, path)


def write_csv(path: Path, entries: Iterable[CallEntry]) -> int:
    tmp = _atomic(path)
    n = 0
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS)
        writer.writeheader()
        for e in entries:
            d = entry_dict(e)
            d["participants"] = ";".join(e.record.participants)
            writer.writerow(d)
            n += 1
        _finish(tmp, f, path)
    return n


def write_json(path: Path, entries: Iterable[CallEntry]) -> int:
    tmp = _atomic(path)
    n = 0
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("[")
        for e in entries:
            f.write(",\n" if n else "\n")
            json.dump(entry_dict(e), f, ensure_ascii=False)
            n += 1
        f.write("\n]\n")
        _finish(tmp, f, path)
    return n
