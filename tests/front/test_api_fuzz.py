"""Fuzz battery of the control API against a real headless phone (issue 17): schemathesis
cases from the OpenAPI document and raw HTTP requests with hostile Host headers, junk
headers, torn and nested bodies, and half-open connections. Afterwards the phone is
alive, has no stuck call and its memory is bounded."""

from __future__ import annotations

import json
import random
import socket
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings

from softphone.control.server import HEADER_TIMEOUT
from tests.fuzz_counts import record

pytestmark = pytest.mark.covers("readme:control api")

#: Commands the battery leaves out: they dial, ring, wait, write files or settings.
_UNSAFE = {
    "call", "push", "inject", "wait-for", "export", "settings-set", "audio-select",
    "audio-devices", "contact-add", "contact-remove", "block",
}  # fmt: skip


#: Generated examples per schemathesis operation, and raw requests.
SCHEMATHESIS_EXAMPLES = 15
RAW_CASES = 2000


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _exchange(port: int, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
        s.sendall(data)
        s.settimeout(0.1)
        out = b""
        try:
            while chunk := s.recv(65536):
                out += chunk
        except (TimeoutError, ConnectionResetError):
            pass
    return out


_HOSTS = [
    "127.0.0.1:{port}", "localhost:{port}", "LOCALHOST:{port}", "evil.example:{port}",
    "127.0.0.1", "127.0.0.1:1", "", "[::1]:{port}", "127.0.0.1:{port}.evil", "a b",
]  # fmt: skip
_BODIES = [
    b"", b"{}", b"[]", b"null", b'{"on": NaN}', b'{"timeout": 1e999}', b"{", b'"\\ud800"',
    b'{"on": true}', b'{"on": "yes"}', b'{"limit": -1}', b'{"x": {"y": [1, 2, {"z": null}]}}',
]  # fmt: skip
_PRINTABLE = "".join(chr(c) for c in range(32, 127))


def _junk(rng: random.Random, size: int) -> str:
    return "".join(rng.choice(_PRINTABLE) for _ in range(rng.randint(0, size)))


def hostile_request(rng: random.Random, port: int, token: str) -> tuple[bytes, str]:
    """One raw request (and its Host): hostile Hosts, junk headers, odd bodies, torn."""
    host = rng.choice([*_HOSTS, _junk(rng, 20)]).replace("{port}", str(port))
    method = rng.choice(["POST", "POST", "GET", "PUT", "OPTIONS", _junk(rng, 6) or "X"])
    path = rng.choice(["/v1/state", "/v1/lock", "/v1/openapi.json", "/v1/x", "/", "/v1/"])
    head = [f"{method} {path} HTTP/1.1", f"Host: {host}"]
    auth = rng.choice([token, token, "x", None])
    if auth is not None:
        head.append(f"Authorization: Bearer {auth}")
    for i in range(rng.randint(0, 3)):
        head.append(f"X-Junk-{i}: {_junk(rng, 30)}" if rng.random() < 0.5 else _junk(rng, 30))
    kind = rng.random()
    if kind < 0.6:
        body = rng.choice(_BODIES)
    elif kind < 0.8:
        depth = rng.randint(1, 3000)
        body = b"[" * depth + b"]" * depth
    else:
        body = rng.randbytes(rng.randint(0, 64))
    head += [f"Content-Length: {len(body)}", "Connection: close", "", ""]
    data = "\r\n".join(head).encode("utf-8", "replace") + body
    if rng.random() < 0.05:  # torn: the rest never comes
        data = data[: len(data) // 2]
    return data, host


def test_api_fuzz_battery(softphone: Any) -> None:
    phone = softphone("fuzzed")
    port = int(phone.url.rsplit(":", 1)[1])
    rss_before = _rss_kib(phone.process.pid)
    started = time.monotonic()
    # half-open connections held during the battery: closed by the header timeout
    half_open = []
    for _ in range(5):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(b"POST /v1/state HTTP/1.1\r\nHost: 127.0.0.1")
        half_open.append(s)
    counts = {"schemathesis": 0, "raw": 0}
    failures: list[str] = []

    # -- schemathesis: every safe operation, generated from the served schema -------------
    request = urllib.request.Request(
        phone.url + "/v1/openapi.json", headers={"Authorization": f"Bearer {phone.token}"}
    )
    with urllib.request.urlopen(request, timeout=10) as r:
        schema = schemathesis.openapi.from_dict(json.loads(r.read()))
    schema.config.update(base_url=phone.url)
    auth = {"Authorization": f"Bearer {phone.token}"}
    for op in schema.get_all_operations():
        operation = op.ok()
        if operation.path.rsplit("/", 1)[-1] in _UNSAFE:
            continue

        @settings(
            max_examples=SCHEMATHESIS_EXAMPLES,
            deadline=None,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def check(case: Any) -> None:
            counts["schemathesis"] += 1
            response = case.call(headers=auth, timeout=10)
            if response.status_code >= 500:
                failures.append(f"{case.path}: {response.status_code} {response.text}")
            case.validate_response(response)

        check()

    # -- raw HTTP: hostile Host headers, junk headers, torn and nested bodies ------------
    allowed = {f"127.0.0.1:{port}", f"localhost:{port}"}
    schemathesis_seconds = time.monotonic() - started
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    for _ in range(RAW_CASES):
        counts["raw"] += 1
        data, host = hostile_request(rng, port, phone.token)
        answer = _exchange(port, data)
        if answer.startswith(b"HTTP/1.1 5"):
            failures.append(f"seed {seed}: {answer[:300]!r} for {data[:300]!r}")
        if answer.startswith(b"HTTP/1.1 200") and host.lower() not in allowed:
            failures.append(f"seed {seed}: answered a foreign Host {host!r}: {answer[:200]!r}")
    # the half-open connections are closed by now (or within the header timeout)
    deadline = started + HEADER_TIMEOUT + 5
    for s in half_open:
        s.settimeout(max(deadline - time.monotonic(), 0.1))
        try:
            assert s.recv(1) == b"", "a half-open connection got data"
        except ConnectionResetError:
            pass
        except TimeoutError:
            failures.append("a half-open connection outlived the header timeout")
        s.close()
    seconds = time.monotonic() - started
    total = counts["schemathesis"] + counts["raw"]
    record(
        "control API (schemathesis + raw HTTP)",
        total,
        crashes=len(failures),
        note=f"{seconds:.0f} s; schemathesis {counts['schemathesis']} "
        f"({schemathesis_seconds:.0f} s), raw {counts['raw']}",
    )
    assert failures == [], failures[:5]
    assert counts["raw"] >= 2000 and counts["schemathesis"] >= 200, counts
    assert phone.process.poll() is None
    assert phone.state()["calls"] == []
    assert _rss_kib(phone.process.pid) - rss_before < 64 * 1024
