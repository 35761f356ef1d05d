"""Two processes writing the same file (should not happen, but must not corrupt it)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from softphone.recents import RecentsStore

ROOT = Path(__file__).resolve().parents[2]
N = 150

_CHILD = """
import sys
from softphone.recents import CallRecord, Contact, RecentsStore
store = RecentsStore(sys.argv[1])
tag = sys.argv[2]
for i in range(int(sys.argv[3])):
    store.add(CallRecord(f"+1{i:07d}", "incoming", False, 1e9 + i, 1e9 + i + 1,
                         uuid=f"{tag}-{i}"))
    if i % 10 == 0:
        store.contacts.add(Contact(f"{tag}-{i}", (f"+49{i:07d}",)))
        store.mark_missed_seen()
print("done", store.count(), flush=True)
"""


def test_two_writers_same_file(tmp_path: Path) -> None:
    """Both processes finish every write (busy_timeout waits) and the file stays sound."""
    db = tmp_path / "recents.sqlite3"
    RecentsStore(db).close()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _CHILD, str(db), tag, str(N)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=ROOT,
        )
        for tag in ("a", "b")
    ]
    try:
        outs = [p.communicate(timeout=120) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    for p, (out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err
        assert out.startswith("done")
    store = RecentsStore(db)
    uuids = {e.record.uuid for e in store.iter_entries()}
    assert uuids == {f"{t}-{i}" for t in "ab" for i in range(N)}
    assert store.contacts.count() == 2 * len(range(0, N, 10))
    store.close()
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
