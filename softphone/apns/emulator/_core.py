"""The APNs request rules, sans I/O: one request in, Apple's status and reason out.

The HTTP/2 server feeds requests here; tests and the fuzzer can call it directly.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from ._auth import ProviderAuthError, ProviderKey, TokenCache

__all__ = [
    "ApnsCore",
    "ApnsRequest",
    "ApnsResponse",
    "DeviceRecord",
    "Environment",
    "Fault",
    "H2Limits",
    "Push",
    "RecordedRequest",
]

Environment = Literal["sandbox", "production"]
PUSH_TYPES = frozenset(
    {
        "alert",
        "background",
        "voip",
        "complication",
        "fileprovider",
        "mdm",
        "liveactivity",
        "location",
        "pushtotalk",
        "widgets",
        "controls",
    }
)
VOIP_LIMIT = 5120
DEFAULT_LIMIT = 4096
BODY_CAP = VOIP_LIMIT  # bytes kept of a request body; the rest is counted, not stored
_PATH_RE = re.compile(r"^/3/device/(?P<token>[^/?#]*)$")
_TOKEN_RE = re.compile(r"^[0-9a-fA-F]{64}$")
_TOPIC_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-_]{0,254}$")
_SINGLE = (
    "apns-push-type",
    "apns-topic",
    "apns-priority",
    "apns-expiration",
    "apns-id",
    "apns-collapse-id",
    "authorization",
)


@dataclass
class H2Limits:
    """What one client connection may hold: open streams (SETTINGS_MAX_CONCURRENT_STREAMS,
    as APNs advertises) and request-body bytes buffered across its open streams; a stream
    that would pass the byte cap is reset with REFUSED_STREAM. The counters are the
    emulator's, across its connections."""

    max_streams: int = 1000
    connection_buffer: int = 256 * 1024
    buffered: int = 0  # body bytes held now, all connections
    refused: int = 0  # streams refused for the byte cap
    connections: int = 0


@dataclass(frozen=True)
class ApnsRequest:
    method: str
    path: str
    headers: Sequence[tuple[str, str]]
    body: bytes
    environment: Environment
    body_length: int = -1  # real length when the body was capped
    client_cert: tuple[str, bool] | None = None  # (bundle id, sandbox only)

    @property
    def length(self) -> int:
        return self.body_length if self.body_length >= 0 else len(self.body)


@dataclass(frozen=True)
class ApnsResponse:
    status: int
    apns_id: str
    reason: str = ""
    unique_id: str = ""
    timestamp: int | None = None

    def body(self) -> bytes:
        if self.status == 200:
            return b""
        doc: dict[str, Any] = {"reason": self.reason}
        if self.timestamp is not None:
            doc["timestamp"] = self.timestamp
        return json.dumps(doc).encode()


@dataclass(frozen=True)
class Push:
    """A push accepted by the emulator, on its way to a device."""

    apns_id: str
    unique_id: str
    token: str
    topic: str
    push_type: str
    priority: int
    expiration: int | None
    collapse_id: str | None
    payload: dict[str, Any]
    environment: Environment
    received_at: float

    def to_json(self) -> dict[str, Any]:
        return {
            "op": "push",
            "apns_id": self.apns_id,
            "unique_id": self.unique_id,
            "token": self.token,
            "topic": self.topic,
            "push_type": self.push_type,
            "priority": self.priority,
            "expiration": self.expiration,
            "collapse_id": self.collapse_id,
            "payload": self.payload,
            "environment": self.environment,
            "received_at": self.received_at,
        }


@dataclass
class DeviceRecord:
    """A device token registered by a phone (through the device channel)."""

    token: str
    topic: str  # the app's bundle id
    environment: Environment
    unregistered_at: int | None = None  # ms, for 410 Unregistered
    voip: bool = True  # a PushKit VoIP token (topic ``<bundle>.voip``), else a remote one

    @property
    def apns_topic(self) -> str:
        """The only ``apns-topic`` this token takes (Apple: ``<bundle>.voip`` for VoIP)."""
        return self.topic + (".voip" if self.voip else "")


@dataclass(frozen=True)
class RecordedRequest:
    at: float
    environment: Environment
    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body_length: int
    payload: Any
    status: int
    reason: str
    apns_id: str
    auth: str


@dataclass
class Fault:
    """Injected failure: the next ``count`` requests (for ``token`` or any) get it."""

    status: int
    reason: str
    count: int = 1
    token: str | None = None


class ApnsCore:
    """Apple's validation order and statuses, the device registry and the request log."""

    def __init__(
        self,
        deliver: Callable[[Push], None] = lambda _p: None,
        clock: Callable[[], float] = time.time,
        per_token_limit: int = 0,
        per_token_window: float = 1.0,
    ) -> None:
        self.deliver = deliver
        self.clock = clock
        self.keys: dict[str, ProviderKey] = {}
        self.tokens = TokenCache()
        self.devices: dict[tuple[Environment, str], DeviceRecord] = {}
        self.faults: list[Fault] = []
        self.requests: deque[RecordedRequest] = deque(maxlen=2_000)  # payloads: <= 10 MB
        self.listeners: list[Callable[[RecordedRequest], None]] = []
        self.per_token_limit = per_token_limit
        self.per_token_window = per_token_window
        self._recent: dict[str, deque[float]] = {}

    # -- registry ---------------------------------------------------------------------------
    def register_device(
        self, token: str, topic: str, environment: Environment, voip: bool = True
    ) -> DeviceRecord:
        """A device's token for app ``topic`` (bundle id): a PushKit VoIP token (``voip``,
        pushes on ``<bundle>.voip`` with push type voip only) or a remote-notification one."""
        if not _TOKEN_RE.match(token):
            raise ValueError(f"device token {token!r} is not 64 hex digits")
        if environment not in ("sandbox", "production"):
            raise ValueError(f"environment {environment!r} is not sandbox or production")
        record = DeviceRecord(token.lower(), topic.removesuffix(".voip"), environment, voip=voip)
        self.devices[(environment, record.token)] = record
        return record

    def unregister_device(self, token: str, environment: Environment) -> None:
        """The app was removed from the device: later pushes get 410 Unregistered."""
        record = self.devices.get((environment, token.lower()))
        if record is not None:
            record.unregistered_at = int(self.clock() * 1000)

    def subscribe(self, listener: Callable[[RecordedRequest], None]) -> Callable[[], None]:
        self.listeners.append(listener)
        return lambda: self.listeners.remove(listener) if listener in self.listeners else None

    # -- requests ---------------------------------------------------------------------------
    def handle(self, request: ApnsRequest) -> ApnsResponse:
        """Validate, authenticate and accept (or refuse) one request. Never raises."""
        apns_id = str(uuid.uuid4())
        payload: Any = None
        auth = ""
        try:
            response, payload, auth = self._handle(request, apns_id)
        except Exception as exc:  # an emulator bug must answer, not crash the connection
            response = ApnsResponse(500, apns_id, "InternalServerError")
            auth = f"error: {exc!r}"
        self._record(request, response, payload, auth)
        return response

    def _handle(self, req: ApnsRequest, apns_id: str) -> tuple[ApnsResponse, Any, str]:
        def fail(status: int, reason: str, **kw: Any) -> tuple[ApnsResponse, Any, str]:
            return ApnsResponse(status, apns_id, reason, **kw), None, auth

        auth = ""
        headers: dict[str, str] = {}
        for name, value in req.headers:
            hname = name.lower()
            if hname in headers and hname in _SINGLE:
                return fail(400, "DuplicateHeaders")
            headers[hname] = value
        given_id = headers.get("apns-id")
        if given_id is not None:
            try:
                apns_id = str(uuid.UUID(given_id))
            except ValueError:
                return fail(400, "BadMessageId")
            apns_id = given_id  # echo exactly what the client sent
        if req.method != "POST":
            return fail(405, "MethodNotAllowed")
        match = _PATH_RE.match(req.path)
        if match is None:
            return fail(404, "BadPath")
        token = match["token"]
        if not token:
            return fail(400, "MissingDeviceToken")
        # authentication
        now = self.clock()
        key: ProviderKey | None = None
        cert_bundle = ""
        if "authorization" in headers:
            try:
                key = self.tokens.verify(headers["authorization"], self.keys, now)
            except ProviderAuthError as exc:
                auth = f"jwt: {exc}"
                return fail(403, exc.reason)
            auth = f"jwt kid={key.key_id} team={key.team_id}"
        elif req.client_cert is not None:
            cert_bundle, sandbox_only = req.client_cert
            auth = f"cert {cert_bundle}"
            if not cert_bundle:
                return fail(403, "BadCertificate")
            if sandbox_only and req.environment != "sandbox":
                return fail(403, "BadCertificateEnvironment")
        else:
            return fail(403, "MissingProviderToken")
        # headers
        push_type = headers.get("apns-push-type", "alert")
        if push_type not in PUSH_TYPES:
            return fail(400, "InvalidPushType")
        topic = headers.get("apns-topic")
        if topic is None:
            if key is not None:
                return fail(400, "MissingTopic")
            topic = cert_bundle + (".voip" if push_type == "voip" else "")
        if not _TOPIC_RE.match(topic):
            return fail(400, "BadTopic")
        if push_type == "voip" and not topic.endswith(".voip"):
            return fail(400, "InvalidPushType")
        if push_type != "voip" and topic.endswith(".voip"):
            return fail(400, "TopicDisallowed")  # the .voip topic takes VoIP pushes only
        bundle = topic.removesuffix(".voip")
        if key is not None and key.topics and bundle not in key.topics:
            return fail(400, "TopicDisallowed")
        if cert_bundle and bundle != cert_bundle:
            return fail(400, "TopicDisallowed")
        priority_text = headers.get("apns-priority", "10")
        if priority_text not in ("10", "5", "1"):
            return fail(400, "BadPriority")
        expiration: int | None = None
        if "apns-expiration" in headers:
            try:
                expiration = int(headers["apns-expiration"])
            except ValueError:
                return fail(400, "BadExpirationDate")
            if expiration < 0:
                return fail(400, "BadExpirationDate")
        collapse = headers.get("apns-collapse-id")
        if collapse is not None and len(collapse.encode()) > 64:
            return fail(400, "BadCollapseId")
        # payload
        limit = VOIP_LIMIT if push_type == "voip" else DEFAULT_LIMIT
        if req.length > limit:
            return fail(413, "PayloadTooLarge")
        if req.length == 0:
            return fail(400, "PayloadEmpty")
        try:
            payload = json.loads(req.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            return fail(400, "PayloadEmpty")  # APNs: no usable JSON dictionary
        if not isinstance(payload, dict):
            return fail(400, "PayloadEmpty")
        # the device token
        if not _TOKEN_RE.match(token):
            return fail(400, "BadDeviceToken")
        record = self.devices.get((req.environment, token.lower()))
        if record is None:
            return fail(400, "BadDeviceToken")
        if record.unregistered_at is not None:
            return fail(410, "Unregistered", timestamp=record.unregistered_at)
        if topic != record.apns_topic:  # another app's token, or VoIP vs remote token
            return fail(400, "DeviceTokenNotForTopic")
        fault = self._take_fault(record.token)
        if fault is not None:
            return fail(fault.status, fault.reason)
        if self._rate_limited(record.token, now):
            return fail(429, "TooManyRequests")
        unique = str(uuid.uuid4()) if req.environment == "sandbox" else ""
        push = Push(
            apns_id,
            unique,
            record.token,
            topic,
            push_type,
            int(priority_text),
            expiration,
            collapse,
            payload,
            req.environment,
            now,
        )
        self.deliver(push)
        return ApnsResponse(200, apns_id, unique_id=unique), payload, auth

    def _take_fault(self, token: str) -> Fault | None:
        for fault in self.faults:
            if fault.token in (None, token) and fault.count > 0:
                fault.count -= 1
                if fault.count == 0:
                    self.faults.remove(fault)
                return fault
        return None

    def _rate_limited(self, token: str, now: float) -> bool:
        if self.per_token_limit <= 0:
            return False
        recent = self._recent.setdefault(token, deque())
        while recent and now - recent[0] > self.per_token_window:
            recent.popleft()
        if len(recent) >= self.per_token_limit:
            return True
        recent.append(now)
        return False

    def _record(self, req: ApnsRequest, resp: ApnsResponse, payload: Any, auth: str) -> None:
        shown = tuple(
            (k, "bearer <redacted>" if k.lower() == "authorization" else v[:200])
            for k, v in req.headers[:64]
        )
        entry = RecordedRequest(
            self.clock(),
            req.environment,
            req.method[:16],
            req.path[:300],
            shown,
            req.length,
            payload,
            resp.status,
            resp.reason,
            resp.apns_id,
            auth,
        )
        self.requests.append(entry)
        for listener in list(self.listeners):
            try:
                listener(entry)
            except Exception:  # a broken inspector must not break the emulator
                continue
