"""A stand-in for PJSIP's clock thread: calls the bridge every 20 ms in real time."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class FrameClock:
    """Runs ``tick(index)`` every ``period`` seconds on its own thread, scheduled on
    absolute deadlines (no cumulative drift), like PJSIP's media clock."""

    def __init__(self, tick: Callable[[int], None], period: float = 0.02) -> None:
        self._tick = tick
        self._period = period
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="fake-pjsip-clock", daemon=True)
        self.ticks = 0

    def __enter__(self) -> FrameClock:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        start = time.monotonic()
        while not self._stop.is_set():
            self._tick(self.ticks)
            self.ticks += 1
            delay = start + self.ticks * self._period - time.monotonic()
            if delay > 0:
                self._stop.wait(delay)
