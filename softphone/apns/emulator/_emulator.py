"""The embedded/standalone APNs emulator: two TLS HTTP/2 endpoints (sandbox, production),
the device channel, provider keys and certificates, faults and the request log."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._auth import ProviderKey
from ._certs import CertFiles, ensure_server_certs, issue_client_cert, server_ssl_context
from ._core import ApnsCore, Environment, Fault, H2Limits, Push, RecordedRequest
from ._devices import DeviceChannelServer
from ._files import secure_state_dir, write_private

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import ec

__all__ = ["ApnsEmulator", "EmulatorInfo"]


@dataclass(frozen=True)
class EmulatorInfo:
    """Where the emulator listens and the CA clients must trust."""

    host: str
    sandbox_port: int
    production_port: int
    device_port: int
    ca_path: Path
    device_secret: str = field(default="", repr=False)  # the device channel's secret
    device_secret_file: Path | None = None

    def port_for(self, environment: Environment) -> int:
        return self.sandbox_port if environment == "sandbox" else self.production_port

    def to_json(self) -> dict[str, Any]:
        return {
            "host": self.host,
            "sandbox_port": self.sandbox_port,
            "production_port": self.production_port,
            "device_port": self.device_port,
            "ca_path": str(self.ca_path),
            "device_secret_file": str(self.device_secret_file or ""),
        }


def _h2_protocol(core: ApnsCore, environment: Environment, limits: H2Limits) -> asyncio.Protocol:
    """A connection's protocol (h2 is imported by the first connection, not at start)."""
    from ._h2server import ApnsH2Protocol

    return ApnsH2Protocol(core, environment, limits)


class ApnsEmulator:
    """An APNs-compatible server for tests, the embedded app and ``softphone apns-emulator``."""

    def __init__(
        self,
        state_dir: Path,
        host: str = "127.0.0.1",
        sandbox_port: int = 0,
        production_port: int = 0,
        device_port: int = 0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError(f"the emulator listens on loopback only, not {host!r}")
        self.state_dir = Path(state_dir)
        self.host = host
        self._ports = (sandbox_port, production_port, device_port)
        self.core = ApnsCore(clock=clock)
        self.h2_limits = H2Limits()
        secure_state_dir(self.state_dir)
        self.device_secret_file = self.state_dir / "device-channel.secret"
        self.devices = DeviceChannelServer(self.core, clock, self._device_secret())
        self.core.deliver = self.devices.deliver
        self.certs: CertFiles = ensure_server_certs(self.state_dir)
        self._servers: list[asyncio.base_events.Server] = []
        self.info: EmulatorInfo | None = None
        self._load_keys()

    # -- lifecycle --------------------------------------------------------------------------
    async def start(self) -> EmulatorInfo:
        ctx = server_ssl_context(
            str(self.certs.server_cert), str(self.certs.server_key), str(self.certs.ca_cert)
        )
        loop = asyncio.get_running_loop()
        ports: list[int] = []
        for env, port in (("sandbox", self._ports[0]), ("production", self._ports[1])):
            server = await loop.create_server(
                lambda e=env: _h2_protocol(self.core, e, self.h2_limits),  # type: ignore[misc]
                self.host,
                port,
                ssl=ctx,
            )
            self._servers.append(server)
            ports.append(int(server.sockets[0].getsockname()[1]))
        device_port = await self.devices.start(self.host, self._ports[2])
        self.info = EmulatorInfo(
            self.host,
            ports[0],
            ports[1],
            device_port,
            self.certs.ca_cert,
            self.devices.secret,
            self.device_secret_file,
        )
        write_private(self.state_dir / "info.json", json.dumps(self.info.to_json(), indent=2))
        return self.info

    def _device_secret(self) -> str:
        """The device channel's secret: kept in the state dir (0600) so devices of a
        standalone emulator can read it; made once."""
        try:
            secret = self.device_secret_file.read_text().strip()
        except FileNotFoundError:
            secret = ""
        if len(secret) < 32:
            secret = secrets.token_urlsafe(32)
            write_private(self.device_secret_file, secret + "\n")
        return secret

    async def stop(self) -> None:
        if self.info is not None:
            (self.state_dir / "info.json").unlink(missing_ok=True)
        await self.devices.stop()
        for server in self._servers:
            server.close()
        for server in self._servers:
            await server.wait_closed()
        self._servers.clear()

    async def __aenter__(self) -> ApnsEmulator:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- provider credentials ---------------------------------------------------------------
    def create_key(self, team_id: str, key_id: str, topics: Iterable[str] = ()) -> Path:
        """A new ES256 .p8 key (like Apple's "APNs auth key"), registered; returns its path."""
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec

        private = ec.generate_private_key(ec.SECP256R1())
        path = self.state_dir / "keys" / f"AuthKey_{key_id}.p8"
        write_private(
            path,
            private.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ),
        )
        self.register_key(key_id, team_id, private.public_key(), topics)
        return path

    def register_key(
        self,
        key_id: str,
        team_id: str,
        public_key: ec.EllipticCurvePublicKey | bytes,
        topics: Iterable[str] = (),
    ) -> None:
        """Trust a provider key (public key object or PEM) for ``team_id``."""
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec

        if isinstance(public_key, bytes):
            loaded = serialization.load_pem_public_key(public_key)
            if not isinstance(loaded, ec.EllipticCurvePublicKey):
                raise ValueError("APNs provider keys are EC P-256 keys")
            public_key = loaded
        key = ProviderKey(key_id, team_id, public_key, frozenset(topics))
        self.core.keys[key_id] = key
        pem = public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()
        write_private(
            self.state_dir / "keys" / f"{key_id}.json",
            json.dumps(
                {
                    "key_id": key_id,
                    "team_id": team_id,
                    "public_key": pem,
                    "topics": sorted(key.topics),
                }
            ),
        )

    def revoke_key(self, key_id: str) -> None:
        self.core.keys.pop(key_id, None)
        (self.state_dir / "keys" / f"{key_id}.json").unlink(missing_ok=True)

    def _load_keys(self) -> None:
        """The keys registered before (their PEM is parsed by the first token naming them:
        starting does not load ``cryptography``)."""
        for path in sorted((self.state_dir / "keys").glob("*.json")):
            try:
                doc = json.loads(path.read_text())
                pem = doc["public_key"]
                if not isinstance(pem, str) or "-----BEGIN PUBLIC KEY-----" not in pem:
                    continue
                self.core.keys[doc["key_id"]] = ProviderKey(
                    doc["key_id"], doc["team_id"], pem.encode(), frozenset(doc.get("topics", []))
                )
            except (ValueError, KeyError, TypeError):
                continue

    def issue_client_certificate(self, bundle_id: str, sandbox_only: bool = False) -> Path:
        """A provider certificate (cert + key PEM) for certificate-based auth."""
        kind = "sandbox" if sandbox_only else "universal"
        out = self.state_dir / f"client-{bundle_id}-{kind}.pem"
        return issue_client_cert(self.certs, bundle_id, sandbox_only, out)

    # -- devices, faults, inspection --------------------------------------------------------
    def register_device(
        self, token: str, topic: str, environment: Environment = "sandbox", voip: bool = True
    ) -> None:
        """Register a token without a device channel (pushes are stored for it); ``voip``:
        a PushKit VoIP token, else a remote-notification (alert) token."""
        self.core.register_device(token, topic, environment, voip)

    def inject_fault(
        self, status: int, reason: str, count: int = 1, token: str | None = None
    ) -> None:
        """The next ``count`` accepted-looking requests get ``status``/``reason`` (429/500/503)."""
        self.core.faults.append(Fault(status, reason, count, token.lower() if token else None))

    @property
    def requests(self) -> list[RecordedRequest]:
        return list(self.core.requests)

    def subscribe(self, listener: Callable[[RecordedRequest], None]) -> Callable[[], None]:
        """Hear every request as it is answered; returns unsubscribe."""
        return self.core.subscribe(listener)

    def on_delivery(self, listener: Callable[[Push], None]) -> None:
        """Hear every push written to a device channel."""
        self.devices.delivery_listeners.append(listener)
