"""kill -9 during writes: every committed entry survives and the file opens cleanly."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from softphone.recents import RecentsStore

ROOT = Path(__file__).resolve().parents[2]


def _run_and_kill(db: Path, mode: str, kill_after_lines: int, extra_delay: float) -> list[str]:
    """Start the writer, SIGKILL it after it reported ``kill_after_lines`` commits plus
    ``extra_delay`` seconds (so the kill lands mid-transaction at a random point)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.recents._writer", str(db), mode],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    lines: list[str] = []
    timer = threading.Timer(60, proc.kill)  # a stuck child never outlives the test
    timer.start()
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        while len(lines) < kill_after_lines:
            line = proc.stdout.readline()
            assert line, "writer died early"
            lines.append(line.strip())
        time.sleep(extra_delay)
        proc.send_signal(signal.SIGKILL)
        # Lines already printed before the kill were committed too.
        lines += [ln.strip() for ln in proc.stdout.read().splitlines() if ln.strip()]
        proc.wait(timeout=10)
        assert proc.returncode == -signal.SIGKILL
    finally:
        timer.cancel()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return lines


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("mode", ["calls", "mixed"])
def test_kill_9_loses_no_committed_entry(tmp_path: Path, seed: int, mode: str) -> None:
    """After SIGKILL at a random point, the file opens and holds every reported entry."""
    rnd = random.Random(seed * 7919 + len(mode))
    db = tmp_path / "recents.sqlite3"
    committed = _run_and_kill(db, mode, rnd.randint(5, 60), rnd.uniform(0, 0.05))
    assert committed
    store = RecentsStore(db)
    assert store.recovery_notice is None
    uuids = {e.record.uuid for e in store.iter_entries()}
    calls = {c for c in committed if c.startswith("call-")}
    deleted = {f"call-{i - 5}" for i in range(10, 10**6, 10)} if mode == "mixed" else set()
    assert calls - deleted <= uuids
    batches = {c for c in committed if c.startswith("batch")}
    names = {c.name.split("-")[0] for c in store.contacts.all()}
    assert batches <= names
    counts: dict[str, int] = {}
    for c in store.contacts.all():
        counts[c.name.split("-")[0]] = counts.get(c.name.split("-")[0], 0) + 1
    assert all(n == 40 for n in counts.values()), "a contact batch was torn"
    store.close()
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
