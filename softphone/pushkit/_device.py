"""The emulated device: app lifecycle (not running / suspended / background / foreground)
and the lock screen. The phone layer watches :class:`AppStateChanged` to stop/start SIP."""

from __future__ import annotations

from collections.abc import Callable

from ._clock import Clock
from ._events import AppState, AppStateChanged, DeviceLockChanged, PushKitEvent

__all__ = ["EmulatedDevice", "EventListener"]

EventListener = Callable[[PushKitEvent], None]


class EmulatedDevice:
    """Apple: ``UIApplication.applicationState`` plus launch/kill by the system."""

    def __init__(self, clock: Clock, state: AppState = AppState.foreground) -> None:
        self.clock = clock
        self._state = state
        self._locked = False
        self._listeners: list[EventListener] = []

    @property
    def state(self) -> AppState:
        return self._state

    @property
    def locked(self) -> bool:
        return self._locked

    @property
    def sip_allowed(self) -> bool:
        return self._state.sip_allowed

    def subscribe(self, listener: EventListener) -> Callable[[], None]:
        """Hear every event; returns an unsubscribe function."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def emit(self, event: PushKitEvent) -> None:
        for listener in list(self._listeners):
            listener(event)

    def set_state(self, new: AppState, reason: str) -> None:
        old = self._state
        if old == new:
            return
        self._state = new
        self.emit(AppStateChanged(self.clock.now(), old, new, reason))

    def launch(self) -> None:
        """The user opens the app."""
        self.set_state(AppState.foreground, "user-opened")

    def enter_background(self) -> None:
        self.set_state(AppState.background, "user-left")

    def suspend(self) -> None:
        self.set_state(AppState.suspended, "system-suspended")

    def terminate(self, reason: str = "user-terminated") -> None:
        self.set_state(AppState.not_running, reason)

    def lock(self) -> None:
        self._set_lock(True)

    def unlock(self) -> None:
        self._set_lock(False)

    def _set_lock(self, locked: bool) -> None:
        if locked != self._locked:
            self._locked = locked
            self.emit(DeviceLockChanged(self.clock.now(), locked))
