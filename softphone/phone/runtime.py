"""A running phone: the emulated system, the VoIP app on a SIP engine, the embedded test
line and the control API, started and stopped in the right order."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from softphone.callkit import CallKitError, CallSystem, LoopClock, LoopDispatcher
from softphone.control import ConflictError, NotFoundError, PushRefusedError
from softphone.control.client import remove_endpoint, write_endpoint
from softphone.phone.control_target import PhoneControl, call_json
from softphone.phone.ended_calls import recently_ended
from softphone.phone.media_watch import MediaWatch
from softphone.phone.network import NetworkLoss, NetworkLossError, process_ports
from softphone.phone.reasons import recents_status_for
from softphone.phone.recents_recorder import RecentsRecorder, load_call_directory
from softphone.phone.voip_app import AppEvent, AudioControl, VoipApp
from softphone.recents import RecentsError, RecentsStore, e164
from softphone.settings import SecretStore, Settings
from softphone.sip import (
    DEFAULT_CODECS,
    WHEEL_CODECS,
    AccountConfig,
    CallEnded,
    CallMediaStateChanged,
    EngineConfig,
    RegistrationStateChanged,
    SipEngine,
    SipError,
    SrtpMode,
    TlsConfig,
    TransportConfig,
    unknown_codecs,
)
from softphone.sip.testline import TestLineProcess
from softphone.validation import integer, option

if TYPE_CHECKING:  # heavy (numpy, aiohttp, the APNs stack): imported when first used
    from softphone.audio import AudioSystem
    from softphone.control.server import ControlServer
    from softphone.phone.audio_control import AudioController
    from softphone.phone.push import PushWakeUp

log = logging.getLogger(__name__)
_CODEC_RATES = {"PCMU": "PCMU/8000", "PCMA": "PCMA/8000", "G722": "G722/16000"}


def engine_config(settings: Settings, problems: list[str] | None = None) -> EngineConfig:
    """The SIP engine's configuration from the user's settings.

    TCP listens unless ``tcp_port = -1``; TLS when ``tls_port >= 0`` or an enabled
    account uses ``transport = "tls"`` (then on a free port). Codecs the engine does
    not have are left out and reported in ``problems`` (the defaults when none is left).
    """
    sip = settings.sip
    transports = [TransportConfig("udp", sip.udp_port, sip.bind_address)]
    if sip.tcp_port >= 0:
        transports.append(TransportConfig("tcp", sip.tcp_port, sip.bind_address))
    wants_tls = any(a.enabled and a.transport == "tls" for a in settings.accounts)
    if sip.tls_port >= 0 or wants_tls:
        transports.append(TransportConfig("tls", max(sip.tls_port, 0), sip.bind_address))
    codecs = tuple(c for c in sip.codecs if not unknown_codecs([c]))
    unknown = [c for c in sip.codecs if c not in codecs]
    if unknown and problems is not None:
        problems.append(
            f"sip.codecs: unknown codec {', '.join(unknown)} left out "
            f"(available: {', '.join(WHEEL_CODECS)})"
            + ("" if codecs else f"; using {', '.join(DEFAULT_CODECS)}")
        )
    return EngineConfig(
        transports=tuple(transports),
        tls=TlsConfig(ca_file=sip.tls_ca_file, verify_server=sip.tls_verify),
        codecs=codecs or DEFAULT_CODECS,
        dtmf_method=sip.dtmf_method,  # type: ignore[arg-type]
        user_agent=sip.user_agent,
        log_messages=True,  # the Inspector's SIP ladder
        accept_transfers=settings.calls.accept_transfers,
        max_redirects=min(max(settings.calls.max_redirects, 0), 20),
        accept_messages=settings.calls.accept_messages,
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
                srtp=SrtpMode(acc.srtp),
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
        push_dir: Path | None = None,
        save_settings: Callable[[Settings], None] | None = None,
        recents: RecentsStore | None = None,
        audio_system: AudioSystem | None = None,
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
        provider = self.app.configuration  # CXProviderConfiguration, from [calls]
        provider.maximum_call_groups = settings.calls.maximum_call_groups
        provider.maximum_calls_per_call_group = settings.calls.maximum_calls_per_call_group
        provider.includes_calls_in_recents = settings.calls.includes_calls_in_recents
        self._tasks: set[asyncio.Future[Any]] = set()
        #: The rotating log file (set by the app; used by "copy diagnostics").
        self.log_file: Path | None = None
        #: A file whose presence means the welcome sheet was seen (set by the app).
        self.first_run_marker: Path | None = None
        self._poller: asyncio.Task[None] | None = None
        self.problems: list[str] = []
        self.audio_system: AudioSystem | None = None
        self.audio: AudioController | None = None
        if audio_system is not None and audio is None:
            self.attach_audio(audio_system)
        self.recents = recents
        self.recorder: RecentsRecorder | None = None
        if recents is not None:
            self.recorder = RecentsRecorder(
                self.system,
                recents,
                on_error=self.problems.append,
                effects=self.app.effects,
                outcome=self._recents_outcome,
            )
            if recents.recovery_notice:
                self.problems.append(recents.recovery_notice)
            try:
                load_call_directory(self.system, recents.directory)
            except (CallKitError, RecentsError) as exc:
                self.problems.append(f"call directory: {exc}")
        self.push: PushWakeUp | None = None
        if push_dir is not None and settings.push.enabled and settings.push.use_emulator:
            from softphone.phone.push import PushWakeUp

            self.push = PushWakeUp(
                self.app,
                push_dir,
                settings.push.bundle_id,
                on_sip_allowed=self._sip_allowed,
                environment=settings.push.environment,  # type: ignore[arg-type]
                team_id=settings.push.team_id,
                key_id=settings.push.key_id,
                key_file=settings.push.key_file,
            )
        self.control = PhoneControl(
            self.app,
            self.system,
            state=self.state,
            push=self._push,
            inject=self.inject,
            parts=self,  # Recents, Contacts and audio devices for the control API
        )
        self.server: ControlServer | None = None
        self.test_line: TestLineProcess | None = TestLineProcess() if with_test_line else None
        if self.test_line is not None:
            # The line's process starts on first use (see _before_dial); its URI is
            # known now. Start failures are shown like other problems.
            self.test_line.on_start_error = lambda msg: self.problems.append(f"test line: {msg}")
            self.app.before_dial = self._before_dial
        self.registrations: dict[str, RegistrationStateChanged] = {}
        self._encrypted: set[str] = set()  # engine call ids whose media is SRTP now
        self.media_watch = MediaWatch(
            self.app,
            engine,
            self.system,
            lost_after=settings.calls.media_lost_after,
            end_after=settings.calls.media_timeout,
        )
        self.network = NetworkLoss(self._network_ports)
        self._network_timer: asyncio.TimerHandle | None = None
        self.started_at = 0.0
        self.audio_status: tuple[bool, str] = (False, "no sound devices in use")
        self._save_settings = save_settings
        engine.subscribe(self._on_sip_event)
        self.app.subscribe(self._on_app_event)

    def _on_sip_event(self, event: object) -> None:
        if isinstance(event, RegistrationStateChanged):
            self.registrations[event.account_id] = event
        elif isinstance(event, CallMediaStateChanged):
            if event.srtp:
                self._encrypted.add(event.call_id)
            else:
                self._encrypted.discard(event.call_id)
        elif isinstance(event, CallEnded):
            self._encrypted.discard(event.call_id)

    def is_encrypted(self, call_uuid: Any) -> bool:
        """Whether the call's media is SRTP-encrypted now (the call screen's padlock)."""
        call = self.app.calls.get(call_uuid)
        return call is not None and call.sip_call_id in self._encrypted

    def _on_app_event(self, event: AppEvent) -> None:
        """A problem the app met (a failed side effect, a refused call) is shown in
        ``state`` and as a banner in the window."""
        message = str(event.data.get("message", ""))
        if event.name == "problem" and message not in self.problems[-20:]:  # once per repeat
            self.problems.append(message)

    def _recents_outcome(self, call_uuid: Any, outgoing: bool, connected: bool) -> Any:
        """(Recents status, end reason) from what the wire said, or None."""
        outcome = self.app.outcomes.get(call_uuid)
        status = recents_status_for(outcome, outgoing, connected)
        return None if outcome is None else (status, outcome.reason)

    def attach_audio(self, audio_system: AudioSystem) -> None:
        """Use real devices (before :meth:`start`): CallKit's audio session gates them."""
        from softphone.phone.audio_control import AudioController

        self.audio_system = audio_system
        self.audio = AudioController(
            audio_system, self.system, self.app.emit_external, effects=self.app.effects
        )
        self.app.audio = self.audio

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

    async def _before_dial(self, uri: str) -> str | None:
        """Start the test line's process before the first call to it (raises
        TestLineError with the reason, which fails the call)."""
        line = self.test_line
        if line is None:
            return None
        host = uri.split("@", 1)[-1].split(";", 1)[0].split(">", 1)[0]
        if host != line.host:
            return None
        await line.ensure_started()
        if line.host == host:
            return None
        # The picked port was taken, so the line listens on another one: follow it.
        self.app.direct_hosts.discard(host)
        self.app.direct_hosts.add(line.host)
        return uri.replace(host, line.host, 1)

    async def start(self) -> None:
        """Start SIP, the accounts and the control API (the test line's process waits
        for its first use); problems are kept
        in ``problems`` for the UI rather than raised (the phone still runs)."""
        self.started_at = time.monotonic()
        await self.engine.start(engine_config(self.settings, self.problems))
        redirects = self.settings.calls.max_redirects
        if not 0 <= redirects <= 20:
            self.problems.append(
                f"calls.max_redirects = {redirects} is out of range (0-20): "
                f"using {min(max(redirects, 0), 20)}"
            )
        if self.audio_system is not None:
            self.engine.set_audio_bridge(self.audio_system.bridge)
            status = self.audio_system.status()
            self.audio_status = (status.available, status.reason)
            if not status.available:
                self.problems.append(f"Audio unavailable: {status.reason}")
            self._poller = asyncio.get_running_loop().create_task(self._poll_devices())
        for acc in account_configs(self.settings, self.secrets):
            try:
                self.app.accounts.append(self.engine.add_account(acc))
            except SipError as exc:
                self.problems.append(f"account {acc.id}: {exc}")
        if self.push is not None:
            try:
                await self.push.start()
            except Exception as exc:  # the phone works without push; say why
                self.problems.append(f"push wake-up unavailable: {exc}")
                self.push = None
        if self.test_line is not None:  # its process starts when first dialled or used
            self.app.direct_hosts.add(self.test_line.host)
        from softphone.control.server import ControlServer

        self.server = ControlServer(self.control)
        await self.server.start()
        self.media_watch.start()
        self._track(self.network.remove_stale())  # tables of phones killed mid-cut
        if self.control_file is not None:
            write_endpoint(self.control_file, self.server.url, self.server.token)

    async def stop(self) -> None:
        """The reverse order; never raises (quitting must always work)."""
        self.media_watch.stop()
        if self._network_timer is not None:
            self._network_timer.cancel()
        self.network.restore_now()  # never leave the machine's firewall changed
        if self.server is not None:
            with contextlib.suppress(Exception):
                await self.server.stop()
        if self.control_file is not None:
            remove_endpoint(self.control_file)  # only our own (never another phone's)
        if self._poller is not None:
            self._poller.cancel()
        if self.audio is not None:
            with contextlib.suppress(Exception):
                self.audio.close()
        with contextlib.suppress(Exception):
            await self.app.close()
        if self.push is not None:
            with contextlib.suppress(Exception):
                await self.push.stop()
        if self.test_line is not None:
            with contextlib.suppress(Exception):
                await self.test_line.stop()
        with contextlib.suppress(Exception):
            await self.engine.stop()
        if self.recorder is not None:
            self.recorder.close()

    async def _poll_devices(self) -> None:
        """Hot-plug: every 2 s, re-scan audio devices (PortAudio needs it) and tell."""
        while self.audio is not None:
            await asyncio.sleep(2.0)
            try:
                messages = await self.audio.poll_devices()
            except Exception as exc:
                log.warning("audio device scan failed: %s", exc)
                continue
            for message in messages:
                self.app.emit_external("audio.device", message=message)
            if self.audio_system is not None:
                status = self.audio_system.status()
                self.audio_status = (status.available, status.reason)

    def _sip_allowed(self, allowed: bool) -> None:
        """PushKit moved the app: SIP is reachable only when not suspended (as on iOS)."""
        self.app.accepting_calls = allowed

    async def _push(self, params: Mapping[str, Any]) -> dict[str, Any]:
        if self.push is None:
            raise ConflictError("push wake-up is off (settings [push]) or failed to start")
        if params.get("call", True) is not False and self.test_line is not None:
            from softphone.phone.push_call import push_with_call  # the caller's INVITE follows

            host, port = self.engine.local_address("udp")
            uri = f"sip:{self.profile}@{host}:{port}"
            return _accepted(await push_with_call(self.push, self.app, self.test_line, uri, params))
        payload = params.get("payload")
        sent = await self.push.send(
            preset=params.get("preset"),
            caller=params.get("caller"),
            payload=payload if isinstance(payload, Mapping) else None,
        )
        why = "call: false" if params.get("call") is False else "this phone has no test line"
        return _accepted({**sent, "invite": {"sent": False, "why": why}})

    async def inject(self, fault: str, options: Mapping[str, Any]) -> dict[str, Any]:
        """Faults and scenarios from the API and the UI (see README: Fault injection)."""
        push = self.push
        if fault in ("suspend-app", "foreground-app", "reinstall-app", "forget-push-report"):
            if push is None:
                raise ConflictError("push wake-up is not running")
            if fault == "suspend-app":
                push.suspend()
            elif fault == "foreground-app":
                push.foreground()
            elif fault == "reinstall-app":
                push.reinstall()
            else:
                push.forget_next_report = True
            return {"fault": fault, "app_state": push.device.state.value}
        if fault == "invite-timeout":
            seconds = option(options, "seconds", 2.0, 0.01, 600)
            self.app.invite_timeout = seconds
            return {"fault": fault, "seconds": seconds}
        if fault == "stall-next-action":
            if "timeout" in options:
                self.system.action_timeout = option(options, "timeout", 0, 0.01, 3600)
            self.app.stall_next_action = True
            return {"fault": fault, "action_timeout": self.system.action_timeout}
        if fault == "block":
            number = str(options.get("number", ""))
            self.set_blocked(number, bool(options.get("on", True)))
            return {"fault": fault, "blocked": number, "on": bool(options.get("on", True))}
        if fault == "cellular-call":
            live = [c for c in self.system.calls if c.has_connected and not c.has_ended]
            if not live:
                raise ConflictError("no connected call for a cellular call to interrupt")
            for call in live:
                if not call.is_on_hold:
                    await self.system.set_held(call.uuid, True)
            self.app.emit_external("cellular.call-started")
            seconds = option(options, "seconds", 0, 0, 3600)
            if seconds > 0:
                asyncio.get_running_loop().call_later(
                    seconds, lambda: self._spawn_resume([c.uuid for c in live])
                )
            return {"fault": fault, "held": [str(c.uuid) for c in live]}
        if fault == "push-reorder":
            if push is None:
                raise ConflictError("push wake-up is not running")
            push.delivery_delay = option(options, "seconds", 0.5, 0, 3600)
            first = await push.send(preset="flexisip", caller="First sent")
            second = await push.send(preset="flexisip", caller="Second sent")
            return {"fault": fault, "first": first["apns_id"], "second": second["apns_id"]}
        if fault in ("push-delay", "push-duplicate", "push-expired"):
            delay = option(options, "seconds", 2.0, 0, 3600)
            if push is None:
                raise ConflictError("push wake-up is not running")
            caller = str(options.get("caller", "Delayed caller"))
            if fault == "push-delay":
                push.delivery_delay = delay
                sent = await push.send(preset="flexisip", caller=caller)
            elif fault == "push-duplicate":
                call_id = str(options.get("call_id", "dup-" + str(time.time())))
                sent = await push.send(preset="flexisip", caller=caller, call_id=call_id)
                await asyncio.sleep(0.3)
                sent = await push.send(preset="flexisip", caller=caller, call_id=call_id)
            else:  # delivered after its apns-expiration
                push.delivery_delay = delay
                sent = await push.send(preset="flexisip", caller=caller, ttl=1)
            return {"fault": fault, "push": sent}
        if fault == "max-call-groups":
            groups = integer("groups", options.get("groups", 1), 1, 2)  # the engine: 4 calls
            self.app.configuration.maximum_call_groups = groups
            return {"fault": fault, "maximum_call_groups": groups}
        if fault == "lock":
            self.system.device_locked = bool(options.get("on", True))
            return {"fault": fault, "locked": self.system.device_locked}
        if fault == "duplicate-uuid":
            live = [c for c in self.system.calls if not c.has_ended]
            if not live:
                raise ConflictError("duplicate-uuid needs a call whose UUID the app reuses")
            self.app.reuse_uuid_next = live[0].uuid
            return {"fault": fault, "uuid": str(live[0].uuid)}
        if fault == "side-effect-error":
            effect = str(options.get("effect", "audio"))
            on = bool(options.get("on", True))
            (self.app.effects.broken.add if on else self.app.effects.broken.discard)(effect)
            return {"fault": fault, "broken": sorted(self.app.effects.broken)}
        if fault == "network-loss":
            return await self._cut_network(options)
        if fault == "network-restore":
            return await self._restore_network()
        raise NotFoundError(
            f"unknown fault '{fault}': suspend-app, foreground-app, reinstall-app, "
            "forget-push-report, invite-timeout, stall-next-action, block, cellular-call, "
            "push-delay, push-duplicate, push-expired, push-reorder, max-call-groups, lock, "
            "duplicate-uuid, side-effect-error, network-loss, network-restore"
        )

    @staticmethod
    def _directory_number(handle: str) -> int:
        """CallKit's CXCallDirectoryPhoneNumber: the E.164 digits of a phone number."""
        try:
            return e164(handle)
        except RecentsError:
            raise ValueError(f"only phone numbers can be blocked, not {handle!r}") from None

    def is_blocked(self, handle: str) -> bool:
        """Whether the call directory blocks this number (False for SIP addresses)."""
        try:
            number = self._directory_number(handle)
        except ValueError:
            return False
        return number in self.system.call_directory.blocked_numbers

    def set_blocked(self, handle: str, blocked: bool) -> None:
        """Block or unblock a number, as iOS's "Block this Caller" (the call directory,
        kept in the Recents database when there is one). ValueError for non-numbers."""
        number = self._directory_number(handle)
        if self.recents is not None:
            if blocked:
                self.recents.directory.add_blocking([number])
            else:
                self.recents.directory.remove_blocking([number])
            load_call_directory(self.system, self.recents.directory)
            return
        directory = self.system.call_directory
        numbers = set(directory.blocked_numbers)
        numbers = numbers | {number} if blocked else numbers - {number}
        directory.replace_all(sorted(numbers), directory.identification_entries)

    def _network_ports(self) -> set[int]:
        keep = {self.server.port} if self.server is not None else set()
        return process_ports(exclude=keep)

    async def _cut_network(self, options: Mapping[str, Any]) -> dict[str, Any]:
        """Cut this phone off the network: SIP and RTP stop; accounts re-register (and
        fail, as a phone does when its network changes); ``seconds`` restores it."""
        mode = str(options.get("mode", "silent"))
        seconds = option(options, "seconds", 0, 0, 3600)
        try:
            ports = await self.network.cut(mode)
        except NetworkLossError as exc:
            raise ConflictError(str(exc)) from exc
        self.app.emit_external("network.lost", mode=mode, ports=sorted(ports))
        self._reregister_all()
        if seconds > 0:
            self._network_timer = asyncio.get_running_loop().call_later(
                seconds, lambda: self._track(self._restore_network())
            )
        return {"fault": "network-loss", "mode": mode, "ports": sorted(ports), "seconds": seconds}

    async def _restore_network(self) -> dict[str, Any]:
        if self._network_timer is not None:
            self._network_timer.cancel()
            self._network_timer = None
        if not self.network.active:
            raise ConflictError("the network is not cut")
        try:
            lasted = await self.network.restore()
        except NetworkLossError as exc:
            raise ConflictError(str(exc)) from exc
        self.app.emit_external("network.restored", seconds=round(lasted, 1))
        self._reregister_all()
        return {"fault": "network-restore", "lost_for": round(lasted, 1)}

    def _reregister_all(self) -> None:
        """Refresh every registration now, as phones do when the network changes."""

        async def refresh(account_id: str) -> None:
            with contextlib.suppress(SipError, asyncio.TimeoutError):
                await self.engine.register(account_id)

        for account_id in list(self.registrations):
            self._track(refresh(account_id))

    def _track(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _spawn_resume(self, uuids: list[Any]) -> None:
        async def resume() -> None:
            for call_uuid in uuids:
                call = self.system.call(call_uuid)
                if call is not None and call.is_on_hold and not call.has_ended:
                    with contextlib.suppress(CallKitError):
                        await self.system.set_held(call_uuid, False)
            self.app.emit_external("cellular.call-ended")

        self._track(resume())

    def _addresses(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for transport in ("udp", "tcp", "tls"):
            try:
                host, port = self.engine.local_address(transport)
            except Exception:  # not started, or no such transport
                continue
            out[transport] = f"{host}:{port}"
        return out

    def apply_ui_settings(self, data: Mapping[str, Any]) -> None:
        """Apply what the Settings page changed (codecs, DTMF, push, accounts on/off) and save.

        Raises ValueError with a message for the page on a bad value. Audio devices and
        the DTMF method change at once; transport, codec and account changes are saved and
        take effect when the phone next starts.
        """
        current = self.settings.to_dict()
        transport = data.get("transport")
        if transport is not None and transport not in ("udp", "tcp", "tls"):
            raise ValueError(f"transport must be udp, tcp or tls, not {transport!r}")
        dtmf_method = data.get("dtmf_method")
        if dtmf_method is not None:
            if dtmf_method not in ("rfc4733", "info"):
                raise ValueError(f"dtmf_method must be rfc4733 or info, not {dtmf_method!r}")
            current["sip"]["dtmf_method"] = dtmf_method
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
        audio = data.get("audio")
        if isinstance(audio, Mapping):
            from softphone.audio import DeviceRole

            for key, field_name, role in (
                ("input", "microphone", DeviceRole.MICROPHONE),
                ("output", "speaker", DeviceRole.SPEAKER),
                ("ringer", "ringer", DeviceRole.RINGER),
            ):
                if key in audio:
                    device = str(audio[key])
                    wanted = None if device in ("", "default") else device
                    if self.audio_system is not None:
                        self.audio_system.choose(role, wanted)  # ValueError: unknown device
                    current["audio"][field_name] = wanted or ""
        enabled = {a.get("id"): a.get("enabled") for a in data.get("accounts", []) or []}
        for acc in current["accounts"]:
            if acc["id"] in enabled and enabled[acc["id"]] is not None:
                acc["enabled"] = bool(enabled[acc["id"]])
            if transport is not None:
                acc["transport"] = transport
        self.settings = Settings.from_dict(current)
        self.app.dtmf_method = self.settings.sip.dtmf_method  # the keypad's next tone
        if self._save_settings is not None:
            self._save_settings(self.settings)

    def _call_json(self, call: Any) -> dict[str, Any]:
        """A live call for ``state``, with what only the app knows (remote hold)."""
        mine = self.app.calls.get(call.uuid)
        return {**call_json(call), "remote_hold": mine is not None and mine.remote_hold}

    def state(self) -> dict[str, Any]:
        """The device, calls and registrations (the control API's ``state``)."""
        return {
            "profile": self.profile,
            "device": {
                "locked": self.system.device_locked,
                "do_not_disturb": self.system.do_not_disturb,
            },
            "calls": [
                {**self._call_json(c), "encrypted": self.is_encrypted(c.uuid)}
                for c in self.system.calls
                if not c.has_ended
            ],
            "ended": recently_ended(self.app.outcomes, self.app.events),
            "audio": self.audio.playing() if self.audio is not None else None,
            "registrations": {
                acc: {"state": ev.state.value, "code": ev.code, "reason": ev.reason}
                for acc, ev in self.registrations.items()
            },
            "sip": self._addresses(),
            "test_line": self.test_line.uri if self.test_line is not None else None,
            "push": {
                "token": self.push.token,
                "app_state": self.push.device.state.value,
                "failures": self.push.registry.failures if self.push.registry else 0,
                **self.push.describe(),
            }
            if self.push is not None
            else None,
            "problems": list(self.problems),
            "network": {
                "cut": self.network.active,
                "mode": self.network.mode,
                "ports": sorted(self.network.blocked),
            },
            "media_lost": sorted(str(u) for u in self.media_watch.lost_calls),
        }


def _accepted(sent: dict[str, Any]) -> dict[str, Any]:
    """The push result, or Apple's refusal passed on with its reason (413, 400, 502)."""
    if sent.get("status") != 200:
        raise PushRefusedError(int(sent.get("status") or 0), str(sent.get("reason") or ""))
    return sent
