"""Fixtures: a started pjsua2 engine (one per test; one Endpoint per process)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from softphone.sip import EngineConfig, IncomingCallReceived, SipEvent
from softphone.sip.pjsua import PjsuaEngine, create_engine
from tests.sip.helpers import EventRecorder

StartEngine = Callable[..., Awaitable[tuple[PjsuaEngine, EventRecorder]]]


@pytest.fixture
async def start_engine() -> AsyncIterator[StartEngine]:
    """``await start_engine(config)`` -> (engine, recorder); stopped at teardown."""
    started: list[PjsuaEngine] = []

    async def start(config: EngineConfig | None = None) -> tuple[PjsuaEngine, EventRecorder]:
        eng = create_engine()
        rec = EventRecorder()
        eng.subscribe(rec)
        await eng.start(config or EngineConfig())
        started.append(eng)
        return eng, rec

    yield start
    for eng in started:
        await eng.stop()


@pytest.fixture
async def engine(start_engine: StartEngine) -> tuple[PjsuaEngine, EventRecorder]:
    return await start_engine(EngineConfig(no_answer_timeout=0))


def auto_answer(engine: PjsuaEngine, code: int = 200) -> Callable[[SipEvent], None]:
    """Subscribe a handler that answers every incoming call."""
    import asyncio

    tasks: set[asyncio.Task[None]] = set()

    def on(ev: SipEvent) -> None:
        if isinstance(ev, IncomingCallReceived):
            t = asyncio.ensure_future(engine.answer(ev.call_id, code))
            tasks.add(t)
            t.add_done_callback(tasks.discard)

    engine.subscribe(on)
    return on


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return tmp_path
