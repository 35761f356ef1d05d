"""Driver for phone_proc children: one pjsua2 phone per process, JSON lines."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from typing import Any

from .pulse_server import PulseServer

EVENT_TIMEOUT_S = 15.0


class Phone:
    """Drives one ``tests.audio.phone_proc`` child (its own pjsua2 Endpoint)."""

    def __init__(
        self, pulse: PulseServer, name: str, mic: str | None = None, speaker: str | None = None
    ) -> None:
        self.name = name
        mic, speaker = mic or f"{name}_mic", speaker or f"{name}_spk"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.audio.phone_proc", mic, speaker],
            env=pulse.env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        self.port = int(self.wait("ready")["port"])

    def send(self, cmd: str, **args: Any) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"cmd": cmd, **args}) + "\n")
        self.proc.stdin.flush()

    def do(self, cmd: str, **args: Any) -> None:
        self.send(cmd, **args)
        self.wait("done")

    def wait(self, event: str) -> dict[str, Any]:
        assert self.proc.stdout is not None
        deadline = time.monotonic() + EVENT_TIMEOUT_S
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                raise AssertionError(f"phone {self.name} exited ({self.proc.poll()})")
            if not line.startswith("{"):
                continue  # pjlib's own log lines
            got = json.loads(line)
            if got["ev"] == "error":
                raise AssertionError(f"phone {self.name}: {got}")
            if got["ev"] == event:
                return got  # type: ignore[no-any-return]
        raise AssertionError(f"phone {self.name}: no {event!r} within {EVENT_TIMEOUT_S} s")

    def close(self) -> None:
        try:
            self.send("quit")
            self.proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait(timeout=5)
