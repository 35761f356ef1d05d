"""The test line's process starts on first use, not with the phone (it costs ~29 MB)."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from softphone.phone.runtime import PhoneRuntime
from softphone.settings import Settings
from softphone.sip.pjsua import create_engine
from tests.phone._runtime import running

pytestmark = pytest.mark.integration


@pytest.fixture
async def phone(tmp_path: Path):  # type: ignore[no-untyped-def]
    async with running(
        PhoneRuntime(create_engine(), Settings(), control_file=tmp_path / "control.json")
    ) as runtime:
        yield runtime


def _test_line_children() -> list[int]:
    """Pids of this process's children that run the test line."""
    found = []
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        for pid in (task / "children").read_text().split():
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            if b"softphone.sip.pjsua.testline" in cmdline:
                found.append(int(pid))
    return found


async def _event(phone: PhoneRuntime, name: str, timeout: float = 15.0) -> dict[str, object]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        for ev in phone.app.events:
            if ev.name == name:
                return ev.data
        await asyncio.sleep(0.02)
    raise TimeoutError(f"no {name}; events: {[e.name for e in phone.app.events]}")


async def test_no_child_after_start_and_the_uri_is_known(phone: PhoneRuntime) -> None:
    line = phone.test_line
    assert line is not None
    assert not line.running and _test_line_children() == []
    assert line.uri.startswith("sip:echo@127.0.0.1:") and line.port > 0
    assert phone.state()["test_line"] == line.uri
    assert phone.resolve_uri("echo") == line.uri
    assert not phone.problems


async def test_the_first_echo_call_starts_the_line_and_connects(phone: PhoneRuntime) -> None:
    line = phone.test_line
    assert line is not None and _test_line_children() == []
    uri = line.uri
    await phone.control.execute("call", {"to": "echo"})
    await phone.control.execute("wait-for", {"event": "call.connected", "timeout": 20})
    assert line.running and len(_test_line_children()) == 1
    assert line.uri == uri  # the port picked at construction is the one it listens on
    await line.wait_for("answered")
    await phone.control.execute("hangup", {})
    await line.wait_for("ended")
    assert not phone.problems


async def test_a_test_line_that_cannot_start_fails_the_call_with_the_reason(
    phone: PhoneRuntime,
) -> None:
    line = phone.test_line
    assert line is not None
    line.command = [sys.executable, "-c", "import sys; sys.exit('pjsua2 is missing')"]
    await phone.control.execute("call", {"to": "echo"})
    failed = await _event(phone, "call.failed")
    reason = str(failed["reason"])
    assert "exited before it was ready" in reason and "pjsua2 is missing" in reason
    assert [p for p in phone.problems if p.startswith("test line: ") and "pjsua2" in p]
    assert not line.running and _test_line_children() == []
    assert not [c for c in phone.system.calls if not c.has_ended]
