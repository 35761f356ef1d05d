"""Test helpers: an event recorder, async SIPp runs, the pjsua2 peer process."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from softphone.sip.events import SipEvent
from tests.lab.peers import free_udp_port, require

E = TypeVar("E", bound=SipEvent)
PEER_PROC = Path(__file__).with_name("peer_proc.py")
REPO = Path(__file__).resolve().parents[2]


class EventRecorder:
    """Collects engine events; ``wait_for`` waits for one matching a type/predicate."""

    def __init__(self) -> None:
        self.events: list[SipEvent] = []
        self._changed = asyncio.Event()

    def __call__(self, ev: SipEvent) -> None:
        self.events.append(ev)
        self._changed.set()

    def of(self, kind: type[E]) -> list[E]:
        return [e for e in self.events if isinstance(e, kind)]

    async def wait_for(
        self,
        kind: type[E],
        pred: Callable[[E], bool] = lambda e: True,
        timeout: float = 10.0,
        start: int = 0,
    ) -> E:
        async def scan() -> E:
            i = start
            while True:
                while i < len(self.events):
                    ev = self.events[i]
                    i += 1
                    if isinstance(ev, kind) and pred(ev):
                        return ev
                self._changed.clear()
                await self._changed.wait()

        try:
            return await asyncio.wait_for(scan(), timeout)
        except asyncio.TimeoutError:
            seen = [e for e in self.events if type(e).__name__ != "SipMessageLogged"]
            raise AssertionError(f"no {kind.__name__} within {timeout}s; saw {seen}") from None


class Sipp:
    """One SIPp run as an asyncio subprocess."""

    def __init__(self, proc: asyncio.subprocess.Process, port: int, workdir: Path) -> None:
        self.proc = proc
        self.port = port
        self.workdir = workdir
        self.output = ""

    @property
    def uri_host(self) -> str:
        return f"127.0.0.1:{self.port}"

    async def wait(self, timeout: float = 30.0) -> int:
        try:
            out, _ = await asyncio.wait_for(self.proc.communicate(), timeout)
        except asyncio.TimeoutError:
            self.kill()
            raise AssertionError(f"sipp still running after {timeout}s") from None
        self.output = out.decode(errors="replace")
        return int(self.proc.returncode or 0)

    async def expect_success(self, timeout: float = 30.0) -> None:
        rc = await self.wait(timeout)
        errs = "\n".join(p.read_text(errors="replace")[-3000:] for p in self.workdir.glob("*.err"))
        assert rc == 0, f"sipp exit {rc}:\n{self.output[-3000:]}\n{errs}"

    def kill(self) -> None:
        if self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()


async def start_sipp(
    scenario_xml: str,
    workdir: Path,
    target: str | None = None,
    calls: int = 1,
    extra: Sequence[str] = (),
    service: str = "engine",
    timeout_s: int = 30,
) -> Sipp:
    """Start SIPp with ``scenario_xml``; UAS when ``target`` is None."""
    port = free_udp_port()
    d = workdir / f"sipp-{port}"
    d.mkdir(parents=True, exist_ok=True)
    sf = d / "scenario.xml"
    sf.write_text(scenario_xml)
    args = [require("sipp")]
    if target:
        args.append(target)
    args += ["-i", "127.0.0.1", "-p", str(port), "-m", str(calls), "-sf", str(sf)]
    args += ["-s", service, "-trace_err", "-nostdin", "-timeout", f"{timeout_s}s", "-timeout_error"]
    args += ["-mi", "127.0.0.1", "-mp", str(free_udp_port())]
    args += list(extra)
    proc = await asyncio.create_subprocess_exec(
        *args, cwd=d, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    s = Sipp(proc, port, d)
    if not target:
        await asyncio.sleep(0.15)  # let the UAS bind
    return s


class PeerProcess:
    """The bare pjsua2 peer (tests/sip/peer_proc.py) driven over stdin/stdout."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.events: list[dict[str, Any]] = []
        self.port = 0
        self._changed = asyncio.Event()
        self._reader = asyncio.ensure_future(self._read())

    @classmethod
    async def start(cls, *args: str) -> PeerProcess:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            str(PEER_PROC),
            *args,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
            cwd=REPO,
        )
        peer = cls(proc)
        ready = await peer.wait_for("ready", timeout=20)
        peer.port = int(ready["port"])
        return peer

    async def _read(self) -> None:
        assert self.proc.stdout is not None
        async for line in self.proc.stdout:
            with contextlib.suppress(ValueError):
                self.events.append(json.loads(line))
                self._changed.set()
        self._changed.set()

    def send(self, cmd: str, **kw: Any) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write((json.dumps({"cmd": cmd, **kw}) + "\n").encode())

    async def wait_for(
        self,
        ev: str,
        pred: Callable[[dict[str, Any]], bool] = lambda e: True,
        timeout: float = 10.0,
    ) -> dict[str, Any]:
        async def scan() -> dict[str, Any]:
            i = 0
            while True:
                while i < len(self.events):
                    e = self.events[i]
                    i += 1
                    if e.get("ev") == ev and pred(e):
                        return e
                if self.proc.returncode is not None and self._reader.done():
                    raise AssertionError(f"peer exited; events {self.events}")
                self._changed.clear()
                await self._changed.wait()

        try:
            return await asyncio.wait_for(scan(), timeout)
        except asyncio.TimeoutError:
            raise AssertionError(f"peer: no {ev} within {timeout}s; saw {self.events}") from None

    async def level(self) -> int:
        """The level (0-255) of the audio this peer hears from the other side."""
        n = len([e for e in self.events if e.get("ev") == "level"])
        self.send("level")
        seen = 0

        def nth(e: dict[str, Any]) -> bool:
            nonlocal seen
            seen += 1
            return seen > n

        return int((await self.wait_for("level", nth))["heard"])

    async def close(self) -> None:
        if self.proc.returncode is None:
            with contextlib.suppress(Exception):
                self.send("quit")
                assert self.proc.stdin is not None
                self.proc.stdin.close()
            try:
                await asyncio.wait_for(self.proc.wait(), 5)
            except asyncio.TimeoutError:
                self.proc.kill()
                await self.proc.wait()
        self._reader.cancel()
