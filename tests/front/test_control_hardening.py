"""Hardening of the control API and fault options, through the CLI and raw sockets
against real headless phones (issue 17)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from softphone.testing import RunningPhone

pytestmark = pytest.mark.covers("readme:fault injection", "readme:control api")


def cli(
    home: Path, profile: str, *args: str, timeout: float = 30
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SOFTPHONE_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "softphone", "--profile", profile, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def home_of(phone: RunningPhone) -> Path:
    return phone.log_path.parent


def raw_http(phone: RunningPhone, request: bytes, timeout: float = 10) -> tuple[int, Any]:
    """Send bytes as they are; the status and the JSON body of the answer."""
    port = int(phone.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(request)
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, json.loads(body) if body.strip() else None


def post(phone: RunningPhone, command: str, body: bytes, host: str | None = None) -> bytes:
    port = int(phone.url.rsplit(":", 1)[1])
    return (
        f"POST /v1/{command} HTTP/1.1\r\nHost: {host or f'127.0.0.1:{port}'}\r\n"
        f"Authorization: Bearer {phone.token}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode() + body


def test_non_finite_fault_options_are_refused_and_pushes_still_ring(softphone: Any) -> None:
    """`inject push-delay --option seconds=1e999` and `stall-next-action timeout=NaN` are a
    400 naming the option; the push channel survives: a later push still rings."""
    phone = softphone()
    home = home_of(phone)
    for fault, opt in (
        ("push-delay", "seconds=1e999"),
        ("stall-next-action", "timeout=NaN"),
        ("cellular-call", "seconds=-Infinity"),
    ):
        done = cli(home, phone.profile, "inject", fault, "--option", opt)
        assert done.returncode == 2, (fault, done.stdout, done.stderr)
        assert "must be a finite number" in done.stderr, done.stderr
        assert "Traceback" not in done.stderr
    done = cli(home, phone.profile, "inject", "push-delay", "--option", "seconds=99999")
    assert done.returncode == 2
    assert "seconds must be a finite number between 0 and 3600, got 99999" in done.stderr
    for bad in ("nan", "inf", "1e999"):  # a command parameter: the same check
        done = cli(home, phone.profile, "wait-for", "call.ended", "--timeout", bad)
        assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
        assert "timeout must be a finite number" in done.stderr, done.stderr
    # the API never answers with NaN: the state is plain JSON
    status, state = raw_http(phone, post(phone, "state", b""))
    assert status == 200 and state["ok"] is True
    status, err = raw_http(phone, post(phone, "wait-for", b'{"event": "x", "timeout": NaN}'))
    assert status == 400 and "timeout must be a finite number" in err["error"]["message"]
    # a later push still rings
    assert cli(home, phone.profile, "push", "--caller", "After the bad delay").returncode == 0
    incoming = phone.wait_for("call.incoming", timeout=10)
    assert incoming["data"]["name"] == "After the bad delay"
    phone.hangup()


def test_host_header_and_token_guard_the_api(softphone: Any) -> None:
    """A foreign Host (DNS rebinding) is a 421 before anything else; openapi.json needs
    the token."""
    phone = softphone()
    port = int(phone.url.rsplit(":", 1)[1])
    status, err = raw_http(phone, post(phone, "state", b"", host=f"evil.example:{port}"))
    assert status == 421 and err["error"]["code"] == "misdirected"
    status, _ = raw_http(phone, post(phone, "state", b"", host=f"localhost:{port}"))
    assert status == 200
    get = f"GET /v1/openapi.json HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    status, err = raw_http(phone, get.encode())
    assert status == 401
    rebind = get.replace(f"127.0.0.1:{port}", f"attacker.example:{port}")
    status, err = raw_http(phone, rebind.encode())
    assert status == 421
    with_token = urllib.request.Request(
        phone.url + "/v1/openapi.json", headers={"Authorization": f"Bearer {phone.token}"}
    )
    with urllib.request.urlopen(with_token, timeout=10) as r:
        assert "/v1/inject" in json.loads(r.read())["paths"]


def test_nested_and_huge_json_are_400(softphone: Any) -> None:
    phone = softphone()
    nested = b'{"fault": "lock", "options": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    status, err = raw_http(phone, post(phone, "inject", nested))
    assert status == 400 and "deeper" in err["error"]["message"], err
    deep = b"[" * 20000 + b"]" * 20000
    status, err = raw_http(phone, post(phone, "state", deep))
    assert status == 400, err
    huge = b'{"to": "' + b"1" * 200_000 + b'"}'
    status, err = raw_http(phone, post(phone, "call", huge))
    assert status == 400 and "larger than" in err["error"]["message"]
    assert phone.state()["calls"] == []


def _closed(socks: list[socket.socket]) -> list[socket.socket]:
    """The sockets the server has closed (EOF or reset)."""
    closed = []
    for s in socks:
        s.settimeout(0.001)
        try:
            if s.recv(1) == b"":
                closed.append(s)
        except TimeoutError:
            pass
        except OSError:
            closed.append(s)
    return closed


def test_half_open_connections_are_capped_and_closed(softphone: Any) -> None:
    """500 connections that never finish their headers: all but the cap (64) are closed
    at once, the rest after the header timeout (10 s); then the phone answers again."""
    phone = softphone()
    port = int(phone.url.rsplit(":", 1)[1])
    socks: list[socket.socket] = []
    try:
        for _ in range(500):
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            s.sendall(b"POST /v1/state HTTP/1.1\r\nHost: 127.0.0.1")
            socks.append(s)
        deadline = time.monotonic() + 5
        while len(_closed(socks)) < 500 - 64 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(_closed(socks)) >= 500 - 64
        deadline = time.monotonic() + 25
        while len(_closed(socks)) < 500 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(_closed(socks)) == 500, "half-open connections outlived the header timeout"
    finally:
        for s in socks:
            s.close()
    assert phone.state()["calls"] == []
