"""An in-memory, scriptable :class:`PhoneUiService` for tests and ``--ui-demo``.

Intents take effect at once, as if the CallKit layer fulfilled every action; the
script methods (``report_incoming``, ``progress``, ``remote_end`` ...) play the
network side.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

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

_TRANSPORTS = ("udp", "tcp", "tls")
_DTMF_METHODS = ("rfc4733", "info")

DEFAULT_SETTINGS: dict[str, Any] = {
    "accounts": [
        {
            "id": "acc1",
            "label": "Office",
            "uri": "sip:alice@pbx.example.com",
            "registrar": "sip:pbx.example.com",
            "enabled": True,
        }
    ],
    "audio": {
        "input": "default",
        "output": "default",
        "inputs": ["default", "USB Headset Mic"],
        "outputs": ["default", "USB Headset"],
    },
    "codecs": [
        {"name": "PCMU", "enabled": True},
        {"name": "PCMA", "enabled": True},
        {"name": "G722", "enabled": True},
        {"name": "speex", "enabled": False},
    ],
    "transport": "udp",
    "dtmf_method": "rfc4733",
    "push": {"enabled": False, "provider": "apns", "environment": "sandbox"},
}


class FakePhoneUiService:
    """Scriptable phone for the UI: calls, device state, errors and settings in memory."""

    def __init__(
        self,
        clock: Callable[[], float] = time.time,
        app_name: str = "Softphone",
        auto_progress: tuple[float, float] | None = None,
        call_later: Callable[[float, Callable[[], None]], Any] | None = None,
    ) -> None:
        self._clock = clock
        self._app_name = app_name
        self._auto_progress = auto_progress  # (to ringing, to active) delays for demos
        self._call_later = call_later or (lambda d, f: asyncio.get_event_loop().call_later(d, f))
        self._calls: list[CallSnapshot] = []
        self.blocked: set[str] = set()
        self._device = DeviceSnapshot(
            accounts=(AccountStatus("acc1", "Office", "registered"),),
            audio_routes=(
                AudioRoute("receiver", "iPhone", "receiver", True),
                AudioRoute("speaker", "Speaker", "speaker"),
                AudioRoute("headset", "USB Headset", "headset"),
            ),
        )
        self._errors: list[UiError] = []
        self._settings: dict[str, Any] = copy.deepcopy(DEFAULT_SETTINGS)
        self._subscribers = Subscribers()
        self._ids = itertools.count(1)
        self.intents: list[tuple[str, tuple[Any, ...]]] = []
        self.dtmf_sent: str = ""

    # ---- PhoneUiService: snapshots -------------------------------------------------
    def calls(self) -> list[CallSnapshot]:
        return list(self._calls)

    def device(self) -> DeviceSnapshot:
        return self._device

    def errors(self) -> list[UiError]:
        return list(self._errors)

    def subscribe(self, callback: Callable[[], None]) -> Callable[[], None]:
        return self._subscribers.add(callback)

    # ---- PhoneUiService: intents ----------------------------------------------------
    def dial(self, target: str) -> IntentResult:
        self._record("dial", target)
        target = target.strip()
        if not target:
            raise ValueError("Enter a number or SIP address to call")
        for call in self._active_calls():
            self._put(replace(call, on_hold=True, state=CallState.HELD))
        uuid = self._new_uuid()
        self._calls.append(
            CallSnapshot(uuid, target, CallState.DIALING, is_outgoing=True, app_name=self._app_name)
        )
        self._notify()
        if self._auto_progress is not None:
            self._schedule_progress(uuid)
        return None

    def answer(self, uuid: str) -> IntentResult:
        self._record("answer", uuid)
        self._update(uuid, state=CallState.ACTIVE, connected_at=self._clock())
        return None

    def decline(self, uuid: str) -> IntentResult:
        self._record("decline", uuid)
        self._remove(uuid)
        return None

    def end(self, uuid: str) -> IntentResult:
        self._record("end", uuid)
        call = self._find(uuid)
        if call is not None and call.group_uuid is not None:
            for other in [c for c in self._calls if c.group_uuid == call.group_uuid]:
                self._calls.remove(other)
        else:
            self._remove(uuid, notify=False)
        self._resume_last_held()
        self._notify()
        return None

    def set_muted(self, uuid: str, muted: bool) -> IntentResult:
        self._record("set_muted", uuid, muted)
        self._update(uuid, muted=muted)
        return None

    def set_held(self, uuid: str, held: bool) -> IntentResult:
        self._record("set_held", uuid, held)
        self._update(uuid, on_hold=held, state=CallState.HELD if held else CallState.ACTIVE)
        return None

    def send_dtmf(self, uuid: str, digits: str) -> IntentResult:
        self._record("send_dtmf", uuid, digits)
        self.dtmf_sent += digits
        return None

    def swap(self) -> IntentResult:
        self._record("swap")
        for call in self._calls:
            if call.state in (CallState.ACTIVE, CallState.HELD):
                held = not call.on_hold
                self._put(
                    replace(call, on_hold=held, state=CallState.HELD if held else CallState.ACTIVE)
                )
        self._notify()
        return None

    def merge(self) -> IntentResult:
        self._record("merge")
        group = self._new_uuid()
        for call in self._calls:
            if call.state in (CallState.ACTIVE, CallState.HELD):
                self._put(replace(call, group_uuid=group, on_hold=False, state=CallState.ACTIVE))
        self._notify()
        return None

    def transfer(self, uuid: str, to: str) -> IntentResult:
        self._record("transfer", uuid, to)
        return None

    def unmerge(self, uuid: str) -> IntentResult:
        """Private: the member leaves the conference and stays active; the rest is held."""
        self._record("unmerge", uuid)
        for call in list(self._calls):
            if call.group_uuid is None:
                continue
            if call.uuid == uuid:
                self._put(replace(call, group_uuid=None, on_hold=False, state=CallState.ACTIVE))
            else:
                self._put(replace(call, on_hold=True, state=CallState.HELD))
        self._notify()
        return None

    def hold_and_accept(self, uuid: str) -> IntentResult:
        self._record("hold_and_accept", uuid)
        for call in self._active_calls():
            if call.uuid != uuid:
                self._put(replace(call, on_hold=True, state=CallState.HELD))
        self._update(uuid, state=CallState.ACTIVE, connected_at=self._clock())
        return None

    def end_and_accept(self, uuid: str) -> IntentResult:
        self._record("end_and_accept", uuid)
        self._calls = [c for c in self._calls if c.uuid == uuid or c.state == CallState.INCOMING]
        self._update(uuid, state=CallState.ACTIVE, connected_at=self._clock())
        return None

    def set_audio_route(self, device_id: str) -> IntentResult:
        self._record("set_audio_route", device_id)
        if not any(r.device_id == device_id for r in self._device.audio_routes):
            raise ValueError(f"unknown audio device {device_id!r}")
        routes = tuple(
            replace(r, selected=r.device_id == device_id) for r in self._device.audio_routes
        )
        self.set_device(audio_routes=routes)
        return None

    def set_locked(self, locked: bool) -> IntentResult:
        self._record("set_locked", locked)
        self.set_device(locked=locked)
        return None

    def set_do_not_disturb(self, enabled: bool) -> IntentResult:
        self._record("set_do_not_disturb", enabled)
        self.set_device(do_not_disturb=enabled)
        return None

    def is_blocked(self, handle: str) -> bool:
        return handle in self.blocked

    def set_blocked(self, handle: str, blocked: bool) -> IntentResult:
        self._record("set_blocked", handle, blocked)
        if not handle.lstrip("+").isdigit():
            raise ValueError(f"only phone numbers can be blocked, not {handle!r}")
        if blocked:
            self.blocked.add(handle)
        else:
            self.blocked.discard(handle)
        self._notify()
        return None

    def dismiss_error(self, error_id: str) -> IntentResult:
        self._record("dismiss_error", error_id)
        self._errors = [e for e in self._errors if e.id != error_id]
        self._notify()
        return None

    def settings(self) -> dict[str, Any]:
        return copy.deepcopy(self._settings)

    def apply_settings(self, settings: dict[str, Any]) -> IntentResult:
        self._record("apply_settings", settings)
        transport = settings.get("transport", self._settings["transport"])
        if transport not in _TRANSPORTS:
            raise ValueError(
                f"transport must be one of {', '.join(_TRANSPORTS)}, not {transport!r}"
            )
        dtmf_method = settings.get("dtmf_method", self._settings["dtmf_method"])
        if dtmf_method not in _DTMF_METHODS:
            raise ValueError(f"dtmf_method must be rfc4733 or info, not {dtmf_method!r}")
        self._settings.update(copy.deepcopy(settings))
        self._notify()
        return None

    # ---- script: the network and the device ----------------------------------------
    def report_incoming(self, handle: str, display_name: str = "", uuid: str | None = None) -> str:
        """A call arrives (``reportNewIncomingCall``); returns its uuid."""
        uuid = uuid or self._new_uuid()
        self._calls.append(
            CallSnapshot(
                uuid, handle, CallState.INCOMING, display_name=display_name, app_name=self._app_name
            )
        )
        self._notify()
        return uuid

    def progress(self, uuid: str, state: CallState) -> None:
        """The remote side moves an outgoing call on (ringing, connecting, active)."""
        connected = self._clock() if state == CallState.ACTIVE else None
        self._update(uuid, state=state, connected_at=connected)

    def remote_end(self, uuid: str, reason: str = "") -> None:
        """The far end hangs up or the call fails; a reason becomes a visible error."""
        if reason:
            call = self._find(uuid)
            who = call.display_name or call.handle if call else uuid
            self._errors.append(UiError(f"call-{uuid}", "Call Failed", f"{who}: {reason}"))
        self._remove(uuid, notify=False)
        self._resume_last_held()
        self._notify()

    def set_remote_hold(self, uuid: str, held: bool) -> None:
        self._update(uuid, remote_hold=held)

    def set_media_lost(self, uuid: str, lost: bool) -> None:
        """No RTP from the other side (the network went away): "Reconnecting…"."""
        self._update(uuid, media_lost=lost)

    def set_encrypted(self, uuid: str, encrypted: bool) -> None:
        """The call's media became (or stopped being) SRTP-encrypted: the padlock."""
        self._update(uuid, encrypted=encrypted)

    def set_quality(self, uuid: str, quality: CallQuality | None) -> None:
        self._update(uuid, quality=quality)

    def set_device(self, **changes: Any) -> None:
        self._device = replace(self._device, **changes)
        self._notify()

    def set_registration(self, state: str, reason: str = "", label: str = "Office") -> None:
        self.set_device(accounts=(AccountStatus("acc1", label, state, reason),))
        if state == "failed":
            self.add_error(UiError("reg-acc1", "Registration Failed", f"{label}: {reason}"))

    def add_error(self, error: UiError) -> None:
        self._errors = [e for e in self._errors if e.id != error.id] + [error]
        self._notify()

    # ---- internals -------------------------------------------------------------------
    def _record(self, name: str, *args: Any) -> None:
        self.intents.append((name, args))

    def _new_uuid(self) -> str:
        return f"00000000-0000-4000-8000-{next(self._ids):012d}"

    def _notify(self) -> None:
        self._subscribers.notify()

    def _find(self, uuid: str) -> CallSnapshot | None:
        return next((c for c in self._calls if c.uuid == uuid), None)

    def _put(self, call: CallSnapshot) -> None:
        self._calls = [call if c.uuid == call.uuid else c for c in self._calls]

    def _update(self, uuid: str, **changes: Any) -> None:
        call = self._find(uuid)
        if call is None:
            raise KeyError(f"no call {uuid}")
        self._put(replace(call, **changes))
        self._notify()

    def _remove(self, uuid: str, notify: bool = True) -> None:
        self._calls = [c for c in self._calls if c.uuid != uuid]
        if notify:
            self._notify()

    def _active_calls(self) -> list[CallSnapshot]:
        live = (CallState.ACTIVE, CallState.DIALING, CallState.RINGING, CallState.CONNECTING)
        return [c for c in self._calls if c.state in live and not c.on_hold]

    def _resume_last_held(self) -> None:
        if self._active_calls():
            return
        held = [c for c in self._calls if c.on_hold]
        if held:
            self._put(replace(held[-1], on_hold=False, state=CallState.ACTIVE))

    def _schedule_progress(self, uuid: str) -> None:
        assert self._auto_progress is not None
        to_ringing, to_active = self._auto_progress

        def step(state: CallState) -> Callable[[], None]:
            def run() -> None:
                call = self._find(uuid)
                if call is not None and call.state != CallState.ACTIVE:
                    self.progress(uuid, state)

            return run

        self._call_later(to_ringing, step(CallState.RINGING))
        self._call_later(to_ringing + to_active, step(CallState.ACTIVE))
