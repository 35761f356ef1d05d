"""Events the emulated PushKit system emits (the UI and the event stream show them)."""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = [
    "AppKilled",
    "AppState",
    "AppStateChanged",
    "CallReported",
    "DeviceLockChanged",
    "PushDelivered",
    "PushDropped",
    "PushKitEvent",
    "Rule",
    "RuleViolated",
]


class AppState(str, enum.Enum):
    """The app's life on the emulated device (UIApplication.State plus not running)."""

    not_running = "not-running"
    suspended = "suspended"
    background = "background"
    foreground = "foreground"

    @property
    def sip_allowed(self) -> bool:
        """While suspended or not running the app's SIP stack is down, as on iOS."""
        return self in (AppState.background, AppState.foreground)


class Rule(str, enum.Enum):
    """The PushKit/CallKit rules the emulation enforces, by name."""

    report_before_handler_returns = "report-before-handler-returns"
    report_within_7s = "report-within-7s"
    voip_delivery_stopped = "voip-delivery-stopped"
    push_expired = "apns-expiration"
    answer_window = "answer-window-missed"
    invite_timeout = "invite-timeout"


@dataclass(frozen=True)
class PushKitEvent:
    at: float


@dataclass(frozen=True)
class AppStateChanged(PushKitEvent):
    old: AppState
    new: AppState
    reason: str

    @property
    def sip_allowed(self) -> bool:
        return self.new.sip_allowed


@dataclass(frozen=True)
class DeviceLockChanged(PushKitEvent):
    locked: bool


@dataclass(frozen=True)
class PushDelivered(PushKitEvent):
    push_id: str
    call_id: str
    caller_name: str
    woke_app: bool
    for_active_call: bool = False
    stale: bool = False
    device_locked: bool = False  # locked: full-screen incoming call UI, else a banner


@dataclass(frozen=True)
class PushDropped(PushKitEvent):
    push_id: str
    reason: str


@dataclass(frozen=True)
class CallReported(PushKitEvent):
    call_id: str
    push_id: str


@dataclass(frozen=True)
class RuleViolated(PushKitEvent):
    """A rule broken (or applied, for expiry/answer window) with what happened because of it."""

    rule: Rule
    detail: str
    push_id: str = ""
    call_id: str = ""


@dataclass(frozen=True)
class AppKilled(PushKitEvent):
    rule: Rule
    failures: int
