"""Start real peers (Kamailio, SIPp) on 127.0.0.1 with free ports, for tests and the lab."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LAB_CFG = REPO / "resources" / "lab" / "kamailio-push.cfg"
SCENARIOS = Path(__file__).resolve().parent / "scenarios"


def free_udp_port() -> int:
    """A UDP port free on 127.0.0.1 right now (also free for TCP, for Kamailio)."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as t:
            try:
                t.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port


def require(binary: str) -> str:
    path = shutil.which(binary) or shutil.which(binary, path="/usr/sbin:/sbin")
    if path is None:
        raise RuntimeError(f"{binary} is not installed: run `bash dev.sh setup`")
    return path


class Kamailio:
    """A Kamailio process in the foreground; ``stop()`` ends it."""

    def __init__(
        self,
        cfg: Path,
        workdir: Path,
        defines: dict[str, str] | None = None,
        listen: tuple[str, ...] = (),
    ) -> None:
        for attempt in range(3):  # a free port can be taken between probing and binding
            self.port = free_udp_port()
            self.log_path = workdir / f"kamailio-{self.port}.log"
            args = [
                require("kamailio"),
                "-f",
                str(cfg),
                "-DD",
                "-E",
                "-l",
                f"udp:127.0.0.1:{self.port}",
            ]
            for extra in listen:  # e.g. "tls:127.0.0.1:5061"
                args += ["-l", extra]
            args += ["-P", str(workdir / f"kamailio-{self.port}.pid"), "-Y", str(workdir)]
            for k, v in (defines or {}).items():
                args += ["-A", f"{k}={v}" if v else k]
            self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
            # its own process group: stop() must take Kamailio's forked workers too
            self.proc = subprocess.Popen(
                args, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
            )
            try:
                self._wait_ready()
                return
            except RuntimeError:
                self.stop()
                if attempt == 2 or "Address already in use" not in self.log():
                    raise

    def _wait_ready(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        probe = (
            f"OPTIONS sip:127.0.0.1:{self.port} SIP/2.0\r\n"
            "Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKprobe\r\nFrom: <sip:p@127.0.0.1>;tag=1\r\n"
            f"To: <sip:127.0.0.1:{self.port}>\r\nCall-ID: probe\r\nCSeq: 1 OPTIONS\r\n"
            "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
        ).encode()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind(("127.0.0.1", 0))
            s.settimeout(0.2)
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"kamailio exited: {self.log_path.read_text()[-2000:]}")
                s.sendto(
                    probe.replace(b"127.0.0.1:9", f"127.0.0.1:{s.getsockname()[1]}".encode()),
                    ("127.0.0.1", self.port),
                )
                try:
                    if s.recv(4096).startswith(b"SIP/2.0 200"):
                        return
                except TimeoutError:
                    continue
        raise RuntimeError(
            f"kamailio not ready on {self.port}: {self.log_path.read_text()[-2000:]}"
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        """SIGTERM to Kamailio's process group, then SIGKILL to whatever is left of it
        (a worker stuck in shutdown once outlived its main process and the test run)."""
        pgid = self.proc.pid
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGTERM)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            pass
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(5)
        self._log.close()


def sipp(
    scenario: str | Path,
    target: str,
    workdir: Path,
    extra: Sequence[str] = (),
    service: str = "alice",
    variables: dict[str, str] | None = None,
    port: int = 0,
) -> subprocess.Popen[bytes]:
    """Start SIPp with a scenario file (or ``-sn`` built-in name) against ``target``."""
    port = port or free_udp_port()
    args = [require("sipp"), target, "-i", "127.0.0.1", "-p", str(port), "-m", "1", "-bg"]
    args = [a for a in args if a != "-bg"]
    path = Path(scenario)
    args += ["-sf", str(path)] if path.suffix == ".xml" else ["-sn", str(scenario)]
    args += ["-s", service, "-trace_err", "-error_file", str(workdir / f"sipp-{port}.err")]
    args += ["-nostdin", "-timeout", "30s", "-timeout_error"]
    for k, v in (variables or {}).items():
        args += ["-set", k, v]
    args += list(extra)
    return subprocess.Popen(args, cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
