"""The control API's commands carried out on a running phone (``ControlTarget``)."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
import uuid as _uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from softphone.callkit import (
    ActionFailed,
    ActionFulfilled,
    ActionTimedOut,
    CallKitError,
    CallState,
    CallSystem,
    CallWaitingChoiceRequiredError,
    CXCall,
    TransactionRequested,
)
from softphone.control import ConflictError, InvalidParamsError, NotFoundError, WaitTimeoutError
from softphone.phone.voip_app import AppEvent, VoipApp
from softphone.recents import Contact, RecentsError, RecentsGroup, RecentsStatus, RecentsStore
from softphone.settings import Settings
from softphone.sip import SipError

if TYPE_CHECKING:  # numpy and PortAudio: imported only by phones with sound
    from softphone.audio import AudioSystem

_LIVE = {CallState.ACTIVE, CallState.HELD, CallState.CONNECTING, CallState.DIALING}
#: How long a multi-call command waits for its CallKit actions (SIP re-INVITEs, 200 OK).
INTENT_TIMEOUT = 15.0
#: What the API names the call-waiting choices of CallKit's ``waiting_choices``.
_CHOICE_NAMES = {
    "decline": "decline",
    "hold_and_accept": "hold-and-accept",
    "end_and_accept": "end-and-accept",
    "end_held_and_accept": "end-and-accept with held=true",
    "accept": "answer",
}


def call_json(call: CXCall) -> dict[str, Any]:
    """A CXCall as the API shows it."""
    return {
        "uuid": str(call.uuid),
        "state": call.state.name.lower(),
        "handle": call.handle.value if call.handle else None,
        "name": call.display_name,
        "outgoing": call.is_outgoing,
        "on_hold": call.is_on_hold,
        "muted": call.is_muted,
        "connected": call.has_connected,
        "group": str(call.group_uuid) if call.group_uuid else None,
        "app": call.provider_name,
    }


def contact_json(contact: Contact) -> dict[str, Any]:
    """A contact as the API shows it."""
    return {
        "id": contact.id,
        "name": contact.name,
        "numbers": list(contact.numbers),
        "uris": list(contact.sip_uris),
    }


def recents_row_json(store: RecentsStore, group: RecentsGroup) -> dict[str, Any]:
    """One row of the Recents tab: the newest call of a group and how many it holds."""
    latest = group.latest
    record = latest.record
    return {
        "id": latest.id,
        "ids": group.ids,
        "name": store.display_name(latest),
        "app": record.provider_name,  # [calls] app_name (iOS: "<App> Audio")
        "handle": record.handle,
        "count": group.count,
        "missed": group.is_missed,
        "direction": latest.direction,
        "status": RecentsStatus(record.status).value,
        "started_at": dt.datetime.fromtimestamp(record.started_at, dt.timezone.utc).isoformat(),
        "duration": round(record.duration, 3),
        "end_reason": record.end_reason,
        "participants": list(record.participants),
    }


class PhoneParts(Protocol):
    """What the Recents, Contacts and audio commands reach (the running phone)."""

    @property
    def recents(self) -> RecentsStore | None: ...

    @property
    def audio_system(self) -> AudioSystem | None: ...

    @property
    def audio_status(self) -> tuple[bool, str]: ...

    def apply_ui_settings(self, data: Mapping[str, Any]) -> None: ...

    @property
    def settings(self) -> Settings: ...

    def set_blocked(self, handle: str, blocked: bool) -> None: ...

    def is_blocked(self, handle: str) -> bool: ...


class EventCursor:
    """``wait-for``: each event name is consumed once, in order, so a scenario step that
    waits for an event that already happened still sees it (and no event twice)."""

    def __init__(self, app: VoipApp) -> None:
        self._app = app
        self._seen: dict[str, int] = {}
        self._changed = asyncio.Event()
        app.subscribe(lambda _e: self._changed.set())

    async def wait(self, name: str, timeout: float) -> AppEvent:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            start = self._seen.get(name, 0)
            events = self._app.events
            for index in range(start, len(events)):
                if events[index].name == name:
                    self._seen[name] = index + 1
                    return events[index]
            self._seen[name] = len(events)
            self._changed.clear()
            left = deadline - loop.time()
            if left <= 0:
                raise WaitTimeoutError(f"no '{name}' event within {timeout:g} s")
            try:
                await asyncio.wait_for(self._changed.wait(), left)
            except TimeoutError:
                continue


class PhoneControl:
    """Maps each control command onto the system (user intents) or the app (dialling)."""

    def __init__(
        self,
        app: VoipApp,
        system: CallSystem,
        *,
        state: Callable[[], dict[str, Any]],
        push: Callable[[Mapping[str, Any]], Awaitable[dict[str, Any]]] | None = None,
        inject: Callable[[str, Mapping[str, Any]], Awaitable[dict[str, Any]]] | None = None,
        parts: PhoneParts | None = None,
    ) -> None:
        self.app = app
        self.system = system
        self._state = state
        self._push = push
        self._inject = inject
        self._parts = parts
        self.cursor = EventCursor(app)
        #: Commands served by layers above the phone (e.g. the Inspector's ``export``).
        self.extra: dict[str, Callable[[Mapping[str, Any]], Awaitable[dict[str, Any]]]] = {}

    def _ended(self, call_uuid: _uuid.UUID) -> ConflictError | None:
        """A 409 saying how ``call_uuid`` ended, when it has (a command that lost a race)."""
        outcome = self.app.outcomes.get(call_uuid)
        if outcome is None:
            return None
        if outcome.kind == "remote_cancelled":
            return ConflictError(outcome.reason)
        return ConflictError(f"call {call_uuid} already ended: {outcome.reason}")

    def _just_ended(self, within: float = 10.0) -> str:
        """How the last call ended, when that was in the last ``within`` seconds."""
        events = [e for e in self.app.events[-50:] if e.name == "call.ended" and e.call]
        if not events or time.monotonic() - events[-1].at > within:
            return ""
        outcome = self.app.outcomes.get(_uuid.UUID(str(events[-1].call)))
        return f": {outcome.reason}" if outcome is not None else ""

    def _call(self, params: Mapping[str, Any], *, ringing: bool = False) -> CXCall:
        calls = [c for c in self.system.calls if not c.has_ended]
        if params.get("call"):
            wanted = _uuid.UUID(str(params["call"]))
            for c in calls:
                if c.uuid == wanted:
                    return c
            raise self._ended(wanted) or NotFoundError(f"no call {wanted}")
        if ringing:
            for c in calls:
                if c.state is CallState.RINGING:
                    return c
            raise ConflictError(f"no call is ringing{self._just_ended()}")
        live = [c for c in calls if c.state in _LIVE and not c.is_on_hold]
        if live:
            return live[0]
        if calls:
            return calls[0]
        raise ConflictError(f"there is no call{self._just_ended()}")

    async def execute(self, command: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """Apple-free verbs for scripts; errors are ControlError subclasses."""
        try:
            return await self._execute(command, params)
        except CallKitError as exc:
            call = getattr(exc, "call_uuid", None) or _param_uuid(params)
            ended = self._ended(call) if call is not None else None
            raise (ended or ConflictError(str(exc))) from exc
        except ValueError as exc:
            raise InvalidParamsError(str(exc)) from exc

    async def _execute(self, command: str, params: Mapping[str, Any]) -> dict[str, Any]:
        if command in _MULTI_CALL:
            return await self._multi_call(command, params)
        if command in ("recents", "contacts", "contact-add", "contact-remove"):
            return self._recents(command, params)
        if command in ("settings", "settings-set"):
            if self._parts is None:
                raise ConflictError("this phone has no settings")
            if command == "settings-set":
                changes = params.get("changes")
                if not isinstance(changes, Mapping):
                    raise ValueError("changes must be a JSON object")
                try:
                    self._parts.apply_ui_settings(changes)  # ValueError: a bad value, said
                except (TypeError, KeyError, AttributeError) as exc:
                    raise ValueError(f"changes do not fit the Settings page: {exc!r}") from exc
            return {
                "settings": self._parts.settings.to_dict(),
                "note": "codec, transport, account and push changes take effect at the next start",
            }
        if command == "block":
            if self._parts is None:
                raise ConflictError("this phone has no call directory")
            number = str(params["number"])
            self._parts.set_blocked(number, bool(params["on"]))
            return {"number": number, "blocked": self._parts.is_blocked(number)}
        if command in ("audio-devices", "audio-select"):
            return self._audio(command, params)
        if command == "state":
            return self._state()
        if command == "call":
            account = str(params["account"]) if params.get("account") else None
            call_uuid = await self.app.start_call(str(params["to"]), account)
            return {"call": str(call_uuid)}
        if command == "answer":
            call = self._call(params, ringing=True)
            return await self._answer(call)
        if command == "decline":
            call = self._call(params, ringing=True)
            await self.system.decline(call.uuid)
            return {"call": str(call.uuid)}
        if command == "hangup":
            call = self._call(params)
            await self.system.end(call.uuid)
            return {"call": str(call.uuid)}
        if command == "hold":
            call = self._call(params)
            await self.system.set_held(call.uuid, bool(params["on"]))
            return {"call": str(call.uuid), "on_hold": bool(params["on"])}
        if command == "mute":
            call = self._call(params)
            await self.system.set_muted(call.uuid, bool(params["on"]))
            return {"call": str(call.uuid), "muted": bool(params["on"])}
        if command == "dtmf":
            call = self._call(params)
            actions = await self.system.play_dtmf(call.uuid, str(params["digits"]))
            if params.get("method"):
                self.app.send_dtmf_by(actions, str(params["method"]))
            return {"call": str(call.uuid), "digits": params["digits"]}
        if command == "transfer":
            return await self._transfer(params)
        if command == "lock":
            self.system.device_locked = bool(params["on"])
            return {"locked": self.system.device_locked}
        if command == "dnd":
            self.system.do_not_disturb = bool(params["on"])
            return {"do_not_disturb": self.system.do_not_disturb}
        if command == "wait-for":
            event = await self.cursor.wait(str(params["event"]), float(params.get("timeout", 10)))
            return {"event": event.name, "call": event.call, "data": event.data}
        if command == "push":
            if self._push is None:
                raise ConflictError("push wake-up is not available in this phone")
            return await self._push(params)
        if command == "inject":
            if self._inject is None:
                raise ConflictError("fault injection is not available in this phone")
            return await self._inject(str(params["fault"]), params.get("options") or {})
        if command in self.extra:
            return await self.extra[command](params)
        raise NotFoundError(f"'{command}' is not available in this phone")

    async def _answer(self, call: CXCall) -> dict[str, Any]:
        """Answer, and for a call whose INVITE is here wait for the 200 OK to be sent:
        a 409 says what happened when the caller's CANCEL won the race (never 200 for a
        call that then ends)."""
        mine = self.app.calls.get(call.uuid)
        try:
            intent = self.system.answer(call.uuid)
            if mine is None or mine.sip_call_id is None:  # a push call: the INVITE may wait
                await intent
                return {"call": str(call.uuid)}
            actions = await self._settle(intent)
        except CallWaitingChoiceRequiredError as exc:
            choices = ", ".join(_CHOICE_NAMES.get(c, c) for c in exc.choices)
            raise ConflictError(f"another call is active; use one of: {choices}") from exc
        if any(a["state"] != "fulfilled" for a in actions):
            for _ in range(50):  # the app records how the call ended right after
                if call.uuid in self.app.outcomes:
                    break
                await asyncio.sleep(0.02)
            ended = self._ended(call.uuid)
            raise ended or ConflictError(f"the answer failed: {actions}")
        return {"call": str(call.uuid)}

    async def _transfer(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """The app's Transfer… menu: REFER the call's peer (CallKit has no transfer
        action); the outcome arrives as call.transfer-progress / call.transfer-result."""
        call = self._call(params)
        replaces = _uuid.UUID(str(params["replaces"])) if params.get("replaces") else None
        to = str(params["to"]) if params.get("to") else None
        if replaces is not None:
            self._call({"call": str(replaces)})  # 404 when it is not one of our calls
        try:
            await self.app.transfers.transfer(call.uuid, to, replaces)
        except LookupError as exc:
            raise NotFoundError(str(exc)) from exc
        except SipError as exc:
            raise ConflictError(str(exc)) from exc
        out: dict[str, Any] = {"call": str(call.uuid)}
        if replaces is not None:
            out["replaces"] = str(replaces)
        else:
            out["to"] = to
        return out

    # -- several calls: the call screen's call-waiting, Swap, Merge and Private buttons ----

    async def _multi_call(self, command: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """Request the intent like the call screen does, wait for its actions (bounded)
        and return the calls as they are then. An intent that does not fit the calls is
        refused (ConflictError) before anything is requested."""
        if command in ("hold-and-accept", "end-and-accept"):
            ringing = self._call(params, ringing=True)
            if ringing.state is not CallState.RINGING:
                raise ConflictError(f"call {ringing.uuid} is not ringing")
            others = [c for c in self.system.calls if c.uuid != ringing.uuid and not c.has_ended]
            if command == "hold-and-accept":
                if not any(c.state is CallState.ACTIVE and not c.is_on_hold for c in others):
                    raise ConflictError("there is no active call to hold; use answer")
                intent = self.system.hold_and_accept(ringing.uuid)
            else:
                if not others:
                    raise ConflictError("there is no other call to end; use answer")
                intent = self.system.end_and_accept(
                    ringing.uuid, end_held=bool(params.get("held", False))
                )
        elif command == "swap":
            intent = self.system.swap()
        elif command == "merge":
            intent = self.system.merge()
        else:  # unmerge
            intent = self.system.unmerge(self._call(params).uuid)
        actions = await self._settle(intent)
        return {
            "calls": [call_json(c) for c in self.system.calls if not c.has_ended],
            "actions": actions,
        }

    async def _settle(self, intent: Awaitable[None]) -> list[dict[str, Any]]:
        """Run ``intent``; wait until every action it requested is resolved."""
        requested: dict[_uuid.UUID, dict[str, Any]] = {}
        changed = asyncio.Event()

        def on_event(event: object) -> None:
            if isinstance(event, TransactionRequested) and event.origin == "system":
                for action_uuid, kind in zip(event.action_uuids, event.action_types, strict=True):
                    requested[action_uuid] = {"type": kind, "state": "pending"}
            elif isinstance(event, ActionFulfilled | ActionFailed | ActionTimedOut):
                entry = requested.get(event.action_uuid)
                if entry is not None:
                    entry["call"] = str(event.call_uuid) if event.call_uuid else None
                    entry["state"] = {
                        ActionFulfilled: "fulfilled",
                        ActionFailed: "failed",
                        ActionTimedOut: "timed_out",
                    }[type(event)]
                    changed.set()

        unsubscribe = self.system.subscribe(on_event)
        try:
            await intent
            for action in self.system.pending_actions:
                entry = requested.get(action.uuid)
                if entry is not None and "call" not in entry:
                    call_uuid = getattr(action, "call_uuid", None)
                    entry["call"] = str(call_uuid) if call_uuid else None
            loop = asyncio.get_running_loop()
            deadline = loop.time() + INTENT_TIMEOUT
            while any(a["state"] == "pending" for a in requested.values()):
                left = deadline - loop.time()
                if left <= 0:
                    break
                changed.clear()
                try:
                    await asyncio.wait_for(changed.wait(), left)
                except asyncio.TimeoutError:  # not TimeoutError before Python 3.11
                    break
        finally:
            unsubscribe()
        return list(requested.values())

    # -- Recents and Contacts: the same store the tabs show ------------------------------

    def _store(self) -> RecentsStore:
        store = self._parts.recents if self._parts is not None else None
        if store is None:
            raise ConflictError("this phone keeps no Recents or Contacts (no profile database)")
        return store

    def _recents(self, command: str, params: Mapping[str, Any]) -> dict[str, Any]:
        store = self._store()
        try:
            if command == "recents":
                page = store.page(
                    "missed" if params.get("missed") else "all",
                    str(params.get("search", "")),
                    None,
                    int(params.get("limit", 50)),
                )
                return {
                    "recents": [recents_row_json(store, g) for g in page.groups],
                    "more": page.next_cursor is not None,
                    "unseen_missed": store.unseen_missed_count(),
                }
            if command == "contacts":
                found = store.contacts.search(str(params.get("search", "")))
                return {"contacts": [contact_json(c) for c in found]}
            if command == "contact-add":
                number, uri = params.get("number"), params.get("uri")
                if not number and not uri:
                    raise InvalidParamsError("contact-add needs a 'number' or a 'uri'")
                contact = Contact(
                    str(params["name"]),
                    (str(number),) if number else (),
                    (str(uri),) if uri else (),
                )
                return {"contact": contact_json(store.contacts.add(contact))}
            contact_id = int(params["id"])
            existing = store.contacts.get(contact_id)
            if existing is None or not store.contacts.delete(contact_id):
                raise NotFoundError(f"no contact {contact_id}")
            return {"removed": contact_json(existing)}
        except RecentsError as exc:
            raise InvalidParamsError(str(exc)) from exc

    # -- audio devices: the in-call audio picker and Settings > Audio --------------------

    def _sound(self) -> AudioSystem:
        if self._parts is None:
            raise ConflictError("audio is unavailable in this phone")
        audio = self._parts.audio_system
        if audio is None:
            reason = self._parts.audio_status[1] or "no sound system"
            raise ConflictError(f"audio is unavailable: {reason}")
        if audio.devices.unavailable_reason:
            raise ConflictError(f"audio is unavailable: {audio.devices.unavailable_reason}")
        return audio

    def _audio(self, command: str, params: Mapping[str, Any]) -> dict[str, Any]:
        from softphone.audio import DeviceRole

        audio = self._sound()
        devices = audio.devices
        if command == "audio-select":
            role = DeviceRole(str(params["role"]))
            device = str(params["device"])
            wanted = None if device == "default" else device
            if wanted is not None:
                known = devices.inputs() if role is DeviceRole.MICROPHONE else devices.outputs()
                if wanted not in {d.id for d in known}:
                    ids = ", ".join(d.id for d in known) or "none"
                    raise NotFoundError(f"no {role.kind.value} device {device!r}; known: {ids}")
            assert self._parts is not None
            # like Settings > Audio: takes effect at once (also mid-call) and is saved
            self._parts.apply_ui_settings({"audio": {_SETTINGS_KEYS[role.value]: device}})
            self.app.emit_external("audio.selected", role=role.value, device=device)  # UI, wait-for
        selected: dict[str, str] = {}
        in_use: dict[str, str] = {}
        for role in DeviceRole:
            selected[role.value] = devices.choice.get(role) or "default"
            in_use[role.value] = devices.effective(role) or "default"

        def listing(kind_devices: list[Any], roles: tuple[str, ...]) -> list[dict[str, Any]]:
            return [
                {
                    "id": d.id,
                    "name": d.name,
                    "system_default": d.is_default,
                    "selected_for": [r for r in roles if selected[r] == d.id],
                }
                for d in kind_devices
            ]

        return {
            "inputs": listing(devices.inputs(), ("microphone",)),
            "outputs": listing(devices.outputs(), ("speaker", "ringer")),
            "selected": selected,
            "in_use": in_use,
        }


def _param_uuid(params: Mapping[str, Any]) -> _uuid.UUID | None:
    try:
        return _uuid.UUID(str(params["call"])) if params.get("call") else None
    except ValueError:
        return None


_MULTI_CALL = frozenset({"hold-and-accept", "end-and-accept", "swap", "merge", "unmerge"})
#: The Settings page's names of the audio roles (``apply_ui_settings``).
_SETTINGS_KEYS = {"microphone": "input", "speaker": "output", "ringer": "ringer"}
