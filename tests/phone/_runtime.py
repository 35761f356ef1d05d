"""A real PhoneRuntime started for a test and always stopped."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from softphone.phone.runtime import PhoneRuntime


@asynccontextmanager
async def running(runtime: PhoneRuntime) -> AsyncIterator[PhoneRuntime]:
    await runtime.start()
    try:
        yield runtime
    finally:
        await runtime.stop()
