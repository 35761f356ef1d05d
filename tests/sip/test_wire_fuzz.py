"""The SIP wire fuzz battery: thousands of lying, broken and confusing messages to a phone.

A real headless phone (its own process) gets >= 2,000 generated messages on its UDP (and
some on its TCP) SIP port: valid requests with mutations (tests/sip/wirefuzz.py), stray
responses, and requests inside the early dialogs of INVITEs it is ringing for. Asserted:
the process never dies, ``state`` keeps answering, no call is left once every INVITE is
cancelled, and its memory stays bounded. The seed is printed with the count; set
``SOFTPHONE_FUZZ_SEED`` to replay a run.
"""

from __future__ import annotations

import contextlib
import os
import random
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from softphone.testing import RunningPhone, start_phone, stop_phone
from tests.fuzz_counts import record
from tests.sip.wirefuzz import DialogMutator, Message, Target, mutate, request, response

MESSAGES = 2400
RSS_GROWTH_LIMIT_MB = 120  # PJSIP keeps each transaction 32 s (timer J); the rest must be flat

SETTINGS = """
[calls]
unanswered_timeout = 5.0
media_timeout = 0.0
"""


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def _port(addr: str) -> int:
    return int(addr.rsplit(":", 1)[1])


@pytest.fixture
def phone(tmp_path: Path) -> Iterator[RunningPhone]:
    p = start_phone(tmp_path / "home", "fuzz", settings_toml=SETTINGS, timeout=60)
    try:
        yield p
    finally:
        stop_phone(p)  # SIGTERM: a crash while stopping fails the test too


def _alive(phone: RunningPhone, sent: list[bytes], seed: int) -> None:
    rc = phone.process.poll()
    if rc is not None:
        last = b"\n----\n".join(sent[-3:]).decode(errors="replace")[-3000:]
        log = phone.log_path.read_text(errors="replace")
        why = [ln for ln in log.splitlines()
               if any(w in ln for w in ("Assertion", "Fatal Python", "terminate", "Segmentation"))]
        raise AssertionError(f"the phone died (exit {rc}) after {len(sent)} messages"
                             f" (SOFTPHONE_FUZZ_SEED={seed}): {why}"
                             f"\nlast sent:\n{last}\nlog:\n{log[-1500:]}")


def _drain(sock: socket.socket, dialogs: DialogMutator) -> int:
    n = 0
    while True:
        try:
            data = sock.recv(65535)
        except (BlockingIOError, InterruptedError):
            return n
        except OSError:
            return n
        dialogs.heard(data)
        n += 1


def _send_tcp(host: str, port: int, data: bytes) -> None:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=1) as s:
        s.sendall(data)


@pytest.mark.integration
@pytest.mark.slow
def test_phone_survives_the_wire_fuzz_battery(phone: RunningPhone) -> None:
    """>= 2,000 generated SIP messages: the phone lives, ends every call, stays bounded."""
    seed = int(os.environ.get("SOFTPHONE_FUZZ_SEED") or random.randrange(2**32))
    rng = random.Random(seed)
    state = phone.state()
    udp_port, tcp_port = _port(state["sip"]["udp"]), _port(state["sip"].get("tcp") or ":0")
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.setblocking(False)
    target = Target("127.0.0.1", udp_port, "127.0.0.1", sock.getsockname()[1])
    tcp_target = Target("127.0.0.1", tcp_port, "127.0.0.1", sock.getsockname()[1], "TCP")
    dialogs = DialogMutator()
    rss_before = _rss_mb(phone.process.pid)
    sent: list[bytes] = []
    heard = mutated = over_tcp = 0
    try:
        for i in range(MESSAGES):
            roll = rng.random()
            msg: Message | None
            if roll < 0.12:
                msg = dialogs.invite(rng, target)
            elif roll < 0.27:
                msg = dialogs.confuse(rng, target) or request(rng, "OPTIONS", target)
            elif roll < 0.35:
                msg = response(rng, target)
            else:
                msg = request(rng, rng.choice(("INVITE", "OPTIONS", "BYE", "CANCEL", "ACK",
                                               "REGISTER", "SUBSCRIBE", "NOTIFY", "INFO",
                                               "MESSAGE", "UPDATE", "REFER", "PRACK",
                                               "PUBLISH")), target)
                for _ in range(rng.choice((0, 1, 1, 1, 2, 3))):
                    mutate(rng, msg)
                    mutated += 1
            data = msg.encode()
            if tcp_port and rng.random() < 0.04:
                _send_tcp("127.0.0.1", tcp_port, data.replace(
                    f"{target.port}".encode(), f"{tcp_target.port}".encode(), 1))
                over_tcp += 1
            else:
                with contextlib.suppress(OSError):
                    sock.sendto(data, ("127.0.0.1", udp_port))
            sent.append(data)
            time.sleep(0.004)  # ~200 messages/s: a flood is the guard's own test
            heard += _drain(sock, dialogs)
            if i % 200 == 199:
                _alive(phone, sent, seed)
                phone.state()  # the control API still answers
        # End every call we started: cancel the INVITEs still ringing.
        deadline = time.monotonic() + 60
        while True:
            heard += _drain(sock, dialogs)
            for c in dialogs.cancels(rng, target):
                with contextlib.suppress(OSError):
                    sock.sendto(c.encode(), ("127.0.0.1", udp_port))
            _alive(phone, sent, seed)
            calls = phone.state()["calls"]
            if not calls:
                break
            assert time.monotonic() < deadline, f"calls left after the battery: {calls}"
            time.sleep(0.5)
        growth = _rss_mb(phone.process.pid) - rss_before
        assert growth < RSS_GROWTH_LIMIT_MB, f"RSS grew {growth:.0f} MB over the battery"
    finally:
        sock.close()
    _alive(phone, sent, seed)
    record(
        "SIP wire (UDP/TCP to the phone)",
        len(sent),
        crashes=0,
        note=f"seed {seed}, {mutated} mutations, {over_tcp} over TCP, "
        f"{len(dialogs.dialogs)} INVITE dialogs, {heard} responses, RSS +{growth:.0f} MB",
    )
    assert len(sent) >= 2000
