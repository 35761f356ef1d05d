"""Injectable time and delegate queues (Apple: the provider's delegate ``DispatchQueue``).

The CallKit core never sleeps or starts threads: timers come from a :class:`Clock` and
delegate callbacks run through a :class:`Dispatcher`, so tests drive time by hand.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import Callable
from typing import Protocol

__all__ = [
    "Clock",
    "Dispatcher",
    "ImmediateDispatcher",
    "LoopClock",
    "LoopDispatcher",
    "ManualClock",
    "TimerHandle",
]


class TimerHandle(Protocol):
    """A scheduled callback that can be cancelled."""

    def cancel(self) -> None: ...


class Clock(Protocol):
    """Time source: ``now()`` in seconds (epoch for real clocks) and one-shot timers."""

    def now(self) -> float: ...

    def call_later(self, delay: float, callback: Callable[[], None]) -> TimerHandle: ...


class Dispatcher(Protocol):
    """Runs delegate callbacks (Apple: the delegate queue given to ``setDelegate(_:queue:)``)."""

    def dispatch(self, callback: Callable[[], None]) -> None: ...


class _ManualTimer:
    def __init__(self, clock: ManualClock, when: float, callback: Callable[[], None]) -> None:
        self.clock: ManualClock | None = clock
        self.when = when
        self.callback: Callable[[], None] | None = callback
        self.cancelled = False

    def cancel(self) -> None:
        if not self.cancelled:
            self.cancelled = True
            self.callback = None
            if self.clock is not None:
                self.clock._timer_cancelled()
                self.clock = None


class ManualClock:
    """A clock that moves only when told to; :meth:`advance` fires due timers in order."""

    def __init__(self, start: float = 0.0) -> None:
        self._now = float(start)
        self._heap: list[tuple[float, int, _ManualTimer]] = []
        self._seq = itertools.count()
        self._cancelled = 0

    def now(self) -> float:
        return self._now

    def call_later(self, delay: float, callback: Callable[[], None]) -> _ManualTimer:
        if delay < 0:
            raise ValueError(f"delay must be >= 0, got {delay}")
        timer = _ManualTimer(self, self._now + delay, callback)
        heapq.heappush(self._heap, (timer.when, next(self._seq), timer))
        return timer

    def _timer_cancelled(self) -> None:
        # Drop cancelled timers once they are most of the heap, so it cannot grow forever.
        self._cancelled += 1
        if self._cancelled > 64 and self._cancelled * 2 > len(self._heap):
            self._heap = [entry for entry in self._heap if not entry[2].cancelled]
            heapq.heapify(self._heap)
            self._cancelled = 0

    @property
    def pending_timers(self) -> int:
        """Number of timers not yet fired or cancelled."""
        return sum(1 for _, _, t in self._heap if not t.cancelled)

    def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds``, firing every timer that falls due (in order)."""
        if seconds < 0:
            raise ValueError(f"cannot go back in time ({seconds})")
        target = self._now + seconds
        while self._heap and self._heap[0][0] <= target:
            when, _, timer = heapq.heappop(self._heap)
            callback = timer.callback
            if timer.cancelled or callback is None:
                self._cancelled = max(0, self._cancelled - 1)
                continue
            self._now = max(self._now, when)
            timer.cancelled, timer.callback, timer.clock = True, None, None
            callback()
        self._now = target


class LoopClock:
    """Wall-clock timestamps (``time.time()``) with timers on an asyncio loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self._loop = loop

    def _get_loop(self) -> asyncio.AbstractEventLoop:
        return self._loop if self._loop is not None else asyncio.get_running_loop()

    def now(self) -> float:
        return time.time()

    def call_later(self, delay: float, callback: Callable[[], None]) -> asyncio.TimerHandle:
        return self._get_loop().call_later(delay, callback)


class ImmediateDispatcher:
    """Runs callbacks inline, at once (deterministic; for tests)."""

    def dispatch(self, callback: Callable[[], None]) -> None:
        callback()


class LoopDispatcher:
    """Runs callbacks soon on an asyncio loop (``loop.call_soon``), like a serial queue."""

    def __init__(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self._loop = loop

    def dispatch(self, callback: Callable[[], None]) -> None:
        loop = self._loop if self._loop is not None else asyncio.get_running_loop()
        loop.call_soon(callback)
