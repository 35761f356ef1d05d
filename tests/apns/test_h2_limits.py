"""Per-connection limits of the emulator's HTTP/2 server: a client holding many open
streams with large bodies is refused (RST_STREAM REFUSED_STREAM) past the byte cap, and
every buffered byte is freed when its stream or connection ends."""

from __future__ import annotations

import asyncio
import time

import pytest

from .conftest import TOKEN, Lab, flood_h2

pytestmark = pytest.mark.integration


async def _until(check: object, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return True
        await asyncio.sleep(0.01)
    return False


async def test_open_streams_past_the_byte_cap_are_refused_and_freed(lab: Lab) -> None:
    """300 never-ending 64 KB bodies: the connection holds at most its cap, the rest is
    refused; closing the connection frees everything; real pushes still work."""
    limits = lab.emulator.h2_limits
    info = lab.info
    writer, seen = await flood_h2(info.host, info.sandbox_port, info.ca_path, streams=300)
    try:
        assert seen["opened"] == 300
        assert seen["refused"] > 0 and limits.refused == seen["refused"]
        assert 0 < limits.buffered <= limits.connection_buffer
    finally:
        writer.close()
    assert await _until(lambda: limits.buffered == 0 and limits.connections == 0)
    assert (await lab.sender().send_voip(TOKEN, {"after": 1})).ok


async def test_stream_limit_is_advertised_and_enforced(lab: Lab) -> None:
    """The server advertises SETTINGS_MAX_CONCURRENT_STREAMS; small bodies under the cap
    are all kept (none refused) and freed with the connection."""
    limits = lab.emulator.h2_limits
    info = lab.info
    writer, seen = await flood_h2(
        info.host, info.sandbox_port, info.ca_path, streams=limits.max_streams + 50, body_size=100
    )
    try:
        assert seen["opened"] == limits.max_streams and seen["refused"] == 0
        assert limits.buffered == 100 * limits.max_streams
    finally:
        writer.close()
    assert await _until(lambda: limits.buffered == 0)
