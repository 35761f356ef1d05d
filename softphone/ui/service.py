"""The seam between the call screens and the phone: plain data in, intents out.

The UI never talks to SIP. It reads snapshots of what the "system" (the CallKit
layer) knows and asks for changes through intents, like iOS's call screens use
``CXCallController`` requests. No Qt types cross this seam.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from softphone.phone.side_effects import SideEffects

#: What an intent may return: nothing (done) or an awaitable the UI schedules.
IntentResult = Awaitable[Any] | None


class CallState(str, enum.Enum):
    """Where a call is, as the call screens show it."""

    INCOMING = "incoming"
    DIALING = "dialing"
    RINGING = "ringing"
    CONNECTING = "connecting"
    ACTIVE = "active"
    HELD = "held"
    ENDED = "ended"


class Subscribers:
    """The screens' change callbacks of a ``PhoneUiService`` (``subscribe``/notify)."""

    def __init__(self, effects: SideEffects | None = None) -> None:
        self._callbacks: list[Callable[[], None]] = []
        #: Each screen's update is a side effect: one that fails stops no other.
        self._effects = effects or SideEffects()

    def add(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Register ``callback``; returns the function that unregisters it."""
        self._callbacks.append(callback)

        def unsubscribe() -> None:
            if callback in self._callbacks:
                self._callbacks.remove(callback)

        return unsubscribe

    def notify(self) -> None:
        for callback in list(self._callbacks):
            self._effects.run("window update", callback)


@dataclass(frozen=True)
class CallQuality:
    """Call statistics for the quality badge (MOS 1..5 as in ITU-T P.800)."""

    codec: str = ""
    mos: float | None = None
    jitter_ms: float | None = None
    loss_percent: float | None = None


@dataclass(frozen=True)
class CallSnapshot:
    """One call as ``CXCallObserver`` would report it, plus what the screens need."""

    uuid: str
    handle: str
    state: CallState
    is_outgoing: bool = False
    display_name: str = ""
    connected_at: float | None = None  # time.time() seconds when the call connected
    muted: bool = False
    on_hold: bool = False
    remote_hold: bool = False
    media_lost: bool = False  # no RTP from the other side for a few seconds
    encrypted: bool = False  # the media is SRTP-encrypted (the padlock by the status)
    group_uuid: str | None = None  # calls sharing a group are a conference
    quality: CallQuality | None = None
    app_name: str = "Softphone"
    end_reason: str = ""  # why an ended call ended ("Busy", "Call failed: 503 ...")


@dataclass(frozen=True)
class AccountStatus:
    """Registration state of one SIP account for the status bar."""

    account_id: str
    label: str
    state: str  # "registered" | "registering" | "failed" | "unregistered" | "disabled"
    reason: str = ""  # e.g. "403 Forbidden", "DNS lookup failed"


@dataclass(frozen=True)
class AudioRoute:
    """An audio output the user can pick (iOS's audio route picker)."""

    device_id: str
    name: str
    kind: str = "other"  # "receiver" | "speaker" | "headset" | "bluetooth" | "other"
    selected: bool = False


@dataclass(frozen=True)
class DeviceSnapshot:
    """The emulated iPhone's state around the calls."""

    locked: bool = False
    do_not_disturb: bool = False
    accounts: tuple[AccountStatus, ...] = ()
    audio_available: bool = True
    audio_reason: str = ""
    audio_routes: tuple[AudioRoute, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class UiError:
    """An error the user must see (registration failed, call failed, no audio)."""

    id: str
    title: str
    detail: str = ""


@runtime_checkable
class PhoneUiService(Protocol):
    """What the call screens need from the phone (implemented in ``softphone.phone``).

    Snapshot getters are cheap and synchronous. ``subscribe`` registers a callback
    invoked (on the UI thread's event loop) whenever any snapshot changed. Intents may
    return an awaitable; the UI schedules it and shows an exception as an error.
    """

    def calls(self) -> list[CallSnapshot]: ...
    def device(self) -> DeviceSnapshot: ...
    def errors(self) -> list[UiError]: ...
    def subscribe(self, callback: Callable[[], None]) -> Callable[[], None]: ...

    def dial(self, target: str) -> IntentResult: ...
    def answer(self, uuid: str) -> IntentResult: ...
    def decline(self, uuid: str) -> IntentResult: ...
    def end(self, uuid: str) -> IntentResult: ...
    def set_muted(self, uuid: str, muted: bool) -> IntentResult: ...
    def set_held(self, uuid: str, held: bool) -> IntentResult: ...
    def send_dtmf(self, uuid: str, digits: str) -> IntentResult: ...
    def swap(self) -> IntentResult: ...
    def merge(self) -> IntentResult: ...
    def unmerge(self, uuid: str) -> IntentResult: ...
    def transfer(self, uuid: str, to: str) -> IntentResult: ...
    def hold_and_accept(self, uuid: str) -> IntentResult: ...
    def end_and_accept(self, uuid: str) -> IntentResult: ...
    def set_audio_route(self, device_id: str) -> IntentResult: ...
    def set_locked(self, locked: bool) -> IntentResult: ...
    def set_do_not_disturb(self, enabled: bool) -> IntentResult: ...
    def dismiss_error(self, error_id: str) -> IntentResult: ...
    def is_blocked(self, handle: str) -> bool: ...
    def set_blocked(self, handle: str, blocked: bool) -> IntentResult: ...
    def settings(self) -> dict[str, Any]: ...
    def apply_settings(self, settings: dict[str, Any]) -> IntentResult: ...
