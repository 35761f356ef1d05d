"""Recents store with 100,000 calls: open + first page, insert one, grouping and the missed
filter, search, and file size; each as a ratio to its target and to raw SQLite doing the
same reads in the same run.

``python -m benchmarks recents [--entries N] [--synchronous FULL|NORMAL]``
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from softphone.recents import CallRecord, Contact, RecentsStore

PAGE = 50
#: Targets from issue 7 (search has none: it is reported against raw SQLite LIKE only).
TARGET_MS = {
    "open_first_page": 100.0,
    "open_first_page_full_check": 100.0,
    "open_model_first_page": 100.0,
    "insert_one": 5.0,
    "grouped_page": 100.0,
    "missed_page": 100.0,
    "deep_page": 100.0,
}
#: Reported against a target but not failing the run: the full page check runs only
#: when opening after an unclean shutdown (integrity_check="auto").
INFO_ONLY = {"open_first_page_full_check"}


def _records(n: int, seed: int = 1) -> list[CallRecord]:
    """A year of calls among 2,000 handles; a third of calls repeat the previous handle
    (so groups form), 20 % are missed."""
    rnd = random.Random(seed)
    t = time.time() - 365 * 86400
    handles = [f"+1555{i:07d}" if i % 3 else f"sip:user{i}@example.com" for i in range(2000)]
    statuses = ["incoming", "outgoing", "missed", "declined", "cancelled", "failed"]
    weights = [35, 35, 17, 3, 7, 3]
    out = []
    handle = handles[0]
    for i in range(n):
        t += rnd.expovariate(n / (365 * 86400))
        if rnd.random() > 0.33:
            handle = rnd.choice(handles)
        status = rnd.choices(statuses, weights)[0]
        talk = rnd.uniform(5, 600) if status in ("incoming", "outgoing") else None
        out.append(
            CallRecord(
                handle,
                status,
                status in ("outgoing", "cancelled"),
                started_at=t,
                connected_at=t + 3 if talk else None,
                ended_at=t + 3 + (talk or 20),
                caller_name=f"Caller {handle[-4:]}",
                provider_name="Softphone",
                end_reason="remoteEnded",
                uuid=f"{seed}-{i}",
            )
        )
    return out


def _ms(fn: Callable[[], object], repeat: int) -> float:
    """Median wall time of ``fn`` in milliseconds."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def _raw(conn: sqlite3.Connection, where: str = "", offset: int = 0) -> list[tuple[object, ...]]:
    """The reference: the same rows (two per group is generous) straight from SQLite."""
    return conn.execute(
        f"SELECT * FROM calls {where} ORDER BY started_at DESC, id DESC LIMIT ? OFFSET ?",
        (PAGE * 2, offset),
    ).fetchall()


def _raw_page(path: Path, where: str = "", offset: int = 0) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    rows = _raw(conn, where, offset)
    conn.close()
    return rows


def _open_first(path: Path, sync: str, **kw: object) -> int:
    store = RecentsStore(path, synchronous=sync, **kw)  # type: ignore[arg-type]
    n = len(store.page(limit=PAGE).groups)
    store.close()
    return n


def _open_model(path: Path, sync: str) -> int:
    """What the Recents tab does: open the store, build the list model (first page,
    contact names for caller ID)."""
    from PySide6.QtCore import QCoreApplication

    from softphone.ui.recents_model import RecentsListModel

    _app = QCoreApplication.instance() or QCoreApplication([])
    store = RecentsStore(path, synchronous=sync)
    model = RecentsListModel(store)
    rows = model.rowCount()
    model.deleteLater()
    store.close()
    return rows


def run(n: int, sync: str, workdir: Path) -> dict[str, dict[str, float]]:
    path = workdir / "recents.sqlite3"
    store = RecentsStore(path, synchronous=sync)
    records = _records(n)
    t0 = time.perf_counter()
    for i in range(0, n, 10_000):
        store.add_many(records[i : i + 10_000])
    fill_s = time.perf_counter() - t0
    store.contacts.add_many(Contact(f"Contact {i}", (f"+1555{i:07d}",)) for i in range(1, 2000, 2))
    store.close()
    res: dict[str, dict[str, float]] = {}

    def put(name: str, ms: float, ref_ms: float) -> None:
        res[name] = {
            "ms": round(ms, 3),
            "reference_ms": round(ref_ms, 3),
            "ratio_to_reference": round(ms / ref_ms, 2),
        }
        if name in TARGET_MS:
            res[name] |= {
                "target_ms": TARGET_MS[name],
                "ratio_to_target": round(ms / TARGET_MS[name], 3),
            }

    ref_open = _ms(lambda: _raw_page(path), 15)
    put("open_first_page", _ms(lambda: _open_first(path, sync), 15), ref_open)
    put(
        "open_first_page_full_check",
        _ms(lambda: _open_first(path, sync, integrity_check="always"), 5),
        ref_open,
    )
    put("open_model_first_page", _ms(lambda: _open_model(path, sync), 10), ref_open)

    store = RecentsStore(path, synchronous=sync)
    extra = iter(_records(400, seed=2))
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute(f"PRAGMA synchronous={sync}")
    raw.execute("CREATE TABLE IF NOT EXISTS bench_ref(a, b, c, d)")
    put(
        "insert_one",
        _ms(lambda: store.add(next(extra)), 200),
        _ms(lambda: raw.execute("INSERT INTO bench_ref VALUES (1, 'x', 2.5, 'y')"), 200),
    )
    raw.execute("DROP TABLE bench_ref")
    raw.close()

    ref = sqlite3.connect(path)
    put("grouped_page", _ms(lambda: store.page(limit=PAGE), 20), _ms(lambda: _raw(ref), 20))
    put(
        "missed_page",
        _ms(lambda: store.page("missed", limit=PAGE), 20),
        _ms(lambda: _raw(ref, "WHERE is_missed = 1"), 20),
    )
    cursor = None
    for _ in range(20):  # walk 20 pages (1,000 groups) to a deep cursor
        cursor = store.page(after=cursor, limit=PAGE).next_cursor
    put(
        "deep_page",
        _ms(lambda: store.page(after=cursor, limit=PAGE), 20),
        _ms(lambda: _raw(ref, offset=20 * PAGE), 20),
    )
    put(
        "search_page",
        _ms(lambda: store.page(search="1234", limit=PAGE), 5),
        _ms(lambda: _raw(ref, "WHERE handle LIKE '%1234%'"), 5),
    )
    ref.close()
    res["unseen_missed_count"] = {"ms": round(_ms(store.unseen_missed_count, 50), 3)}
    groups = store.page(limit=PAGE).groups
    res["first_page_shape"] = {"groups": len(groups), "entries": sum(g.count for g in groups)}
    store.close()
    t0 = time.perf_counter()
    store = RecentsStore(path)
    csv_path = workdir / "h.csv"
    store.export_csv(csv_path)
    res["export_csv_100k"] = {"ms": round((time.perf_counter() - t0) * 1000, 1)}
    store.close()
    size = path.stat().st_size
    res["size"] = {
        "db_bytes": size,
        "bytes_per_entry": round(size / (n + 400), 1),
        "mb_per_100k": round(size / (n + 400) * 100_000 / 1e6, 2),
        "csv_bytes_reference": csv_path.stat().st_size,
        "ratio_to_csv": round(size / csv_path.stat().st_size, 2),
    }
    res["fill"] = {"entries": n, "seconds": round(fill_s, 2)}
    return res


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks recents")
    ap.add_argument("--entries", type=int, default=100_000)
    ap.add_argument("--synchronous", default="FULL", choices=["FULL", "NORMAL"])
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-recents-", dir=os.environ.get("TMPDIR")) as d:
        res = run(args.entries, args.synchronous, Path(d))
    if args.json:
        print(json.dumps(res))
    else:
        print(f"recents, {args.entries} entries, synchronous={args.synchronous}")
        for name, vals in res.items():
            print(f"  {name:36s} " + "  ".join(f"{k}={v}" for k, v in vals.items()))
    over = [k for k, v in res.items() if v.get("ratio_to_target", 0) > 1 and k not in INFO_ONLY]
    if over:
        print("  over target: " + ", ".join(over))
    return 1 if over else 0
