"""Child process for the kill tests: writes calls forever, printing each committed uuid.

Usage: python -m tests.recents._writer DB_PATH MODE   (MODE: calls | contacts | mixed)
"""

from __future__ import annotations

import sys

from softphone.recents import CallRecord, Contact, RecentsStore


def main(path: str, mode: str) -> None:
    store = RecentsStore(path)
    print("ready", flush=True)
    i = 0
    while True:
        i += 1
        if mode in ("calls", "mixed"):
            r = CallRecord(
                f"+1555{i % 50:04d}",
                "missed" if i % 4 == 0 else "incoming",
                False,
                started_at=1e9 + i,
                connected_at=None,
                ended_at=1e9 + i + 1,
                caller_name="Caller " * (i % 30),
                uuid=f"call-{i}",
            )
            store.add(r)
            print(f"call-{i}", flush=True)
        if mode in ("contacts", "mixed"):
            batch = [Contact(f"batch{i}-{k}", (f"+49{i:05d}{k:03d}",)) for k in range(40)]
            store.contacts.add_many(batch)
            print(f"batch{i}", flush=True)
        if i % 25 == 0:
            store._db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        if mode == "mixed" and i % 10 == 0:
            store.delete([i - 5])


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
