"""Send pushes with aioapns to real APNs (sandbox or production) or to the emulator.

aioapns has no host parameter: for the emulator the pool gets a protocol subclass with
``APNS_SERVER``/``APNS_PORT`` changed and an SSL context trusting the emulator's CA.
Sends are bounded by ``asyncio.wait_for``; 429/500/503 and connection failures are
retried with exponential backoff (the same apns-id each time).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import ssl
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from aioapns import APNs, NotificationRequest, PushType
from aioapns.connection import (
    APNsDevelopmentClientProtocol,
    APNsProductionClientProtocol,
    APNsTLSClientProtocol,
)
from aioapns.exceptions import ConnectionClosed, MaxAttemptsExceeded
from h2.config import H2Configuration
from h2.connection import H2Connection

log = logging.getLogger(__name__)

__all__ = ["ApnsCredentials", "ApnsSender", "EmulatorEndpoint", "SendResult", "SenderError"]

Environment = Literal["sandbox", "production"]
RETRYABLE = frozenset({429, 500, 503})
#: The largest body one stream carries before the server's first WINDOW_UPDATE (HTTP/2's
#: default initial window). APNs takes 5120 bytes at most: a bigger body is answered 413
#: here, with Apple's reason, instead of being sent.
MAX_SENDABLE = 65_535


class SenderError(ValueError):
    """The sender cannot be set up (missing or unreadable credentials)."""


@dataclass(frozen=True)
class EmulatorEndpoint:
    """The emulator's APNs endpoint: host, port and the CA file to trust."""

    host: str
    port: int
    ca_path: Path


@dataclass(frozen=True)
class ApnsCredentials:
    """Token auth (.p8 key, key id, team id) or certificate auth (PEM cert + key)."""

    key_file: Path | None = None
    key_id: str = ""
    team_id: str = ""
    cert_file: Path | None = None

    def check(self) -> None:
        if self.cert_file is not None:
            if self.key_file is not None:
                raise SenderError("give a .p8 key or a certificate, not both")
            if not Path(self.cert_file).is_file():
                raise SenderError(f"certificate file {self.cert_file} does not exist")
            return
        if self.key_file is None or not self.key_id or not self.team_id:
            raise SenderError("token auth needs --key-file, --key-id and --team-id")
        if not Path(self.key_file).is_file():
            raise SenderError(f"key file {self.key_file} does not exist")


@dataclass(frozen=True)
class SendResult:
    """APNs' answer: status (0 if none came), Apple's reason, apns-id, apns-unique-id."""

    status: int
    reason: str
    apns_id: str
    unique_id: str = ""
    timestamp: int | None = None
    attempts: int = 1
    elapsed: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == 200

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "reason": self.reason,
            "apns_id": self.apns_id,
            "unique_id": self.unique_id,
            "timestamp": self.timestamp,
            "attempts": self.attempts,
            "elapsed_ms": round(self.elapsed * 1000, 2),
        }


async def _quiet(request: NotificationRequest, result: Any) -> None:
    """Errors are returned in :class:`SendResult`, not logged by aioapns."""


def _protocol_class(
    environment: Environment, emulator: EmulatorEndpoint | None, unique_ids: dict[str, str]
) -> type[APNsTLSClientProtocol]:
    base: type[APNsTLSClientProtocol] = (
        APNsDevelopmentClientProtocol if environment == "sandbox" else APNsProductionClientProtocol
    )

    class Protocol(base):  # type: ignore[valid-type,misc]
        if emulator is not None:
            APNS_SERVER = emulator.host
            APNS_PORT = emulator.port

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            if emulator is not None:
                # Loopback only: let HPACK index the (unchanging) provider token instead of
                # re-sending it Huffman-coded on every stream. Real APNs keeps h2's default.
                config = H2Configuration(
                    client_side=True,
                    normalize_outbound_headers=False,
                    validate_outbound_headers=False,
                    validate_inbound_headers=False,
                )
                self.conn = H2Connection(config=config)
            _send_in_frames(self.conn)

        def on_response_received(self, headers: dict[bytes, bytes]) -> None:
            unique = headers.get(b"apns-unique-id")
            if unique:
                unique_ids[headers.get(b"apns-id", b"").decode()] = unique.decode()
            super().on_response_received(headers)

    return Protocol


def _send_in_frames(conn: H2Connection) -> None:
    """aioapns sends a body as one DATA frame: over the peer's frame size (16 KB) h2
    raises FrameTooLargeError. Split it into frames so APNs can answer (413)."""
    send_data = conn.send_data

    def chunked(stream_id: int, data: bytes, end_stream: bool = False, **kw: Any) -> None:
        size = conn.max_outbound_frame_size
        view = memoryview(data)
        while len(view) > size:
            send_data(stream_id, bytes(view[:size]), end_stream=False)
            view = view[size:]
        send_data(stream_id, bytes(view), end_stream=end_stream, **kw)

    conn.send_data = chunked  # type: ignore[method-assign,assignment]


class ApnsSender:
    """An aioapns client for one app (bundle id) and one environment."""

    def __init__(
        self,
        bundle_id: str,
        credentials: ApnsCredentials,
        environment: Environment = "sandbox",
        emulator: EmulatorEndpoint | None = None,
        timeout: float = 10.0,
        retries: int = 3,
        backoff: float = 0.5,
        max_connections: int = 1,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if environment not in ("sandbox", "production"):
            raise SenderError(f"environment {environment!r} is not sandbox or production")
        credentials.check()
        self.bundle_id = bundle_id.removesuffix(".voip")
        self.credentials = credentials
        self.environment: Environment = environment
        self.emulator = emulator
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_connections = max_connections
        self._sleep = sleep
        self._client: APNs | None = None
        self._unique_ids: dict[str, str] = {}

    def _ssl_context(self) -> ssl.SSLContext:
        if self.emulator is not None:
            return ssl.create_default_context(cafile=str(self.emulator.ca_path))
        return ssl.create_default_context()

    def _get_client(self) -> APNs:
        if self._client is not None:
            return self._client
        creds = self.credentials
        common: dict[str, Any] = {
            "topic": self.bundle_id,
            "use_sandbox": self.environment == "sandbox",
            "ssl_context": self._ssl_context(),
            "max_connections": self.max_connections,
            "max_connection_attempts": 1,
            "err_func": _quiet,
        }
        if creds.cert_file is not None:
            client = APNs(client_cert=str(creds.cert_file), **common)
        else:
            assert creds.key_file is not None
            client = APNs(
                key=Path(creds.key_file).read_text(),
                key_id=creds.key_id,
                team_id=creds.team_id,
                **common,
            )
        client.pool.protocol_class = _protocol_class(
            self.environment, self.emulator, self._unique_ids
        )
        self._client = client
        return client

    async def send_voip(
        self,
        token: str,
        payload: dict[str, Any],
        *,
        apns_id: str | None = None,
        ttl: int | None = None,
        collapse_id: str | None = None,
    ) -> SendResult:
        """A VoIP push (push type voip, topic ``<bundle>.voip``, priority 10)."""
        return await self.send(
            token, payload, push_type="voip", apns_id=apns_id, ttl=ttl, collapse_id=collapse_id
        )

    async def send(
        self,
        token: str,
        payload: dict[str, Any],
        *,
        push_type: str = "voip",
        priority: int = 10,
        apns_id: str | None = None,
        ttl: int | None = None,
        collapse_id: str | None = None,
        topic: str | None = None,
    ) -> SendResult:
        """Send one push; retries 429/500/503 and connection failures with backoff.

        ``ttl`` seconds from now becomes ``apns-expiration`` (None: no header)."""
        kind = PushType(push_type)
        if topic is None:
            topic = self.bundle_id + (".voip" if kind is PushType.VOIP else "")
        apns_id = apns_id or str(uuid.uuid4())
        size = len(json.dumps(payload, ensure_ascii=False).encode())
        if size > MAX_SENDABLE:
            log.info("push %s: %d bytes is over any APNs limit, not sent", apns_id, size)
            return SendResult(413, "PayloadTooLarge", apns_id, attempts=0)
        client = self._get_client()
        start = time.perf_counter()
        attempt = 0
        result = SendResult(0, "NotSent", apns_id)
        while attempt <= self.retries:
            attempt += 1
            request = NotificationRequest(
                device_token=token,
                message=payload,
                notification_id=apns_id,
                time_to_live=ttl,
                priority=priority,
                collapse_key=collapse_id,
                push_type=kind,
                apns_topic=topic,
            )
            try:
                answer = await asyncio.wait_for(client.send_notification(request), self.timeout)
                status = int(answer.status or 0)
                result = SendResult(
                    status,
                    answer.description or "",
                    answer.notification_id,
                    self._unique_ids.pop(answer.notification_id, ""),
                    answer.timestamp,
                    attempt,
                    time.perf_counter() - start,
                )
            except asyncio.TimeoutError:
                result = SendResult(
                    0, "Timeout", apns_id, attempts=attempt, elapsed=time.perf_counter() - start
                )
            except (ConnectionError, ConnectionClosed, MaxAttemptsExceeded, OSError) as exc:
                result = SendResult(
                    0,
                    f"ConnectionError: {exc!r}",
                    apns_id,
                    attempts=attempt,
                    elapsed=time.perf_counter() - start,
                )
            if result.status != 0 and result.status not in RETRYABLE:
                return result
            if attempt <= self.retries:
                delay = self.backoff * (2 ** (attempt - 1))
                log.info(
                    "push %s: %s %s, retry in %.1f s", apns_id, result.status, result.reason, delay
                )
                await self._sleep(delay)
        return result

    async def close(self) -> None:
        if self._client is not None:
            with contextlib.suppress(Exception):
                self._client.pool.close()
            self._client = None
            await asyncio.sleep(0)

    async def __aenter__(self) -> ApnsSender:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
