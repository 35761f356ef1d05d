"""Synchronous peers for front-door tests (the phones run in their own processes).

``SippPeer`` is one SIPp run (the scenarios of tests/sip/scenarios.py) whose every
message is traced (``-trace_msg``), so a test reads what really crossed the wire.
"""

from __future__ import annotations

import contextlib
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TypeVar

from tests.lab.peers import free_udp_port, require

T = TypeVar("T")


def poll(what: str, probe: Callable[[], T | None], timeout: float = 10.0) -> T:
    """``probe()`` until it returns something truthy; fail naming ``what`` at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout:g} s")
        time.sleep(0.05)


class SippPeer:
    """SIPp as UAS (``target`` None) or UAC, with its messages traced to a file."""

    def __init__(
        self,
        scenario_xml: str,
        workdir: Path,
        target: str | None = None,
        *,
        service: str = "front",
        extra: Sequence[str] = (),
        calls: int = 1,
    ) -> None:
        self.port = free_udp_port()
        self.dir = workdir / f"sipp-{self.port}"
        self.dir.mkdir(parents=True, exist_ok=True)
        (self.dir / "scenario.xml").write_text(scenario_xml)
        args = [require("sipp")] + ([target] if target else [])
        args += ["-i", "127.0.0.1", "-p", str(self.port), "-m", str(calls)]
        args += ["-sf", "scenario.xml", "-s", service, "-trace_msg", "-trace_err", "-nostdin"]
        args += ["-mi", "127.0.0.1", "-mp", str(free_udp_port()), "-timeout", "30s"]
        args += ["-timeout_error", *extra]
        self.proc = subprocess.Popen(
            args, cwd=self.dir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        if target is None:
            time.sleep(0.15)  # let the UAS bind its port

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def messages(self) -> str:
        """Everything SIPp sent and received so far (its ``-trace_msg`` log)."""
        return "".join(p.read_text(errors="replace") for p in self.dir.glob("*_messages.log"))

    def received(self, start_line: str) -> list[str]:
        """The messages SIPp received whose first line starts with ``start_line``."""
        out = []
        for block in self.messages().split("----------------------------------------------"):
            if "message received" in block:
                body = block.split("\n", 2)[-1].lstrip()
                if body.startswith(start_line):
                    out.append(body)
        return out

    def wait_received(self, start_line: str, timeout: float = 10.0) -> str:
        """The first message received that starts with ``start_line`` (polled)."""
        return poll(
            f"SIPp receiving {start_line!r}",
            lambda: (self.received(start_line) or [""])[0],
            timeout,
        )

    def wait(self, timeout: float = 30.0) -> int:
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"sipp still running after {timeout:g} s") from None

    def expect_success(self, timeout: float = 30.0) -> None:
        rc = self.wait(timeout)
        out = self.proc.stdout.read().decode(errors="replace") if self.proc.stdout else ""
        errs = "".join(p.read_text(errors="replace")[-3000:] for p in self.dir.glob("*.err"))
        assert rc == 0, f"sipp exit {rc}:\n{out[-3000:]}\n{errs}"

    def kill(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()
            self.proc.wait(5)


@contextlib.contextmanager
def sipp(
    scenario_xml: str, workdir: Path, target: str | None = None, **kw: object
) -> Iterator[SippPeer]:
    """A :class:`SippPeer` killed on the way out."""
    peer = SippPeer(scenario_xml, workdir, target, **kw)  # type: ignore[arg-type]
    try:
        yield peer
    finally:
        peer.kill()
