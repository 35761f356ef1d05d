"""The embedded test line against SIPp on loopback: it answers and echoes, and rings."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import pytest

from softphone.sip.testline import TestLineError, TestLineProcess
from tests.lab.peers import free_udp_port, require

pytestmark = pytest.mark.integration


async def _sipp(*args: str, cwd: Path) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        require("sipp"), *args, "-i", "127.0.0.1", "-m", "1", "-nostdin",
        "-timeout", "20s", "-timeout_error", cwd=cwd,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )
    try:
        out, _ = await asyncio.wait_for(proc.communicate(), 30)
    finally:
        if proc.returncode is None:
            proc.kill()
    return int(proc.returncode or 0), out.decode(errors="replace")


async def test_line_answers_after_ringing_and_reports_the_hangup(tmp_path: Path) -> None:
    line = TestLineProcess(answer_after=0.3)
    await line.start()
    try:
        rc, out = await _sipp(
            f"127.0.0.1:{line.port}", "-sn", "uac", "-s", "echo", "-d", "500",
            "-p", str(free_udp_port()), cwd=tmp_path,
        )
        assert rc == 0, out[-2000:]
        incoming = await line.wait_for("incoming")
        answered = await line.wait_for("answered")
        assert answered.fields["at"] - incoming.fields["at"] >= 0.25  # it rang first
        await line.wait_for("ended", code=200)
    finally:
        await line.stop()
    assert not line.running


async def test_simulated_caller_rings_a_phone(tmp_path: Path) -> None:
    line = TestLineProcess()
    await line.start()
    port = free_udp_port()
    try:
        uas = asyncio.create_task(
            _sipp("-sn", "uas", "-p", str(port), cwd=tmp_path)
        )
        await asyncio.sleep(0.5)
        await line.ring(f"sip:phone@127.0.0.1:{port}")
        await line.wait_for("answered")
        await line.hangup()
        await line.wait_for("ended")
        rc, out = await uas
        assert rc == 0, out[-2000:]
    finally:
        await line.stop()


async def test_bad_commands_are_reported_not_fatal() -> None:
    line = TestLineProcess()
    await line.start()
    try:
        await line._send(cmd="dance")
        err = await line.wait_for("error")
        assert "unknown command" in err.fields["message"]
        await line.ring("not a uri")
        await line.wait_for("error", after=line.events.index(err) + 1)
        assert line.running
    finally:
        await line.stop()


async def test_the_port_is_known_before_the_process_and_starts_are_shared() -> None:
    line = TestLineProcess()
    uri = line.uri
    assert line.port > 0 and uri == f"sip:echo@127.0.0.1:{line.port}" and not line.running
    try:
        await asyncio.gather(line.ensure_started(), line.ensure_started(), line.wait_for("ready"))
        assert line.running and line.uri == uri
        assert [e.name for e in line.events].count("ready") == 1  # one process, not three
        await line.ensure_started()
        assert [e.name for e in line.events].count("ready") == 1
    finally:
        await line.stop()


async def test_a_taken_port_makes_it_retry_on_another() -> None:
    line = TestLineProcess()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", line.port))  # someone took the port it picked
        taken = line.port
        try:
            await line.ensure_started()
            assert line.running and line.port != taken
            assert line.uri == f"sip:echo@127.0.0.1:{line.port}"
        finally:
            await line.stop()


async def test_stop_during_a_start_leaves_no_process() -> None:
    line = TestLineProcess()
    starting = asyncio.create_task(line.ensure_started())
    while line._proc is None:  # the child exists and is starting pjsua2 (not ready yet)
        await asyncio.sleep(0)
    assert not line.events
    await line.stop()
    with pytest.raises(TestLineError, match="stopped while it started"):
        await starting
    assert not line.running
    await line.ensure_started()  # a later use starts it again
    try:
        assert line.running
    finally:
        await line.stop()
