"""A shared connection with write transactions and change listeners."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Listener = Callable[[str], None]


class Database:
    """The connection that the history, contacts and directory parts of one store share."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._listeners: list[Listener] = []

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One atomic write. BEGIN IMMEDIATE takes the write lock up front, so a second
        process waits (busy_timeout) instead of failing half-way on a lock upgrade."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(kind)`` after each committed change ("calls", "contacts",
        "directory"); returns a function that unsubscribes."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def changed(self, kind: str) -> None:
        for listener in list(self._listeners):
            listener(kind)
