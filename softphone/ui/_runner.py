"""Run intents that may return awaitables, reporting failures back to the UI."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import Any, Protocol


class TaskRunner(Protocol):
    """Schedules an awaitable; ``on_error`` hears its exception, if any."""

    def spawn(
        self, awaitable: Awaitable[Any], on_error: Callable[[BaseException], None]
    ) -> None: ...


class AsyncioTaskRunner:
    """Runs awaitables on the running asyncio loop (qasync in the app)."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Future[Any]] = set()

    def spawn(self, awaitable: Awaitable[Any], on_error: Callable[[BaseException], None]) -> None:
        try:
            future = asyncio.ensure_future(awaitable)
        except RuntimeError as exc:  # no event loop: the intent cannot run
            if inspect.iscoroutine(awaitable):
                awaitable.close()
            on_error(exc)
            return
        self._tasks.add(future)

        def done(fut: asyncio.Future[Any]) -> None:
            self._tasks.discard(fut)
            if not fut.cancelled() and fut.exception() is not None:
                on_error(fut.exception())  # type: ignore[arg-type]

        future.add_done_callback(done)


class ImmediateTaskRunner:
    """Drives each coroutine to completion at once (tests, and fakes that never wait)."""

    def spawn(self, awaitable: Awaitable[Any], on_error: Callable[[BaseException], None]) -> None:
        try:
            asyncio.run(_await(awaitable))
        except Exception as exc:  # shown in the UI, never swallowed
            on_error(exc)


async def _await(awaitable: Awaitable[Any]) -> Any:
    return await awaitable
