"""VoIP push wake-up, embedded: the app's PushKit delegate, the emulated app lifecycle,
and a local APNs emulator that pushes can be sent to (as a caller's server would).

The flow the seeds describe, end to end on loopback: a push is POSTed to the emulator
(HTTP/2, TLS, JWT) -> the device channel hands it to ``PKPushRegistry`` -> the app wakes
(SIP comes up) -> ``did_receive_incoming_push`` reports the call to CallKit at once ->
the INVITE arrives and is matched to the reported call (answering early waits for it).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid as _uuid
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from softphone.callkit import CallKitError, CXCallEndedReason
from softphone.phone.voip_app import VoipApp
from softphone.pushkit import (
    AppKilled,
    AppState,
    AppStateChanged,
    EmulatedDevice,
    LoopClock,
    PKPushCredentials,
    PKPushPayload,
    PKPushRegistry,
    PKPushType,
    PushDelivered,
    PushDropped,
    RuleViolated,
)

if TYPE_CHECKING:  # the APNs stack (aioapns, h2, cryptography) loads in start()
    from softphone.apns.emulator import ApnsEmulator, DeviceChannelClient, EmulatorInfo, Environment
    from softphone.apns.sender import ApnsSender

log = logging.getLogger(__name__)

TEAM_ID = "SOFTPHONE1"
KEY_ID = "EMULATOR01"


class PushWakeUp:
    """The app's PushKit side plus the embedded APNs emulator and a sender to it."""

    def __init__(
        self,
        app: VoipApp,
        state_dir: Path,
        bundle_id: str = "com.example.softphone",
        *,
        on_sip_allowed: Callable[[bool], None] | None = None,
        environment: Environment = "sandbox",
        team_id: str = "",
        key_id: str = "",
        key_file: str = "",
    ) -> None:
        self.app = app
        self.state_dir = state_dir
        self.bundle_id = bundle_id
        #: The APNs environment the token is registered in and pushes are sent to.
        self.environment: Environment = environment
        #: The provider key pushes are signed with ([push] team_id/key_id/key_file; a key
        #: is made for the emulator when no key_file is given).
        self.team_id = team_id or TEAM_ID
        self.key_id = key_id or KEY_ID
        self.provider_key = Path(key_file).expanduser() if key_file else None
        self.on_sip_allowed = on_sip_allowed
        self.emulator: ApnsEmulator | None = None
        self.info: EmulatorInfo | None = None
        self.channel: DeviceChannelClient | None = None
        self.sender: ApnsSender | None = None
        self._key_file: Path | None = None
        self.device = EmulatedDevice(LoopClock(), AppState.foreground)
        self.registry: PKPushRegistry | None = None
        self.events: deque[object] = deque(maxlen=1000)  # the latest PushKit events
        self._tasks: set[asyncio.Future[Any]] = set()
        self._registered = False
        self._call_ids: dict[str, str] = {}
        self._unsubscribe_app: Callable[[], None] | None = None
        #: Fault injection: the app "forgets" to report the next VoIP push to CallKit.
        self.forget_next_report = False
        #: Fault injection: hold the next push back this many seconds before delivery.
        self.delivery_delay = 0.0

    @property
    def token(self) -> str:
        token = self.registry.push_token_for(PKPushType.voip) if self.registry else None
        return token.hex() if token else ""

    async def start(self) -> None:
        """Start the emulator, get a VoIP token and register it on the device channel."""
        from softphone.apns.emulator import ApnsEmulator, DeviceChannelClient

        self.emulator = ApnsEmulator(self.state_dir)
        self.info = await self.emulator.start()
        self.registry = PKPushRegistry(
            asyncio.get_running_loop(),
            delegate=self,
            device=self.device,
            is_on_call=lambda: len(self.app.calls) > 0,
        )
        self.registry.subscribe(self._on_pushkit_event)
        self._unsubscribe_app = self.app.subscribe(self._on_app_event)
        self.registry.desired_push_types = [PKPushType.voip]
        self.channel = DeviceChannelClient(
            self.info.host, self.info.device_port, self._on_push, self.info.device_secret
        )
        await self.channel.connect()
        if self.provider_key is not None and not self.provider_key.is_file():
            raise ValueError(f"[push] key_file {self.provider_key} is not a readable file")
        await self.channel.register(self.token, self.bundle_id, self.environment)
        self._registered = True

    def _sender(self) -> ApnsSender:
        """The sender to the emulator, made with the first push this phone sends (aioapns
        and pyOpenSSL are not loaded by a phone that only receives pushes; nor is
        ``cryptography``: the provider key is created and registered here too)."""
        if self.sender is None:
            from softphone.apns.sender import ApnsCredentials, ApnsSender, EmulatorEndpoint

            assert self.emulator is not None and self.info is not None
            if self._key_file is None and self.provider_key is not None:
                _trust_key_file(
                    self.emulator, self.provider_key, self.key_id, self.team_id, self.bundle_id
                )
                self._key_file = self.provider_key
            elif self._key_file is None:
                self._key_file = self.emulator.create_key(
                    self.team_id, self.key_id, [self.bundle_id]
                )
            port = self.info.port_for(self.environment)
            self.sender = ApnsSender(
                self.bundle_id,
                ApnsCredentials(self._key_file, self.key_id, self.team_id),
                self.environment,
                EmulatorEndpoint(self.info.host, port, self.info.ca_path),
                timeout=5.0,
            )
        return self.sender

    async def stop(self) -> None:
        if self._unsubscribe_app is not None:
            self._unsubscribe_app()
        for close in (
            self.sender.close if self.sender else None,
            self.channel.close if self.channel else None,
            self.emulator.stop if self.emulator else None,
        ):
            if close is not None:
                with contextlib.suppress(Exception):
                    await close()

    # ---- sending (the "caller's server") -------------------------------------------

    async def send(
        self,
        *,
        preset: str | None = None,
        caller: str | None = None,
        payload: Mapping[str, Any] | None = None,
        call_id: str | None = None,
        ttl: int | None = None,
    ) -> dict[str, Any]:
        """POST a VoIP push for this phone to the emulator; the APNs answer as JSON."""
        if self.registry is None or self.info is None:
            raise RuntimeError("push is not running")
        from softphone.apns.payloads import compose

        if preset in (None, "generic"):  # a neutral SIP-server push (Flexisip's format)
            preset = "flexisip"
        body = dict(payload) if payload is not None else compose(preset, caller or "Alice", call_id)
        result = await self._sender().send_voip(self.token, body, ttl=ttl)
        return {**result.to_json(), "token": self.token, "payload": body}

    def describe(self) -> dict[str, Any]:
        """What ``state`` shows of the push set-up (no secrets)."""
        return {
            "environment": self.environment,
            "topic": f"{self.bundle_id}.voip",
            "team_id": self.team_id,
            "key_id": self.key_id,
            "key_file": str(self.provider_key or self._key_file or ""),
        }

    def _on_app_event(self, event: Any) -> None:
        """Keep PushKit's idea of the app's calls in step with the app's calls."""
        if self.registry is None or not event.call:
            return
        if event.name == "call.incoming" and event.data.get("sip_call_id"):
            self._call_ids[event.call] = str(event.data["sip_call_id"])
            if event.data.get("via") == "sip":  # the INVITE came first: a push may follow
                self.registry.call_started(self._call_ids[event.call])
        elif event.name in ("call.ended", "call.failed"):
            call_id = self._call_ids.pop(event.call, None)
            if call_id is not None:
                self.registry.call_ended(call_id)

    # ---- the device side ------------------------------------------------------------

    def _on_push(self, message: dict[str, Any]) -> None:
        """The device channel's callback: whatever goes wrong with one push is logged,
        never raised into the channel's read loop (later pushes must still ring)."""
        try:
            self._deliver(message)
        except Exception:
            log.exception("push %s could not be delivered", message.get("apns_id"))

    def _deliver(self, message: dict[str, Any]) -> None:
        if self.registry is None:
            return
        if self.delivery_delay > 0:  # fault injection: the network holds the push back
            delay, self.delivery_delay = self.delivery_delay, 0.0
            asyncio.get_running_loop().call_later(delay, self._on_push, message)
            return
        expiration = message.get("expiration")
        self.registry.receive_push(
            message.get("payload"),
            push_id=str(message.get("apns_id", "")),
            expiration=float(expiration) if expiration else None,
            sent_at=message.get("received_at"),
        )

    def _on_pushkit_event(self, event: object) -> None:
        self.events.append(event)
        data = {k: _plain(v) for k, v in asdict(event).items()}  # type: ignore[call-overload]
        name = {
            AppStateChanged: "app.state",
            PushDelivered: "push.delivered",
            PushDropped: "push.dropped",
            RuleViolated: "push.rule-violated",
            AppKilled: "app.killed",
        }.get(type(event), "push." + type(event).__name__)
        if isinstance(event, AppStateChanged):
            data["sip_allowed"] = event.sip_allowed
        self.app.emit_external(name, **data)
        if isinstance(event, AppStateChanged) and self.on_sip_allowed is not None:
            self.on_sip_allowed(event.sip_allowed)

    # ---- PKPushRegistryDelegate -----------------------------------------------------

    def did_update_push_credentials(
        self, registry: PKPushRegistry, credentials: PKPushCredentials, type: PKPushType
    ) -> None:
        """Apple: ``pushRegistry(_:didUpdate:for:)``: send the new token to the server."""
        if self.channel is not None and self._registered:
            task = asyncio.ensure_future(
                self.channel.register(credentials.token.hex(), self.bundle_id)
            )
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def did_invalidate_push_token(self, registry: PKPushRegistry, type: PKPushType) -> None:
        """Apple: ``pushRegistry(_:didInvalidatePushTokenFor:)``."""
        self.app.emit_external("push.token-invalidated", type=type.value)

    async def did_receive_incoming_push(
        self,
        registry: PKPushRegistry,
        payload: PKPushPayload,
        type: PKPushType,
        completion: Callable[[], None],
    ) -> None:
        """Apple: ``pushRegistry(_:didReceiveIncomingPushWith:for:completion:)``: report the
        call to CallKit before returning (iOS 13+ rule), then wait for the INVITE."""
        call = payload.call
        call_id = (call.call_id if call else "") or str(_uuid.uuid4())
        try:
            if payload.for_active_call:
                return
            if self.forget_next_report:
                self.forget_next_report = False
                self.app.emit_external("push.not-reported", reason="fault injected")
                return
            call_uuid = await self.app.report_push_call(
                call_id,
                call.caller_name if call else "Unknown caller",
                call.handle if call else "",
            )
            registry.reported_call(call_id)
            if payload.stale:  # QuickBlox's rule: too old to answer, show it as missed
                with contextlib.suppress(CallKitError):
                    self.app.provider.report_call_ended(
                        call_uuid, None, CXCallEndedReason.UNANSWERED
                    )
                self.app.forget(call_uuid)
        except CallKitError as exc:  # refused (DND, block list...): still reported
            registry.reported_call(call_id)
            self.app.emit_external("push.report-refused", reason=str(exc))
        finally:
            completion()

    # ---- lifecycle ------------------------------------------------------------------

    def suspend(self) -> None:
        """The user leaves the app: iOS suspends it and its SIP socket goes away."""
        self.device.suspend()

    def foreground(self) -> None:
        self.device.launch()

    def reinstall(self) -> None:
        if self.registry is not None:
            self.registry.reinstall()


def _plain(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return getattr(value, "value", str(value))


def _trust_key_file(
    emulator: ApnsEmulator, path: Path, key_id: str, team_id: str, bundle_id: str
) -> None:
    """Register the public half of the user's .p8 provider key with the emulator."""
    from cryptography.hazmat.primitives import serialization

    try:
        private = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise ValueError(f"[push] key_file {path}: not a readable .p8 key ({exc})") from exc
    emulator.register_key(key_id, team_id, private.public_key(), [bundle_id])  # type: ignore[arg-type]
