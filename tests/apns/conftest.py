"""Fixtures: an emulator on free loopback ports, a provider key, a registered device."""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import h2.config
import h2.connection
import h2.errors
import h2.events
import h2.exceptions
import jwt
import pytest

from softphone.apns.emulator import ApnsEmulator, DeviceChannelClient, EmulatorInfo
from softphone.apns.sender import ApnsCredentials, ApnsSender, EmulatorEndpoint

TEAM = "ABCDE12345"
KID = "KEY1234567"
BUNDLE = "com.example.softphone"
TOKEN = "ab" * 32


class MutableClock:
    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


@dataclass
class Lab:
    emulator: ApnsEmulator
    info: EmulatorInfo
    key_file: Path
    device: DeviceChannelClient
    clock: MutableClock
    pushes: list[dict[str, Any]] = field(default_factory=list)
    senders: list[ApnsSender] = field(default_factory=list)

    def sender(
        self,
        environment: str = "sandbox",
        bundle: str = BUNDLE,
        team: str = TEAM,
        kid: str = KID,
        key_file: Path | None = None,
        cert_file: Path | None = None,
        **kw: Any,
    ) -> ApnsSender:
        creds = (
            ApnsCredentials(cert_file=cert_file)
            if cert_file
            else ApnsCredentials(key_file or self.key_file, kid, team)
        )
        endpoint = EmulatorEndpoint(
            self.info.host, self.info.port_for(environment), self.info.ca_path
        )  # type: ignore[arg-type]
        kw.setdefault("timeout", 5.0)
        kw.setdefault("retries", 0)
        s = ApnsSender(bundle, creds, environment, endpoint, **kw)  # type: ignore[arg-type]
        self.senders.append(s)
        return s

    async def wait_pushes(self, n: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while len(self.pushes) < n and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
        return self.pushes


@pytest.fixture
async def lab(tmp_path: Path) -> AsyncIterator[Lab]:
    clock = MutableClock()
    emulator = ApnsEmulator(tmp_path / "apns", clock=clock)
    info = await emulator.start()
    key_file = emulator.create_key(TEAM, KID)
    pushes: list[dict[str, Any]] = []
    device = DeviceChannelClient(info.host, info.device_port, pushes.append, info.device_secret)
    await device.connect()
    await device.register(TOKEN, BUNDLE, "sandbox")
    the_lab = Lab(emulator, info, key_file, device, clock, pushes)
    try:
        yield the_lab
    finally:
        for s in the_lab.senders:
            await s.close()
        await device.close()
        await emulator.stop()


def make_jwt(key_file: Path, team: str = TEAM, kid: str = KID, iat: float | None = None) -> str:
    return jwt.encode(
        {"iss": team, "iat": int(time.time() if iat is None else iat)},
        key_file.read_text(),
        algorithm="ES256",
        headers={"kid": kid},
    )


async def raw_h2(
    info: EmulatorInfo,
    headers: list[tuple[str, str]],
    body: bytes = b"",
    method: str = "POST",
    path: str = f"/3/device/{TOKEN}",
    environment: str = "sandbox",
    timeout: float = 5.0,
) -> tuple[int, dict[str, str], bytes]:
    """One HTTP/2 request over TLS with any headers (what aioapns would never send)."""
    ctx = ssl.create_default_context(cafile=str(info.ca_path))
    ctx.set_alpn_protocols(["h2"])
    reader, writer = await asyncio.wait_for(
        asyncio.open_connection(info.host, info.port_for(environment), ssl=ctx),
        timeout,  # type: ignore[arg-type]
    )
    conn = h2.connection.H2Connection(
        h2.config.H2Configuration(client_side=True, header_encoding="utf-8")
    )
    conn.initiate_connection()
    writer.write(conn.data_to_send())
    # take the server's SETTINGS first so the flow-control window is known
    conn.receive_data(await asyncio.wait_for(reader.read(65536), timeout))
    writer.write(conn.data_to_send())
    sid = conn.get_next_available_stream_id()
    pseudo = [
        (":method", method),
        (":scheme", "https"),
        (":path", path),
        (":authority", "localhost"),
    ]
    conn.send_headers(sid, pseudo + headers, end_stream=not body)
    view = memoryview(body)
    while view:
        size = min(len(view), conn.max_outbound_frame_size, conn.local_flow_control_window(sid))
        conn.send_data(sid, bytes(view[:size]), end_stream=size == len(view))
        view = view[size:]
        writer.write(conn.data_to_send())
    writer.write(conn.data_to_send())
    status, got, data = 0, {}, b""
    try:
        while True:
            chunk = await asyncio.wait_for(reader.read(65536), timeout)
            if not chunk:
                break
            done = False
            for event in conn.receive_data(chunk):
                if isinstance(event, h2.events.ResponseReceived):
                    got = {str(k): str(v) for k, v in event.headers}
                    status = int(got[":status"])
                elif isinstance(event, h2.events.DataReceived):
                    data += event.data
                    conn.acknowledge_received_data(event.flow_controlled_length, sid)
                elif isinstance(event, h2.events.StreamEnded):
                    done = True
            writer.write(conn.data_to_send())
            if done:
                break
    finally:
        writer.close()
    return status, got, data


async def flood_h2(
    host: str,
    port: int,
    ca_path: Path,
    streams: int = 1000,
    body_size: int = 64 * 1024,
    timeout: float = 60.0,
) -> tuple[asyncio.StreamWriter, dict[str, int]]:
    """A hostile client: ``streams`` POSTs, each sending ``body_size`` bytes and never
    ending. Returns the open connection (the caller closes it) and what the server did:
    ``opened`` streams, ``refused`` (RST_STREAM REFUSED_STREAM), ``goaway``."""
    ctx = ssl.create_default_context(cafile=str(ca_path))
    ctx.set_alpn_protocols(["h2"])
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port, ssl=ctx), 10)
    conn = h2.connection.H2Connection(
        h2.config.H2Configuration(client_side=True, header_encoding="utf-8")
    )
    conn.initiate_connection()
    writer.write(conn.data_to_send())
    seen = {"opened": 0, "refused": 0, "goaway": 0}
    deadline = time.monotonic() + timeout

    async def pump(wait: float) -> None:
        try:
            chunk = await asyncio.wait_for(reader.read(1 << 20), wait)
        except asyncio.TimeoutError:
            return
        if not chunk:
            seen["goaway"] += 1
            raise ConnectionError("closed by the server")
        for event in conn.receive_data(chunk):
            if isinstance(event, h2.events.StreamReset):
                seen["refused"] += int(event.error_code == h2.errors.ErrorCodes.REFUSED_STREAM)
            elif isinstance(event, h2.events.ConnectionTerminated):
                seen["goaway"] += 1
        writer.write(conn.data_to_send())

    await pump(5.0)  # the server's SETTINGS
    headers = [
        (":method", "POST"),
        (":scheme", "https"),
        (":path", f"/3/device/{TOKEN}"),
        (":authority", "localhost"),
        ("apns-push-type", "voip"),
    ]
    try:
        for _ in range(streams):
            if conn.open_outbound_streams >= conn.remote_settings.max_concurrent_streams:
                break
            sid = conn.get_next_available_stream_id()
            conn.send_headers(sid, headers)
            seen["opened"] += 1
            left = body_size
            while left and time.monotonic() < deadline:
                try:
                    room = min(conn.local_flow_control_window(sid), conn.max_outbound_frame_size)
                except h2.exceptions.StreamClosedError:
                    break  # refused by the server
                if room <= 0:
                    await writer.drain()
                    await pump(0.05)
                    continue
                size = min(room, left)
                try:
                    conn.send_data(sid, b"x" * size)
                except h2.exceptions.StreamClosedError:
                    break  # refused while we were sending
                left -= size
            writer.write(conn.data_to_send())
            await writer.drain()
            await pump(0.0005)
        await pump(0.2)
    except ConnectionError:
        pass
    return writer, seen
