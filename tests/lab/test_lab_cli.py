"""``softphone push-lab`` starts Kamailio, the push gateway and the APNs emulator."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.lab.peers import free_udp_port

pytestmark = pytest.mark.integration


def test_push_lab_starts_answers_sip_and_stops(tmp_path: Path) -> None:
    port = free_udp_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "softphone", "push-lab", "--sip-port", str(port),
         "--state-dir", str(tmp_path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ},
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        lines = []
        while True:
            line = proc.stdout.readline()
            assert line, proc.stderr.read() if proc.stderr else ""
            lines.append(line)
            if line.startswith("}"):
                break
        info = json.loads("".join(lines))
        assert info["kamailio"] == f"sip:127.0.0.1:{port}"
        assert info["push_gateway"].startswith("http://127.0.0.1:")
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind(("127.0.0.1", 0))
            me = s.getsockname()[1]
            probe = (
                f"OPTIONS sip:127.0.0.1:{port} SIP/2.0\r\n"
                f"Via: SIP/2.0/UDP 127.0.0.1:{me};branch=z9hG4bK1\r\n"
                f"From: <sip:p@127.0.0.1>;tag=1\r\nTo: <sip:127.0.0.1:{port}>\r\n"
                "Call-ID: lab\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
                "Content-Length: 0\r\n\r\n"
            ).encode()
            s.settimeout(0.3)
            answered = b""
            for _ in range(30):
                s.sendto(probe, ("127.0.0.1", port))
                try:
                    answered = s.recv(4096)
                    break
                except TimeoutError:
                    continue
        assert answered.startswith(b"SIP/2.0 200"), answered
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(20) == 0
