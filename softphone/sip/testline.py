"""Drive the embedded test line (``softphone.sip.pjsua.testline``) from asyncio.

The line runs in its own process (one PJSIP endpoint per process); this class starts
it, waits for it to listen, forwards its JSON-line events and sends it commands.

The process starts on first use, not with the phone (it costs ~29 MB of RSS): its UDP
port is picked when this object is made, so ``uri`` is known at once, and
``ensure_started()`` (called by ``ring``, ``hangup``, ``wait_for`` and by the phone
before it dials the line) starts it the first time.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)


class TestLineError(RuntimeError):
    """The test line process could not start or died."""

    __test__ = False  # not a pytest class


@dataclass(frozen=True)
class TestLineEvent:
    """One event the line reported: ``incoming``, ``answered``, ``dtmf``, ``ended`` ..."""

    name: str
    fields: dict[str, Any] = field(default_factory=dict)


def free_udp_port() -> int:
    """A UDP port on 127.0.0.1 that nothing is bound to right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class TestLineProcess:
    """The echo line and simulated caller, as a child process on 127.0.0.1."""

    __test__ = False  # not a pytest class

    def __init__(self, *, answer_after: float = 1.0, user: str = "echo") -> None:
        self.answer_after = answer_after
        self.user = user
        self.port = 0
        self.uri = ""
        self._pick_port()
        self.events: list[TestLineEvent] = []
        #: Called with the reason when the process fails to start (the phone's problems).
        self.on_start_error: Callable[[str], None] | None = None
        #: The child command (``[executable, args...]``); None: this Python's test line.
        self.command: list[str] | None = None
        self._proc: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self._stderr: asyncio.Task[None] | None = None
        self._stderr_tail: list[str] = []
        self._listeners: list[Callable[[TestLineEvent], None]] = []
        self._changed = asyncio.Event()
        self._lock = asyncio.Lock()
        self._stops = 0  # stop() calls: a start that sees this change gives up

    def _pick_port(self) -> None:
        self.port = free_udp_port()
        self.uri = f"sip:{self.user}@127.0.0.1:{self.port}"

    @property
    def host(self) -> str:
        """``127.0.0.1:PORT``: the host part of ``uri``."""
        return self.uri.split("@", 1)[-1]

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.returncode is None

    def subscribe(self, callback: Callable[[TestLineEvent], None]) -> Callable[[], None]:
        self._listeners.append(callback)
        return lambda: self._listeners.remove(callback) if callback in self._listeners else None

    async def ensure_started(self, timeout: float = 15.0) -> None:
        """Start the process unless it runs (idempotent; concurrent callers share one
        start). Raises TestLineError, after telling ``on_start_error``."""
        if self.running:
            return
        async with self._lock:
            if self.running:
                return
            stops = self._stops
            try:
                await self._start_once(timeout)
            except TestLineError as first:
                if self._stops != stops:
                    raise
                # The port may have been taken since it was picked: one more try.
                log.info("test line: %s; retrying on a new port", first)
                self._pick_port()
                try:
                    await self._start_once(timeout)
                except TestLineError as exc:
                    if self.on_start_error is not None and self._stops == stops:
                        self.on_start_error(str(exc))
                    raise

    async def start(self, timeout: float = 15.0) -> None:
        """Start the process now and wait until it listens (raises TestLineError)."""
        await self.ensure_started(timeout)

    async def _start_once(self, timeout: float) -> None:
        if self.command is not None:
            argv = list(self.command)
        else:
            # A frozen bundle has no ``-m``: its executable takes the sub-command instead.
            frozen = getattr(sys, "frozen", False)
            # faulthandler: a crash in PJSIP leaves its Python stack in the stderr tail
            entry = (
                ["testline"]
                if frozen
                else ["-X", "faulthandler", "-m", "softphone.sip.pjsua.testline"]
            )
            argv = [sys.executable, *entry]
        after = len(self.events)
        stops = self._stops
        self._stderr_tail = []
        try:
            proc = await asyncio.create_subprocess_exec(
                *argv,
                "--port",
                str(self.port),
                "--answer-after",
                str(self.answer_after),
                "--user",
                self.user,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
        except OSError as exc:
            raise TestLineError(f"the test line could not be started: {exc}") from exc
        if self._stops != stops:  # stop() came while the process was being made
            proc.kill()
            await proc.wait()
            raise TestLineError("the test line was stopped while it started")
        self._proc = proc
        loop = asyncio.get_running_loop()
        self._reader = loop.create_task(self._read(proc))
        self._stderr = loop.create_task(self._read_stderr(proc))
        try:
            ready = await self.wait_for("ready", timeout=timeout, after=after)
        except TimeoutError as exc:
            await self._halt()
            raise TestLineError(f"the test line did not start within {timeout:.0f} s") from exc
        except TestLineError as exc:  # it exited before it listened (or was stopped)
            await self._halt()
            if self._stops != stops:
                raise TestLineError("the test line was stopped while it started") from exc
            if self._stderr is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(self._stderr, 2)
            code = proc.returncode
            detail = self._stderr_tail[-1] if self._stderr_tail else ""
            raise TestLineError(
                f"the test line exited before it was ready (exit code {code})"
                + (f": {detail}" if detail else "")
            ) from exc
        if self._stops != stops:  # ready, but stop() already asked it to quit
            raise TestLineError("the test line was stopped while it started")
        self.port = int(ready.fields["port"])
        self.uri = str(ready.fields["uri"])

    async def _read_stderr(self, proc: asyncio.subprocess.Process) -> None:
        """Keep the last lines of the child's stderr (the reason if it fails to start)."""
        assert proc.stderr is not None
        while True:
            raw = await proc.stderr.readline()
            if not raw:
                break
            text = raw.decode(errors="replace").strip()
            if text:
                self._stderr_tail = [*self._stderr_tail[-4:], text]

    async def _read(self, proc: asyncio.subprocess.Process) -> None:
        assert proc.stdout is not None
        while True:
            raw = await proc.stdout.readline()
            if not raw:
                break
            line = raw.decode(errors="replace").strip()
            if not line.startswith("{"):
                continue  # PJSIP's own start-up log lines
            try:
                data = json.loads(line)
            except json.JSONDecodeError:
                continue
            name = str(data.pop("event", "unknown"))
            event = TestLineEvent(name, data)
            self.events.append(event)
            if name == "error":
                log.warning("test line: %s", data.get("message"))
            for cb in list(self._listeners):
                try:
                    cb(event)
                except Exception:  # a listener must not stop the reader
                    log.exception("test line listener failed")
            self._changed.set()
        self.events.append(TestLineEvent("exited", {}))
        self._changed.set()

    async def wait_for(
        self, name: str, timeout: float = 10.0, after: int = 0, **match: Any
    ) -> TestLineEvent:
        """The first event named ``name`` (from index ``after``) whose fields match.
        Starts the line first if it never ran."""
        if self._proc is None:
            await self.ensure_started()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for ev in self.events[after:]:
                if ev.name == name and all(ev.fields.get(k) == v for k, v in match.items()):
                    return ev
                if ev.name == "exited":
                    raise TestLineError("the test line exited")
            self._changed.clear()
            left = deadline - loop.time()
            if left <= 0:
                raise TimeoutError(f"test line: no '{name}' event within {timeout} s")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), left)

    async def _send(self, **cmd: Any) -> None:
        if self._proc is None:
            await self.ensure_started()
        if self._proc is None or self._proc.stdin is None or not self.running:
            raise TestLineError("the test line is not running")
        self._proc.stdin.write((json.dumps(cmd) + "\n").encode())
        await self._proc.stdin.drain()

    async def ring(self, uri: str, display: str = "") -> None:
        """The simulated caller: call ``uri`` (this phone) from the test line (From
        ``display`` when given, else "Softphone Test Line")."""
        await self._send(cmd="call", uri=uri, **({"display": display} if display else {}))

    async def ring_held(self, uri: str, display: str = "", timeout: float = 5.0) -> str:
        """Make the simulated caller's INVITE to ``uri`` but hold it back (as a push
        server does while the phone wakes up); returns its SIP Call-ID for the push and
        :meth:`release`. Raises TestLineError when the line cannot call."""
        await self.ensure_started()
        after = len(self.events)
        await self._send(cmd="call", uri=uri, display=display, hold=True)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for ev in self.events[after:]:
                if ev.name == "calling" and ev.fields.get("uri") == uri:
                    return str(ev.fields["call_id"])
                if ev.name == "exited" or (ev.name == "error" and ev.fields.get("uri") == uri):
                    why = ev.fields.get("message", "the test line exited")
                    raise TestLineError(f"the simulated caller could not call: {why}")
            self._changed.clear()
            left = deadline - loop.time()
            if left <= 0:
                raise TestLineError(f"the simulated caller did not call within {timeout:g} s")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), left)

    async def release(self, call_id: str) -> None:
        """Let a held INVITE (see :meth:`ring_held`) through to the phone."""
        await self._send(cmd="release", call_id=call_id)

    async def hangup(self, call_id: str | None = None) -> None:
        """End every call of the line (or the one with this SIP Call-ID)."""
        await self._send(cmd="hangup", **({"call_id": call_id} if call_id else {}))

    async def stop(self) -> None:
        """Ask the line to quit; kill it if it does not within 5 s. A start under way
        gives up (no process is left behind)."""
        self._stops += 1
        await self._halt()

    async def _halt(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.returncode is None:
            with contextlib.suppress(Exception):
                assert proc.stdin is not None
                proc.stdin.write(b'{"cmd": "quit"}\n')
                await proc.stdin.drain()
                proc.stdin.close()
            try:
                await asyncio.wait_for(proc.wait(), 5)
            except TimeoutError:
                proc.kill()
                await proc.wait()
        for task in (self._reader, self._stderr):
            if task is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(task, 2)
