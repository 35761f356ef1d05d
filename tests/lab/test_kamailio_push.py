"""The push lab's Kamailio config: an INVITE for a sleeping phone triggers a push, and the
phone's REGISTER after the push receives the held INVITE (RFC 8599 with tsilo)."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.lab.peers import LAB_CFG, SCENARIOS, Kamailio, free_udp_port, sipp

TOKEN = "a1" * 32


class PushGateway:
    """An HTTP push gateway that records pushes and wakes the 'phone' (a SIPp UA)."""

    def __init__(self, on_push: Any) -> None:
        self.pushes: list[dict[str, Any]] = []
        self.received_at: list[float] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                gateway.received_at.append(time.monotonic())
                gateway.pushes.append(json.loads(body))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
                on_push(gateway.pushes[-1])

            def log_message(self, *args: object) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/push"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[tuple[Kamailio, PushGateway, list[subprocess.Popen[bytes]]]]:
    woken: list[subprocess.Popen[bytes]] = []
    holder: dict[str, Kamailio] = {}

    def wake(push: dict[str, Any]) -> None:
        # The woken phone: its SIP stack comes up (a SIPp UAS), then it REGISTERs again.
        target = f"127.0.0.1:{holder['k'].port}"
        port = free_udp_port()
        woken.append(sipp("uas", target, tmp_path, port=port))
        woken.append(
            sipp(
                SCENARIOS / "register_pn.xml",
                target,
                tmp_path,
                variables={"token": TOKEN, "contact_port": str(port)},
            )
        )

    gateway = PushGateway(wake)
    kam = Kamailio(
        LAB_CFG, tmp_path, {"PUSH_GATEWAY": f'"{gateway.url}"', "WAKE_TIMEOUT_MS": "8000"}
    )
    holder["k"] = kam
    try:
        yield kam, gateway, woken
    finally:
        for p in woken:
            if p.poll() is None:
                p.kill()
        kam.stop()
        gateway.close()


@pytest.mark.integration
def test_invite_for_sleeping_phone_is_delivered_after_push(
    lab: tuple[Kamailio, PushGateway, list[subprocess.Popen[bytes]]], tmp_path: Path
) -> None:
    """REGISTER with pn-* params, sleep; a call triggers a push with those params; the
    phone's new REGISTER gets the INVITE and the caller sees 200 OK."""
    kam, gateway, woken = lab
    target = f"127.0.0.1:{kam.port}"
    asleep = {"token": TOKEN, "contact_port": str(free_udp_port())}
    reg = sipp(SCENARIOS / "register_pn.xml", target, tmp_path, variables=asleep)
    out, _ = reg.communicate(timeout=20)
    assert reg.returncode == 0, out.decode(errors="replace")[-2000:]

    start = time.monotonic()
    caller = sipp("uac", target, tmp_path, service="alice", extra=["-d", "200"])
    out, _ = caller.communicate(timeout=40)
    elapsed = time.monotonic() - start
    assert caller.returncode == 0, out.decode(errors="replace")[-3000:] + kam.log()[-3000:]

    assert len(gateway.pushes) == 1
    push = gateway.pushes[0]
    assert push["pn-provider"] == "apns"
    assert push["pn-prid"] == f"{TOKEN}:voip"
    assert push["pn-param"] == "ABCDE12345.com.example.softphone.voip"
    assert push["to-user"] == "alice"
    assert push["call-id"]
    assert len(woken) == 2
    for proc in woken:
        proc_out, _ = proc.communicate(timeout=20)
        assert proc.returncode == 0, proc_out.decode(errors="replace")[-2000:]
    assert elapsed < 30


@pytest.mark.integration
def test_no_push_parameters_means_plain_404(
    lab: tuple[Kamailio, PushGateway, list[subprocess.Popen[bytes]]], tmp_path: Path
) -> None:
    """A user who never registered with push parameters is not pushed: 404."""
    kam, gateway, _ = lab
    caller = sipp("uac", f"127.0.0.1:{kam.port}", tmp_path, service="nobody")
    caller.communicate(timeout=40)
    assert caller.returncode != 0
    assert gateway.pushes == []
    errors = "".join(p.read_text(errors="replace") for p in tmp_path.glob("sipp-*.err"))
    assert "SIP/2.0 404 Not Found" in errors
