"""A running phone: the emulated system, the VoIP app on a SIP engine, the embedded test
line and the control API, started and stopped in the right order."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

from softphone.callkit import CallKitError, CallSystem, LoopClock, LoopDispatcher
from softphone.control.client import write_endpoint
from softphone.control.server import ControlServer
from softphone.phone.control_target import PhoneControl, call_json
from softphone.phone.recents_recorder import RecentsRecorder, load_call_directory
from softphone.phone.voip_app import AudioControl, VoipApp
from softphone.recents import RecentsError, RecentsStore
from softphone.settings import SecretStore, Settings
from softphone.sip import (
    AccountConfig,
    EngineConfig,
    RegistrationStateChanged,
    SipEngine,
    SipError,
    TransportConfig,
)
from softphone.sip.testline import TestLineError, TestLineProcess

log = logging.getLogger(__name__)
_CODEC_RATES = {"PCMU": "PCMU/8000", "PCMA": "PCMA/8000", "G722": "G722/16000"}


def engine_config(settings: Settings) -> EngineConfig:
    """The SIP engine's configuration from the user's settings."""
    sip = settings.sip
    transports = [TransportConfig("udp", sip.udp_port, sip.bind_address)]
    if sip.tcp_port >= 0:
        transports.append(TransportConfig("tcp", sip.tcp_port, sip.bind_address))
    return EngineConfig(
        transports=tuple(transports),
        codecs=tuple(sip.codecs),
        dtmf_method=sip.dtmf_method,  # type: ignore[arg-type]
        user_agent=sip.user_agent,
    )


def account_configs(settings: Settings, secrets: SecretStore | None) -> list[AccountConfig]:
    """Enabled accounts, with their passwords from the secret store."""
    out: list[AccountConfig] = []
    for acc in settings.accounts:
        if not acc.enabled:
            continue
        password = ""
        if secrets is not None and acc.username:
            password = secrets.get(f"sip:{acc.id}") or ""
        out.append(
            AccountConfig(
                id=acc.id,
                uri=acc.uri,
                registrar=acc.registrar if acc.register else "",
                username=acc.username,
                password=password,
                transport=acc.transport,
                display_name=acc.display_name,
            )
        )
    return out


class PhoneRuntime:
    """Everything a phone process runs besides its window (and what ``--headless`` runs)."""

    def __init__(
        self,
        engine: SipEngine,
        settings: Settings,
        *,
        profile: str = "default",
        secrets: SecretStore | None = None,
        control_file: Path | None = None,
        audio: AudioControl | None = None,
        with_test_line: bool = True,
        push: Callable[[Mapping[str, Any]], Awaitable[dict[str, Any]]] | None = None,
        save_settings: Callable[[Settings], None] | None = None,
        recents: RecentsStore | None = None,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.profile = profile
        self.secrets = secrets
        self.control_file = control_file
        self.system = CallSystem(
            LoopClock(),
            LoopDispatcher(),
            unanswered_timeout=settings.calls.unanswered_timeout,
        )
        self.app = VoipApp(
            engine,
            self.system,
            app_name=settings.calls.app_name,
            audio=audio,
            resolve_uri=self.resolve_uri,
            caller_name=self.contact_name,
        )
        self.problems: list[str] = []
        self.recents = recents
        self.recorder: RecentsRecorder | None = None
        if recents is not None:
            self.recorder = RecentsRecorder(self.system, recents, on_error=self.problems.append)
            if recents.recovery_notice:
                self.problems.append(recents.recovery_notice)
            try:
                load_call_directory(self.system, recents.directory)
            except (CallKitError, RecentsError) as exc:
                self.problems.append(f"call directory: {exc}")
        self.control = PhoneControl(self.app, self.system, state=self.state, push=push)
        self.server: ControlServer | None = None
        self.test_line: TestLineProcess | None = TestLineProcess() if with_test_line else None
        self.registrations: dict[str, RegistrationStateChanged] = {}
        self.started_at = 0.0
        self.audio_status: tuple[bool, str] = (False, "no audio device bridge in use")
        self._save_settings = save_settings
        engine.subscribe(self._on_sip_event)

    def _on_sip_event(self, event: object) -> None:
        if isinstance(event, RegistrationStateChanged):
            self.registrations[event.account_id] = event

    def contact_name(self, handle: str) -> str | None:
        """Caller ID from the local address book."""
        if self.recents is None:
            return None
        try:
            contact = self.recents.contacts.lookup_by_handle(handle)
        except RecentsError:
            return None
        return contact.name if contact is not None else None

    def resolve_uri(self, target: str) -> str:
        """What the user dialled -> a SIP URI: "echo" is the test line; digits and bare
        names go to the first account's domain, or the test line when there is none."""
        text = target.strip()
        if text.lower().startswith(("sip:", "sips:")):
            return text
        if "@" in text:
            return f"sip:{text}"
        if text.lower() in ("echo", "test", "test line") and self.test_line is not None:
            return self.test_line.uri
        accounts = [a for a in self.settings.accounts if a.enabled]
        if accounts:
            domain = accounts[0].uri.split("@", 1)[-1]
            return f"sip:{text.replace(' ', '')}@{domain}"
        if self.test_line is not None and self.test_line.uri:
            host = self.test_line.uri.split("@", 1)[1]
            return f"sip:{text.replace(' ', '')}@{host}"
        raise ValueError(f"cannot call '{text}': no account is set up; use a SIP URI")

    async def start(self) -> None:
        """Start SIP, the accounts, the test line and the control API; problems are kept
        in ``problems`` for the UI rather than raised (the phone still runs)."""
        self.started_at = time.monotonic()
        await _settle(self.engine.start(engine_config(self.settings)))
        for acc in account_configs(self.settings, self.secrets):
            try:
                await _settle(self.engine.add_account(acc))
            except SipError as exc:
                self.problems.append(f"account {acc.id}: {exc}")
        if self.test_line is not None:
            try:
                await self.test_line.start()
            except TestLineError as exc:
                self.problems.append(f"test line: {exc}")
                self.test_line = None
        self.server = ControlServer(self.control)
        await self.server.start()
        if self.control_file is not None:
            write_endpoint(self.control_file, self.server.url, self.server.token)

    async def stop(self) -> None:
        """The reverse order; never raises (quitting must always work)."""
        if self.server is not None:
            with contextlib.suppress(Exception):
                await self.server.stop()
        if self.control_file is not None:
            with contextlib.suppress(OSError):
                self.control_file.unlink()
        with contextlib.suppress(Exception):
            await self.app.close()
        if self.test_line is not None:
            with contextlib.suppress(Exception):
                await self.test_line.stop()
        with contextlib.suppress(Exception):
            await _settle(self.engine.stop())
        if self.recorder is not None:
            self.recorder.close()

    def apply_ui_settings(self, data: Mapping[str, Any]) -> None:
        """Apply what the Settings page changed (codecs, push, accounts on/off) and save.

        Raises ValueError with a message for the page on a bad value. Transport and
        codec changes take effect for the next call; accounts on the next start.
        """
        current = self.settings.to_dict()
        transport = data.get("transport")
        if transport is not None and transport not in ("udp", "tcp", "tls"):
            raise ValueError(f"transport must be udp, tcp or tls, not {transport!r}")
        codecs = data.get("codecs")
        if codecs is not None:
            names = [c["name"] for c in codecs if c.get("enabled")]
            if not names:
                raise ValueError("enable at least one codec")
            current["sip"]["codecs"] = [_CODEC_RATES.get(n, n) for n in names]
        push = data.get("push")
        if isinstance(push, Mapping):
            if "enabled" in push:
                current["push"]["enabled"] = bool(push["enabled"])
            if push.get("environment") in ("sandbox", "production"):
                current["push"]["environment"] = push["environment"]
        enabled = {a.get("id"): a.get("enabled") for a in data.get("accounts", []) or []}
        for acc in current["accounts"]:
            if acc["id"] in enabled and enabled[acc["id"]] is not None:
                acc["enabled"] = bool(enabled[acc["id"]])
            if transport is not None:
                acc["transport"] = transport
        self.settings = Settings.from_dict(current)
        if self._save_settings is not None:
            self._save_settings(self.settings)

    def state(self) -> dict[str, Any]:
        """The device, calls and registrations (the control API's ``state``)."""
        return {
            "profile": self.profile,
            "device": {
                "locked": self.system.device_locked,
                "do_not_disturb": self.system.do_not_disturb,
            },
            "calls": [call_json(c) for c in self.system.calls if not c.has_ended],
            "registrations": {
                acc: {"state": ev.state.value, "code": ev.code, "reason": ev.reason}
                for acc, ev in self.registrations.items()
            },
            "test_line": self.test_line.uri if self.test_line is not None else None,
            "problems": list(self.problems),
        }


async def _settle(result: object) -> object:
    if asyncio.iscoroutine(result) or isinstance(result, asyncio.Future):
        return await result
    return result
