"""The control API's commands carried out on a running phone (``ControlTarget``)."""

from __future__ import annotations

import asyncio
import uuid as _uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from softphone.callkit import CallKitError, CallState, CallSystem, CXCall
from softphone.control import ConflictError, InvalidParamsError, NotFoundError, WaitTimeoutError
from softphone.phone.voip_app import AppEvent, VoipApp

_LIVE = {CallState.ACTIVE, CallState.HELD, CallState.CONNECTING, CallState.DIALING}


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
    }


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
    ) -> None:
        self.app = app
        self.system = system
        self._state = state
        self._push = push
        self._inject = inject
        self.cursor = EventCursor(app)

    def _call(self, params: Mapping[str, Any], *, ringing: bool = False) -> CXCall:
        calls = [c for c in self.system.calls if not c.has_ended]
        if params.get("call"):
            wanted = _uuid.UUID(str(params["call"]))
            for c in calls:
                if c.uuid == wanted:
                    return c
            raise NotFoundError(f"no call {wanted}")
        if ringing:
            for c in calls:
                if c.state is CallState.RINGING:
                    return c
            raise ConflictError("no call is ringing")
        live = [c for c in calls if c.state in _LIVE and not c.is_on_hold]
        if live:
            return live[0]
        if calls:
            return calls[0]
        raise ConflictError("there is no call")

    async def execute(self, command: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """Apple-free verbs for scripts; errors are ControlError subclasses."""
        try:
            return await self._execute(command, params)
        except CallKitError as exc:
            raise ConflictError(str(exc)) from exc
        except ValueError as exc:
            raise InvalidParamsError(str(exc)) from exc

    async def _execute(self, command: str, params: Mapping[str, Any]) -> dict[str, Any]:
        if command == "state":
            return self._state()
        if command == "call":
            call_uuid = await self.app.start_call(str(params["to"]))
            return {"call": str(call_uuid)}
        if command == "answer":
            call = self._call(params, ringing=True)
            await self.system.answer(call.uuid)
            return {"call": str(call.uuid)}
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
            await self.system.play_dtmf(call.uuid, str(params["digits"]))
            return {"call": str(call.uuid), "digits": params["digits"]}
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
        raise NotFoundError(f"unknown command '{command}'")
