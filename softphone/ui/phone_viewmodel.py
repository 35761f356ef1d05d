"""``PhoneViewModel``: the one QObject the call screens and the Phone app bind to."""

from __future__ import annotations

import inspect
import itertools
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Property, QAbstractItemModel, QObject, QTimer, Signal, Slot

from softphone import APP_NAME
from softphone.ui import _present
from softphone.ui._runner import AsyncioTaskRunner, TaskRunner
from softphone.ui.caller_id import lookup_contact_name
from softphone.ui.numbers import format_number
from softphone.ui.service import CallSnapshot, CallState, IntentResult, PhoneUiService

_LIVE = (
    CallState.DIALING,
    CallState.RINGING,
    CallState.CONNECTING,
    CallState.ACTIVE,
    CallState.HELD,
)


class PhoneViewModel(QObject):
    """Mirrors a :class:`PhoneUiService` for QML; changes only when the service reports."""

    callsChanged = Signal()
    deviceChanged = Signal()
    errorsChanged = Signal()
    settingsChanged = Signal()
    clockChanged = Signal()
    blockedChanged = Signal()

    def __init__(
        self,
        service: PhoneUiService,
        contacts: QAbstractItemModel | None = None,
        runner: TaskRunner | None = None,
        clock: Callable[[], float] = time.time,
        reduce_motion: bool = False,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._service, self._contacts = service, contacts
        self._runner = runner or AsyncioTaskRunner()
        self._clock = clock
        self._reduce_motion = reduce_motion
        self._time_text = self._date_text = ""
        self._wall = QTimer(self)
        self._wall.setInterval(1000)
        self._wall.timeout.connect(self._refresh_clock)
        self._wall.start()
        self._refresh_clock()
        self._calls: list[dict[str, Any]] = []
        self._incoming: dict[str, Any] = {}
        self._primary: dict[str, Any] = {}
        self._held: dict[str, Any] = {}
        self._conference: list[dict[str, Any]] = []
        self._device: dict[str, Any] = {}
        self._errors: list[dict[str, Any]] = []
        self._local_errors: list[dict[str, Any]] = []
        self._block_revision = 0
        self._local_ids = itertools.count(1)
        self._settings: dict[str, Any] = {}
        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self._refresh_calls)
        self._unsubscribe = service.subscribe(self.refresh)
        self.refresh()

    # ---- calls --------------------------------------------------------------------
    @Property(list, notify=callsChanged)
    def calls(self) -> list[dict[str, Any]]:
        return self._calls

    @Property(dict, notify=callsChanged)
    def incomingCall(self) -> dict[str, Any]:
        return self._incoming

    @Property(bool, notify=callsChanged)
    def hasIncoming(self) -> bool:
        return bool(self._incoming)

    @Property(dict, notify=callsChanged)
    def primaryCall(self) -> dict[str, Any]:
        return self._primary

    @Property(bool, notify=callsChanged)
    def hasCall(self) -> bool:
        return bool(self._primary)

    @Property(dict, notify=callsChanged)
    def heldCall(self) -> dict[str, Any]:
        return self._held

    @Property(bool, notify=callsChanged)
    def hasHeldCall(self) -> bool:
        return bool(self._held)

    @Property(bool, notify=callsChanged)
    def callWaiting(self) -> bool:
        return bool(self._incoming) and bool(self._primary)

    @Property(bool, notify=callsChanged)
    def isConference(self) -> bool:
        return len(self._conference) > 1

    @Property(list, notify=callsChanged)
    def conferenceCalls(self) -> list[dict[str, Any]]:
        return self._conference

    # ---- clock and accessibility ----------------------------------------------------
    @Property(str, notify=clockChanged)
    def timeText(self) -> str:
        return self._time_text

    @Property(str, notify=clockChanged)
    def dateText(self) -> str:
        return self._date_text

    @Property(bool, constant=True)
    def reduceMotion(self) -> bool:
        """iOS's Reduce Motion: no looping animations (also keeps screenshots still)."""
        return self._reduce_motion

    @Property(str, constant=True)
    def appName(self) -> str:
        return APP_NAME

    # ---- device -------------------------------------------------------------------
    @Property(dict, notify=deviceChanged)
    def device(self) -> dict[str, Any]:
        return self._device

    @Property(bool, notify=deviceChanged)
    def locked(self) -> bool:
        return bool(self._device.get("locked"))

    @Property(bool, notify=deviceChanged)
    def doNotDisturb(self) -> bool:
        return bool(self._device.get("doNotDisturb"))

    @Property(str, notify=deviceChanged)
    def registrationState(self) -> str:
        return str(self._device.get("registrationState", ""))

    @Property(str, notify=deviceChanged)
    def registrationText(self) -> str:
        return str(self._device.get("registrationText", ""))

    @Property(bool, notify=deviceChanged)
    def audioAvailable(self) -> bool:
        return bool(self._device.get("audioAvailable", True))

    @Property(str, notify=deviceChanged)
    def audioReason(self) -> str:
        return str(self._device.get("audioReason", ""))

    @Property(list, notify=deviceChanged)
    def audioRoutes(self) -> list[dict[str, Any]]:
        return list(self._device.get("audioRoutes", []))

    @Property(str, notify=deviceChanged)
    def audioRouteKind(self) -> str:
        chosen = [r for r in self._device.get("audioRoutes", []) if r["selected"]]
        return str(chosen[0]["kind"]) if chosen else "receiver"

    @Property(list, notify=errorsChanged)
    def errors(self) -> list[dict[str, Any]]:
        return self._errors

    @Property(dict, notify=settingsChanged)
    def settings(self) -> dict[str, Any]:
        return self._settings

    @Property(QObject, constant=True)
    def contactsModel(self) -> QObject | None:
        return self._contacts

    # ---- intents ------------------------------------------------------------------
    @Slot(str)
    def dial(self, target: str) -> None:
        if not target.strip():
            self._add_local_error("Cannot Call", "Enter a number or SIP address first.")
            return
        self._run("Call Failed", lambda: self._service.dial(target.strip()))

    @Slot(str)
    def answer(self, uuid: str) -> None:
        self._run("Cannot Answer", lambda: self._service.answer(uuid))

    @Slot(str)
    def decline(self, uuid: str) -> None:
        self._run("Cannot Decline", lambda: self._service.decline(uuid))

    @Slot(str)
    def end(self, uuid: str) -> None:
        self._run("Cannot End Call", lambda: self._service.end(uuid))

    @Slot(str, bool)
    def setMuted(self, uuid: str, muted: bool) -> None:
        for target in self._group_of(uuid):
            self._run("Cannot Mute", lambda t=target: self._service.set_muted(t, muted))  # type: ignore[misc]

    @Slot(str, bool)
    def setHeld(self, uuid: str, held: bool) -> None:
        for target in self._group_of(uuid):
            self._run("Cannot Hold", lambda t=target: self._service.set_held(t, held))  # type: ignore[misc]

    @Slot(str, str)
    def sendDtmf(self, uuid: str, digits: str) -> None:
        self._run("Cannot Send Tones", lambda: self._service.send_dtmf(uuid, digits))

    @Slot()
    def swap(self) -> None:
        self._run("Cannot Swap", self._service.swap)

    @Slot()
    def merge(self) -> None:
        self._run("Cannot Merge Calls", self._service.merge)

    @Slot(str, str)
    def transfer(self, uuid: str, to: str) -> None:
        """The call screen's Transfer… menu (the app's own: CallKit has no transfer)."""
        if not to.strip():
            self._add_local_error("Cannot Transfer", "Enter a number or SIP address first.")
            return
        self._run("Transfer Failed", lambda: self._service.transfer(uuid, to.strip()))

    @Slot(str)
    def unmerge(self, uuid: str) -> None:
        """Private: talk to one conference member alone; the others are held."""
        self._run("Cannot Split Call", lambda: self._service.unmerge(uuid))

    @Slot(str)
    def holdAndAccept(self, uuid: str) -> None:
        self._run("Cannot Answer", lambda: self._service.hold_and_accept(uuid))

    @Slot(str)
    def endAndAccept(self, uuid: str) -> None:
        self._run("Cannot Answer", lambda: self._service.end_and_accept(uuid))

    @Slot(str)
    def setAudioRoute(self, device_id: str) -> None:
        self._run("Audio Unavailable", lambda: self._service.set_audio_route(device_id))

    @Slot(bool)
    def setLocked(self, locked: bool) -> None:
        self._run("Cannot Lock", lambda: self._service.set_locked(locked))

    @Slot(bool)
    def setDoNotDisturb(self, enabled: bool) -> None:
        self._run("Do Not Disturb", lambda: self._service.set_do_not_disturb(enabled))

    @Slot(str, result=bool)
    def isBlocked(self, handle: str) -> bool:
        """iOS's call-directory block list (re-read when ``blockRevision`` changes)."""
        return bool(handle) and self._service.is_blocked(handle)

    @Property(int, notify=blockedChanged)
    def blockRevision(self) -> int:
        return self._block_revision

    @Slot(str, bool)
    def setBlocked(self, handle: str, blocked: bool) -> None:
        if self._run("Cannot Block", lambda: self._service.set_blocked(handle, blocked)):
            self._block_revision += 1
            self.blockedChanged.emit()

    @Slot(str)
    def dismissError(self, error_id: str) -> None:
        if error_id.startswith("local-"):
            self._local_errors = [e for e in self._local_errors if e["id"] != error_id]
            self._refresh_errors()
            return
        self._run("Error", lambda: self._service.dismiss_error(error_id))

    @Slot()
    def reloadSettings(self) -> None:
        self._settings = self._service.settings()
        self.settingsChanged.emit()

    @Slot("QVariantMap", result=bool)
    def applySettings(self, settings: dict[str, Any]) -> bool:
        ok = self._run("Settings Not Saved", lambda: self._service.apply_settings(dict(settings)))
        if ok:
            self.reloadSettings()
        return ok

    @Slot(str, result=str)
    def formatNumber(self, handle: str) -> str:
        return format_number(handle)

    @Slot(str, result=str)
    def contactName(self, handle: str) -> str:
        """Caller ID from the address book ('' when unknown)."""
        return self._lookup(handle)

    @Slot()
    def refresh(self) -> None:
        self._refresh_calls()
        self._refresh_device()
        self._refresh_errors()

    def close(self) -> None:
        self._ticker.stop()
        self._wall.stop()
        self._unsubscribe()

    # ---- internals ----------------------------------------------------------------
    def _run(self, title: str, intent: Callable[[], IntentResult]) -> bool:
        def fail(exc: BaseException) -> None:
            self._add_local_error(title, str(exc) or type(exc).__name__)

        try:
            result = intent()
        except Exception as exc:  # a refused intent is shown, never lost in a log
            fail(exc)
            return False
        if inspect.isawaitable(result):
            self._runner.spawn(result, fail)
        return True

    def _add_local_error(self, title: str, detail: str) -> None:
        self._local_errors.append(
            {"id": f"local-{next(self._local_ids)}", "title": title, "detail": detail}
        )
        self._refresh_errors()

    def _group_of(self, uuid: str) -> list[str]:
        call = next((c for c in self._calls if c["uuid"] == uuid), None)
        if call is None or not call["group"]:
            return [uuid]
        return [c["uuid"] for c in self._calls if c["group"] == call["group"]]

    def _lookup(self, handle: str) -> str:
        return lookup_contact_name(self._contacts, handle) if self._contacts is not None else ""

    def _refresh_calls(self) -> None:
        now = self._clock()
        snaps = [c for c in self._service.calls() if c.state != CallState.ENDED]
        calls = [_present.call_dict(c, now, self._lookup) for c in snaps]
        live = [d for d, s in zip(calls, snaps, strict=True) if s.state in _LIVE]
        incoming, primary, held, conference = _present.arrange(calls, live)
        new = (calls, incoming, primary, held, conference)
        if new != (self._calls, self._incoming, self._primary, self._held, self._conference):
            self._calls, self._incoming, self._primary, self._held, self._conference = new
            self.callsChanged.emit()
        self._tick_if_needed(snaps)

    def _refresh_clock(self) -> None:
        now = time.localtime(self._clock())
        texts = (f"{now.tm_hour}:{now.tm_min:02d}", time.strftime("%A %-d %B", now))
        if texts != (self._time_text, self._date_text):
            self._time_text, self._date_text = texts
            self.clockChanged.emit()

    def _tick_if_needed(self, snaps: list[CallSnapshot]) -> None:
        if any(s.state == CallState.ACTIVE for s in snaps):
            if not self._ticker.isActive():
                self._ticker.start()
        else:
            self._ticker.stop()

    def _refresh_device(self) -> None:
        dev = self._service.device()
        reg_state, reg_text = _present.registration(dev)
        device = {
            "locked": dev.locked,
            "doNotDisturb": dev.do_not_disturb,
            "registrationState": reg_state,
            "registrationText": reg_text,
            "audioAvailable": dev.audio_available,
            "audioReason": dev.audio_reason,
            "audioRoutes": _present.route_dicts(dev),
        }
        if device != self._device:
            self._device = device
            self.deviceChanged.emit()

    def _refresh_errors(self) -> None:
        errors = [
            {"id": e.id, "title": e.title, "detail": e.detail} for e in self._service.errors()
        ]
        errors += self._local_errors
        if errors != self._errors:
            self._errors = errors
            self.errorsChanged.emit()
