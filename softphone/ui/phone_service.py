"""``PhoneUiService`` over a running phone: the system's calls as the screens see them,
and the screens' intents as CallKit requests (never SIP directly)."""

from __future__ import annotations

import json
import time
import uuid as _uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from softphone.callkit import CallState as KitState
from softphone.callkit import CXCall
from softphone.logsetup import diagnostics
from softphone.phone.runtime import PhoneRuntime
from softphone.phone.voip_app import AppEvent
from softphone.sip import CallMediaStateChanged, RegistrationStateChanged, SipError
from softphone.ui.service import (
    AccountStatus,
    AudioRoute,
    CallQuality,
    CallSnapshot,
    CallState,
    DeviceSnapshot,
    IntentResult,
    Subscribers,
    UiError,
)
from softphone.ui.starting_service import settings_view

_DIALING = {KitState.STARTING, KitState.DIALING, KitState.CONNECTING}
_STATE = {
    KitState.RINGING: CallState.INCOMING,
    KitState.ANSWERING: CallState.CONNECTING,
    KitState.ACTIVE: CallState.ACTIVE,
    KitState.HELD: CallState.HELD,
    KitState.ENDED: CallState.ENDED,
}


class RuntimePhoneService:
    """The real phone behind the call screens."""

    def __init__(self, runtime: PhoneRuntime) -> None:
        self.runtime = runtime
        self.system = runtime.system
        self._subscribers = Subscribers(runtime.app.effects)
        self._ringing: set[str] = set()
        self._remote_hold: set[str] = set()
        self._media_lost: set[str] = set()
        self._errors: list[UiError] = []
        self._problems_seen = 0
        self._quality_cache: dict[str, tuple[float, CallQuality]] = {}
        self._unsubs = [
            self.system.subscribe(runtime.app.effects.guard("window update", self._on_system)),
            runtime.app.subscribe(self._on_app_event),
        ]
        runtime.engine.subscribe(self._on_sip_event)

    def _on_system(self, _event: object) -> None:
        self._notify()

    # ---- snapshots -----------------------------------------------------------------

    def _snapshot(self, call: CXCall) -> CallSnapshot:
        key = str(call.uuid)
        if call.state in _DIALING:
            state = CallState.RINGING if key in self._ringing else CallState.DIALING
        else:
            state = _STATE.get(call.state, CallState.ACTIVE)
        connected = None
        if call.connected_at is not None:
            connected = time.time() - (self.system_now() - call.connected_at)
        return CallSnapshot(
            uuid=key,
            handle=call.handle.value if call.handle else "",
            state=state,
            is_outgoing=call.is_outgoing,
            display_name=call.localized_caller_name or "",
            connected_at=connected,
            muted=call.is_muted,
            on_hold=call.is_on_hold,
            remote_hold=key in self._remote_hold,
            media_lost=key in self._media_lost,
            encrypted=self.runtime.is_encrypted(call.uuid),
            group_uuid=str(call.group_uuid) if call.group_uuid else None,
            quality=self._quality(call) if state is CallState.ACTIVE else None,
            app_name=call.provider_name,
        )

    def _quality(self, call: CXCall) -> CallQuality | None:
        """The call statistics for the quality badge, refreshed at most once a second."""
        phone_call = self.runtime.app.calls.get(call.uuid)
        if phone_call is None or phone_call.sip_call_id is None:
            return None
        key = str(call.uuid)
        cached = self._quality_cache.get(key)
        now = time.monotonic()
        if cached is not None and now - cached[0] < 1.0:
            return cached[1]
        stats = self.runtime.media_watch.latest(call.uuid)  # polled each second anyway
        if stats is None:
            try:
                stats = self.runtime.engine.call_stats(phone_call.sip_call_id)
            except SipError:
                return None
        quality = CallQuality(
            stats.codec.split("/", 1)[0],
            round(stats.mos, 1) if stats.mos else None,
            stats.jitter_ms,
            stats.loss_pct,
        )
        self._quality_cache[key] = (now, quality)
        return quality

    def system_now(self) -> float:
        clock = getattr(self.system, "clock", None)
        now = getattr(clock, "now", None)
        return float(now()) if callable(now) else time.monotonic()

    def calls(self) -> list[CallSnapshot]:
        return [self._snapshot(c) for c in self.system.calls if not c.has_ended]

    def device(self) -> DeviceSnapshot:
        accounts: list[AccountStatus] = []
        for acc in self.runtime.settings.accounts:
            reg = self.runtime.registrations.get(acc.id)
            if not acc.enabled:
                accounts.append(AccountStatus(acc.id, acc.display_name or acc.uri, "disabled"))
            elif reg is None:
                accounts.append(AccountStatus(acc.id, acc.display_name or acc.uri, "registering"))
            else:
                reason = f"{reg.code} {reg.reason}".strip() if reg.code else reg.reason
                accounts.append(
                    AccountStatus(acc.id, acc.display_name or acc.uri, reg.state.value, reason)
                )
        if not accounts and self.runtime.test_line is not None:
            accounts.append(AccountStatus("test-line", "Test line (no server)", "registered"))
        return DeviceSnapshot(
            locked=self.system.device_locked,
            do_not_disturb=self.system.do_not_disturb,
            accounts=tuple(accounts),
            audio_available=self.runtime.audio_status[0],
            audio_reason=self.runtime.audio_status[1],
            audio_routes=self._routes(),
        )

    def _routes(self) -> tuple[AudioRoute, ...]:
        audio = self.runtime.audio_system
        if audio is None:
            return (AudioRoute("default", "iPhone", "receiver", True),)
        if not getattr(audio, "is_open", True):  # the devices open with the first call
            return (AudioRoute("default", "System default", "receiver", True),)
        from softphone.audio import DeviceRole

        current = audio.devices.effective(DeviceRole.SPEAKER)
        routes = [AudioRoute("default", "System default", "receiver", current is None)]
        for dev in audio.devices.outputs():
            kind = "headset" if "head" in dev.name.lower() else "speaker"
            routes.append(AudioRoute(dev.id, dev.name, kind, dev.id == current))
        return tuple(routes)

    def errors(self) -> list[UiError]:
        problems = self.runtime.problems
        for i in range(self._problems_seen, len(problems)):  # start-up problems, as they come
            self._errors.append(UiError(f"problem-{i}", "Problem", problems[i]))
        self._problems_seen = len(problems)
        return list(self._errors)

    def refresh(self) -> None:
        """Tell the screens to re-read everything (e.g. once the phone has started)."""
        self._notify()

    def subscribe(self, callback: Callable[[], None]) -> Callable[[], None]:
        return self._subscribers.add(callback)

    def _notify(self) -> None:
        self._subscribers.notify()

    def _on_sip_event(self, event: object) -> None:
        # Registration changes the status bar, media (e.g. now encrypted) the call
        # screen; per-message log events change no screen.
        if isinstance(event, RegistrationStateChanged | CallMediaStateChanged):
            self._notify()

    def _on_app_event(self, event: AppEvent) -> None:
        if event.name == "call.media-lost" and event.call:
            self._media_lost.add(event.call)
        elif event.name in ("call.media-restored", "call.held", "call.ended") and event.call:
            self._media_lost.discard(event.call)
        if event.name == "call.ringing" and event.call:
            self._ringing.add(event.call)
        elif event.name == "network.lost":
            self._errors.append(
                UiError(
                    f"net-{len(self._errors)}-{event.at}",
                    "No Network",
                    f"Network cut by the lab ({event.data.get('mode', 'silent')}): SIP and "
                    "audio stop until it is restored",
                )
            )
        elif event.name == "network.restored":
            self._errors = [e for e in self._errors if not e.id.startswith("net-")]
        elif event.name == "call.ended" and event.data.get("by") == "app":
            self._call_failed(event, str(event.data.get("reason")))
        elif event.name in ("call.remote-hold", "call.remote-resume") and event.call:
            if event.name == "call.remote-hold":
                self._remote_hold.add(event.call)
            else:
                self._remote_hold.discard(event.call)
        elif event.name in ("push.rule-violated", "app.killed"):
            # iOS's PushKit rules broken by the app: show which one, as a QA engineer needs
            rule = str(event.data.get("rule", ""))
            detail = str(event.data.get("detail") or "")
            if event.name == "app.killed":
                failures = event.data.get("failures", "?")
                title = "App Killed by iOS"
                detail = f"{rule}: {failures} unreported VoIP push(es) so far"
            else:
                title = "PushKit Rule Broken"
                detail = f"{rule}: {detail}".strip(": ")
            error_id = f"push-{len(self._errors)}-{event.at}"
            self._errors.append(UiError(error_id, title, detail))
        elif event.name in ("call.failed", "error"):
            detail = event.data.get("reason") or event.data.get("message") or ""
            self._call_failed(event, str(detail))
        elif event.name == "call.ended" and event.data.get("by") == "remote":
            code = int(event.data.get("code") or 0)
            if code >= 400 and code not in (486, 487, 603):
                why = str(event.data.get("reason") or code)  # e.g. "no response (408 ...)"
                self._errors.append(UiError(f"end-{event.call}", "Call Failed", why))
        else:
            self._dialog_banner(event)
        self._notify()

    def _call_failed(self, event: AppEvent, detail: str) -> None:
        """A "Call Failed" banner; one per call and reason (an app that gives up on a call
        says so in ``call.ended`` and ``call.failed``)."""
        error_id = f"err-{len(self._errors)}-{event.at}"
        if event.call:
            error_id = f"fail-{event.call}-{detail}"
            if any(e.id == error_id for e in self._errors):
                return
        self._errors.append(UiError(error_id, "Call Failed", detail))

    def _dialog_banner(self, event: AppEvent) -> None:
        """Banners for a SIP MESSAGE and for transfers/redirects that did not happen."""
        data = event.data
        banner_id = f"dlg-{len(self._errors)}-{event.at}"
        if event.name == "message.received":
            sender = str(data.get("name") or data.get("sender") or "Unknown")
            self._errors.append(UiError(banner_id, f"Message from {sender}", str(data["body"])))
        elif event.name == "call.transfer-refused":
            self._errors.append(UiError(banner_id, "Transfer Refused", str(data.get("reason"))))
        elif event.name == "call.transfer-result" and not data.get("ok"):
            why = f"{data.get('code')} {data.get('reason', '')}".strip()
            self._errors.append(UiError(banner_id, "Transfer Failed", why))
        elif event.name == "call.redirected" and not data.get("followed"):
            self._errors.append(UiError(banner_id, "Redirect Refused", str(data.get("reason"))))

    # ---- intents ---------------------------------------------------------------------

    def dial(self, target: str) -> IntentResult:
        return self.runtime.app.start_call(target)

    def answer(self, uuid: str) -> IntentResult:
        return self.system.answer(_uuid.UUID(uuid))

    def decline(self, uuid: str) -> IntentResult:
        return self.system.decline(_uuid.UUID(uuid))

    def end(self, uuid: str) -> IntentResult:
        return self.system.end(_uuid.UUID(uuid))

    def set_muted(self, uuid: str, muted: bool) -> IntentResult:
        return self.system.set_muted(_uuid.UUID(uuid), muted)

    def set_held(self, uuid: str, held: bool) -> IntentResult:
        return self.system.set_held(_uuid.UUID(uuid), held)

    def send_dtmf(self, uuid: str, digits: str) -> IntentResult:
        return self.system.play_dtmf(_uuid.UUID(uuid), digits)

    def swap(self) -> IntentResult:
        return self.system.swap()

    def merge(self) -> IntentResult:
        return self.system.merge()

    def unmerge(self, uuid: str) -> IntentResult:
        return self.system.unmerge(_uuid.UUID(uuid))

    def transfer(self, uuid: str, to: str) -> IntentResult:
        """The app's Transfer… menu: ``to`` is a number/URI (blind) or the UUID of our
        other call (attended: its peer takes this call over)."""
        others = {str(c.uuid) for c in self.system.calls if not c.has_ended}
        if to in others:
            return self.runtime.app.transfers.transfer(_uuid.UUID(uuid), None, _uuid.UUID(to))
        return self.runtime.app.transfers.transfer(_uuid.UUID(uuid), to, None)

    def hold_and_accept(self, uuid: str) -> IntentResult:
        return self.system.hold_and_accept(_uuid.UUID(uuid))

    def end_and_accept(self, uuid: str) -> IntentResult:
        return self.system.end_and_accept(_uuid.UUID(uuid))

    def set_audio_route(self, device_id: str) -> IntentResult:
        audio = self.runtime.audio_system
        if audio is None:
            raise ValueError("audio is unavailable: " + self.runtime.audio_status[1])
        from softphone.audio import DeviceRole

        audio.choose(DeviceRole.SPEAKER, None if device_id == "default" else device_id)
        self._notify()
        return None

    def set_locked(self, locked: bool) -> IntentResult:
        self.system.device_locked = locked
        self._notify()
        return None

    def set_do_not_disturb(self, enabled: bool) -> IntentResult:
        self.system.do_not_disturb = enabled
        self._notify()
        return None

    def is_blocked(self, handle: str) -> bool:
        return self.runtime.is_blocked(handle)

    def set_blocked(self, handle: str, blocked: bool) -> IntentResult:
        self.runtime.set_blocked(handle, blocked)
        self._notify()
        return None

    def dismiss_error(self, error_id: str) -> IntentResult:
        self._errors = [e for e in self._errors if e.id != error_id]
        self._notify()
        return None

    def settings(self) -> dict[str, Any]:
        audio = self.runtime.audio_system
        inputs = [d.id for d in audio.devices.inputs()] if audio else []
        outputs = [d.id for d in audio.devices.outputs()] if audio else []
        return settings_view(self.runtime.settings, inputs, outputs)

    def apply_settings(self, settings: dict[str, Any]) -> IntentResult:
        self.runtime.apply_ui_settings(settings)
        self._notify()
        return None

    # ---- the QA lab (LabService) -------------------------------------------------------

    async def lab(self, name: str, options: dict[str, Any]) -> str:
        """Run a lab action and describe its outcome in one line for the Settings page."""
        runtime = self.runtime
        if name == "push":
            params: dict[str, Any] = (
                {"payload": options["payload"]}
                if isinstance(options.get("payload"), dict)
                else {"preset": options.get("preset", "flexisip"), "caller": "Lab caller"}
            )
            params["call"] = options.get("call", True) is not False
            sent = await runtime.control.execute("push", params)
            text = f"APNs {sent['status']} {sent.get('reason') or 'OK'} (id {sent['apns_id']})"
            invite = sent.get("invite") or {}
            if invite.get("sent"):
                return f"{text}; {invite.get('from')}'s INVITE follows"
            return f"{text}; no INVITE ({invite.get('why', 'none')})"
        if name == "export":
            export = runtime.control.extra.get("export")
            if export is None:
                raise ValueError("session export is not available")
            folder = runtime.first_run_marker.parent if runtime.first_run_marker else Path.cwd()
            path = folder / f"session-{time.strftime('%Y%m%d-%H%M%S')}.html"
            done = await export({"path": str(path)})
            return f"Session exported to {done['path']}"
        result = await runtime.inject(name, options)
        shown = ", ".join(f"{k}={v}" for k, v in result.items() if k != "fault")
        return f"{name}: {shown or 'done'}"

    def diagnostics(self) -> str:
        """Versions, registrations, audio, problems and the log's tail (redacted)."""
        runtime = self.runtime
        state = runtime.state()
        extra = [
            ("profile", runtime.profile),
            ("registrations", json.dumps(state.get("registrations"))),
            ("sip", json.dumps(state.get("sip"))),
            ("audio", "available" if runtime.audio_status[0] else runtime.audio_status[1]),
            ("push", json.dumps(state.get("push"))),
            ("problems", "; ".join(runtime.problems) or "none"),
        ]
        return diagnostics(runtime.log_file, extra)
