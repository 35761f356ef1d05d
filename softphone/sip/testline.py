"""Drive the embedded test line (``softphone.sip.pjsua.testline``) from asyncio.

The line runs in its own process (one PJSIP endpoint per process); this class starts
it, waits for it to listen, forwards its JSON-line events and sends it commands.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)


class TestLineError(RuntimeError):
    """The test line process could not start or died."""


@dataclass(frozen=True)
class TestLineEvent:
    """One event the line reported: ``incoming``, ``answered``, ``dtmf``, ``ended`` ..."""

    name: str
    fields: dict[str, Any] = field(default_factory=dict)


class TestLineProcess:
    """The echo line and simulated caller, as a child process on 127.0.0.1."""

    __test__ = False  # not a pytest class

    def __init__(self, *, answer_after: float = 1.0, user: str = "echo") -> None:
        self.answer_after = answer_after
        self.user = user
        self.port = 0
        self.uri = ""
        self.events: list[TestLineEvent] = []
        self._proc: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self._listeners: list[Callable[[TestLineEvent], None]] = []
        self._changed = asyncio.Event()

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.returncode is None

    def subscribe(self, callback: Callable[[TestLineEvent], None]) -> Callable[[], None]:
        self._listeners.append(callback)
        return lambda: self._listeners.remove(callback) if callback in self._listeners else None

    async def start(self, timeout: float = 15.0) -> None:
        """Start the process and wait until it listens (raises TestLineError)."""
        # A frozen bundle has no ``-m``: its executable takes the sub-command instead.
        frozen = getattr(sys, "frozen", False)
        entry = ["testline"] if frozen else ["-m", "softphone.sip.pjsua.testline"]
        self._proc = await asyncio.create_subprocess_exec(
            sys.executable,
            *entry,
            "--answer-after",
            str(self.answer_after),
            "--user",
            self.user,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
        self._reader = asyncio.get_running_loop().create_task(self._read())
        try:
            ready = await self.wait_for("ready", timeout=timeout)
        except TimeoutError as exc:
            await self.stop()
            raise TestLineError(f"the test line did not start within {timeout:.0f} s") from exc
        self.port = int(ready.fields["port"])
        self.uri = str(ready.fields["uri"])

    async def _read(self) -> None:
        assert self._proc is not None and self._proc.stdout is not None
        while True:
            raw = await self._proc.stdout.readline()
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
        """The first event named ``name`` (from index ``after``) whose fields match."""
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
        if self._proc is None or self._proc.stdin is None or not self.running:
            raise TestLineError("the test line is not running")
        self._proc.stdin.write((json.dumps(cmd) + "\n").encode())
        await self._proc.stdin.drain()

    async def ring(self, uri: str) -> None:
        """The simulated caller: call ``uri`` (this phone) from the test line."""
        await self._send(cmd="call", uri=uri)

    async def hangup(self) -> None:
        await self._send(cmd="hangup")

    async def stop(self) -> None:
        """Ask the line to quit; kill it if it does not within 5 s."""
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
        if self._reader is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._reader, 2)
