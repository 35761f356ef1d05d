"""Hypothesis over the real TLS/HTTP/2 endpoint: hostile headers (names, values, pseudo
headers) and bodies on a live connection. Every request gets an Apple status (never 500),
or a protocol-violating one closes the connection; the emulator keeps serving."""

from __future__ import annotations

import asyncio
import json
import random
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import h2.config
import h2.connection
import h2.events
import h2.exceptions
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from softphone.apns.emulator import ApnsEmulator, EmulatorInfo
from softphone.testing import RunningPhone
from tests.fuzz_counts import record

from . import _phone_fuzz as _fz
from .conftest import BUNDLE, KID, TEAM, TOKEN, make_jwt

pytestmark = pytest.mark.integration
ALLOWED = {200, 400, 403, 404, 405, 410, 413, 429}


class ClosedError(Exception):
    pass


class SyncH2:
    """A blocking HTTP/2 client that sends whatever it is given (no header checks)."""

    def __init__(self, info: EmulatorInfo) -> None:
        self.info = info
        self.conn: h2.connection.H2Connection | None = None
        self.sock: ssl.SSLSocket | None = None

    def _connect(self) -> None:
        ctx = ssl.create_default_context(cafile=str(self.info.ca_path))
        ctx.set_alpn_protocols(["h2"])
        raw = socket.create_connection((self.info.host, self.info.sandbox_port), timeout=5)
        self.sock = ctx.wrap_socket(raw, server_hostname="localhost")
        config = h2.config.H2Configuration(
            client_side=True,
            header_encoding="utf-8",
            validate_outbound_headers=False,
            normalize_outbound_headers=False,
            validate_inbound_headers=False,
        )
        self.conn = h2.connection.H2Connection(config)
        self.conn.initiate_connection()
        self.sock.sendall(self.conn.data_to_send())

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
        self.sock, self.conn = None, None

    def request(self, headers: list[tuple[str, str]], body: bytes) -> tuple[int, str]:
        if self.conn is None:
            self._connect()
        assert self.conn is not None and self.sock is not None
        sid = self.conn.get_next_available_stream_id()
        try:
            self.conn.send_headers(sid, headers, end_stream=not body)
            if body:
                self.conn.send_data(sid, body, end_stream=True)
            self.sock.sendall(self.conn.data_to_send())
            status, data = 0, b""
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise ClosedError()
                for event in self.conn.receive_data(chunk):
                    if isinstance(event, h2.events.ResponseReceived) and event.stream_id == sid:
                        status = int(dict(event.headers)[":status"])
                    elif isinstance(event, h2.events.DataReceived) and event.stream_id == sid:
                        data += event.data
                        self.conn.acknowledge_received_data(event.flow_controlled_length, sid)
                    elif isinstance(event, h2.events.StreamEnded) and event.stream_id == sid:
                        self.sock.sendall(self.conn.data_to_send())
                        reason = json.loads(data)["reason"] if data else ""
                        return status, reason
                    elif isinstance(event, (h2.events.StreamReset, h2.events.ConnectionTerminated)):
                        raise ClosedError()
                self.sock.sendall(self.conn.data_to_send())
        except (ClosedError, OSError, h2.exceptions.ProtocolError) as exc:
            self.close()
            raise ClosedError() from exc


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[ApnsEmulator, EmulatorInfo, Path]]:
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    emulator = ApnsEmulator(tmp_path_factory.mktemp("apns"))
    info = asyncio.run_coroutine_threadsafe(emulator.start(), loop).result(10)
    key = emulator.create_key(TEAM, KID)
    emulator.register_device(TOKEN, BUNDLE, "sandbox")
    try:
        yield emulator, info, key
    finally:
        asyncio.run_coroutine_threadsafe(emulator.stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()


good_names = st.sampled_from(
    [
        "apns-topic",
        "apns-push-type",
        "apns-priority",
        "apns-expiration",
        "apns-id",
        "apns-collapse-id",
        "authorization",
        "content-length",
        "x-any",
    ]
)
names = st.one_of(
    *[good_names] * 6,
    st.from_regex(r"[a-z][a-z0-9-]{0,15}", fullmatch=True),
    st.sampled_from([":path", ":method", "connection", "te", "Apns-Topic", "content-length"]),
    st.text(min_size=1, max_size=20),
)
good_values = st.sampled_from(
    [
        "voip",
        "alert",
        f"{BUNDLE}.voip",
        BUNDLE,
        "10",
        "5",
        "0",
        "-5",
        "",
        "a" * 70,
        "c2f3e8e0-1111-4222-8333-944444444444",
        "bearer e30.e30.e30",
    ]
)
values = st.one_of(
    *[good_values] * 4, st.from_regex(r"[!-~]{0,60}", fullmatch=True), st.text(max_size=60)
)
bodies = st.one_of(st.binary(max_size=400), st.sampled_from([b"{}", b'{"aps":{}}', b"[]", b"nul"]))


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.sampled_from(["POST"] * 8 + ["GET", "post", ""]),
    st.one_of(*[st.just(f"/3/device/{TOKEN}")] * 4, st.text(max_size=40)),
    st.lists(st.tuples(names, values), max_size=6),
    bodies,
    st.sampled_from([True, True, False]),
)
def test_hostile_requests_over_tls(
    served: tuple[ApnsEmulator, EmulatorInfo, Path],
    method: str,
    path: str,
    extra: list[tuple[str, str]],
    body: bytes,
    authed: bool,
) -> None:
    emulator, info, key = served
    client = SyncH2(info)
    headers = [
        (":method", method),
        (":scheme", "https"),
        (":path", path),
        (":authority", "localhost"),
    ]
    if authed:
        headers += [("authorization", f"bearer {make_jwt(key)}"), ("apns-push-type", "voip")]
    try:
        status, reason = client.request(headers + extra, body)
    except ClosedError:
        status, reason = -1, ""
    finally:
        client.close()
    if status != -1:
        assert status in ALLOWED, (status, reason)
        assert (status == 200) or reason
    # the emulator still answers a good request
    good = SyncH2(info)
    try:
        ok = good.request(
            [
                (":method", "POST"),
                (":scheme", "https"),
                (":path", f"/3/device/{TOKEN}"),
                (":authority", "localhost"),
                ("authorization", f"bearer {make_jwt(key)}"),
                ("apns-topic", f"{BUNDLE}.voip"),
                ("apns-push-type", "voip"),
            ],
            b"{}",
        )
    finally:
        good.close()
    assert ok == (200, "")
    assert all(r.status != 500 for r in emulator.requests)


# -- batteries against a running phone (its embedded emulator, through info.json) --------

RSS_GROWTH_MB = 30.0  # allowed RSS growth of the phone over a battery (after a warm-up)
BATTERY = 2000


def _phone_for_fuzz(softphone: Callable[..., RunningPhone]) -> tuple[RunningPhone, dict[str, Any]]:
    """A phone whose pushed calls fail fast (no INVITE within 1 s) and whose emulator has
    its provider key (made by a first push, which is then declined)."""
    phone = softphone()
    phone.inject("invite-timeout", options={"seconds": 1})
    assert phone.push(preset="flexisip", caller="Key maker", call=False)["status"] == 200
    phone.wait_for("call.incoming", timeout=10)
    assert _fz.wait_no_calls(phone) == []
    return phone, _fz.apns_info(phone)


def test_battery_hostile_apns_requests_against_a_phone(
    softphone: Callable[..., RunningPhone],
) -> None:
    """2,000 hostile requests (headers, provider tokens good and broken, bodies) to a
    phone's emulator: Apple statuses only (never 500), the phone lives, no call is left
    stuck, RSS grows less than RSS_GROWTH_MB."""
    phone, info = _phone_for_fuzz(softphone)
    token = phone.state()["push"]["token"]
    key_file = Path(info["ca_path"]).parent / "keys" / f"AuthKey_{_fz.KID}.p8"
    rng = random.Random(17)
    tokens = _fz.TokenMaker(key_file, rng)
    client = SyncH2(EmulatorInfo(info["host"], info["sandbox_port"], 0, 0, Path(info["ca_path"])))
    statuses: dict[int, int] = {}
    start, rss0 = time.monotonic(), 0.0
    try:
        for n in range(BATTERY):
            if n == 200:
                rss0 = _fz.rss_mb(phone.process.pid)
            headers, body = _fz.hostile_request(rng, token, "com.example.softphone", tokens)
            try:
                status, _ = client.request(headers, body)
            except ClosedError:
                status = -1  # a protocol-level refusal closed the connection
            statuses[status] = statuses.get(status, 0) + 1
    finally:
        client.close()
    elapsed = time.monotonic() - start
    grown = _fz.rss_mb(phone.process.pid) - rss0
    crashes = int(phone.process.poll() is not None)
    record("APNs requests vs phone", BATTERY, crashes=crashes, note=f"{elapsed:.0f} s, "
           f"RSS +{grown:.1f} MB, statuses {dict(sorted(statuses.items()))}")  # fmt: skip
    assert crashes == 0
    assert set(statuses) <= ALLOWED | {-1}, statuses
    assert _fz.wait_no_calls(phone) == []
    assert grown < RSS_GROWTH_MB, f"RSS grew {grown:.1f} MB"
    assert phone.push(preset="flexisip", caller="After", call=False)["status"] == 200


def test_battery_hostile_http2_frames_against_a_phone(
    softphone: Callable[..., RunningPhone],
) -> None:
    """2,000 random HTTP/2 frames (types, flags, stream ids, lengths, SETTINGS values):
    the phone lives, its emulator still answers, no stuck call, RSS bounded."""
    phone, info = _phone_for_fuzz(softphone)
    rng = random.Random(1717)
    _fz.send_frames(info, lambda: _fz.random_frames(rng), 200)  # warm-up
    rss0, start = _fz.rss_mb(phone.process.pid), time.monotonic()
    conns = _fz.send_frames(info, lambda: _fz.random_frames(rng), BATTERY)
    elapsed = time.monotonic() - start
    grown = _fz.rss_mb(phone.process.pid) - rss0
    crashes = int(phone.process.poll() is not None)
    record("HTTP/2 frames vs phone", BATTERY, crashes=crashes,
           note=f"{conns} connections, {elapsed:.0f} s, RSS +{grown:.1f} MB")  # fmt: skip
    assert crashes == 0
    assert _fz.wait_no_calls(phone) == []
    assert grown < RSS_GROWTH_MB, f"RSS grew {grown:.1f} MB"
    assert phone.push(preset="flexisip", caller="After", call=False)["status"] == 200
