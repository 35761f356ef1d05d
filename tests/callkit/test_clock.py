"""The injectable clocks and dispatchers."""

from __future__ import annotations

import asyncio
import time

import pytest

from softphone.callkit import ImmediateDispatcher, LoopClock, LoopDispatcher, ManualClock


class TestManualClock:
    def test_fires_in_order(self) -> None:
        """advance() fires due timers in time order, with now() at each timer's time."""
        clock = ManualClock(100.0)
        fired: list[tuple[str, float]] = []
        clock.call_later(5, lambda: fired.append(("b", clock.now())))
        clock.call_later(2, lambda: fired.append(("a", clock.now())))
        clock.call_later(9, lambda: fired.append(("c", clock.now())))
        clock.advance(6)
        assert fired == [("a", 102.0), ("b", 105.0)]
        assert clock.now() == 106.0 and clock.pending_timers == 1

    def test_timers_scheduled_while_firing(self) -> None:
        """A timer set by a firing timer fires in the same advance if it falls due."""
        clock = ManualClock()
        fired: list[float] = []
        clock.call_later(1, lambda: clock.call_later(1, lambda: fired.append(clock.now())))
        clock.advance(5)
        assert fired == [2.0]

    def test_cancel(self) -> None:
        """A cancelled timer never fires."""
        clock = ManualClock()
        fired: list[int] = []
        clock.call_later(1, lambda: fired.append(1)).cancel()
        clock.advance(2)
        assert fired == [] and clock.pending_timers == 0

    def test_cancelled_timers_do_not_pile_up(self) -> None:
        """Cancelled timers are dropped, so a long-lived clock does not grow."""
        clock = ManualClock()
        for _ in range(10_000):
            clock.call_later(30, lambda: None).cancel()
        assert len(clock._heap) < 200

    def test_bad_input(self) -> None:
        """Negative delays and going back in time are refused."""
        clock = ManualClock()
        with pytest.raises(ValueError):
            clock.call_later(-1, lambda: None)
        with pytest.raises(ValueError):
            clock.advance(-1)


async def test_loop_clock_and_dispatcher() -> None:
    """LoopClock timers and LoopDispatcher callbacks run on the running loop, in order."""
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    order: list[str] = []
    LoopDispatcher().dispatch(lambda: order.append("soon"))
    LoopClock().call_later(0, lambda: done.set_result(order.append("timer")))
    ImmediateDispatcher().dispatch(lambda: order.append("now"))
    await asyncio.wait_for(done, timeout=5)
    assert order == ["now", "soon", "timer"]
    assert abs(LoopClock().now() - time.time()) < 5
