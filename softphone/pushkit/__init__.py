"""The emulated PushKit service (PKPushRegistry and delivery rules). Pure Python."""

from ._clock import Clock, LoopClock, ManualClock, TimerHandle
from ._device import EmulatedDevice, EventListener
from ._events import (
    AppKilled,
    AppState,
    AppStateChanged,
    CallReported,
    DeviceLockChanged,
    PushDelivered,
    PushDropped,
    PushKitEvent,
    Rule,
    RuleViolated,
)
from ._pending_invite import PendingInvite, PendingInviteState
from ._registry import PKPushRegistry, PKPushRegistryDelegate, PushDelivery
from ._types import PKPushCredentials, PKPushPayload, PKPushType
from .payloads import UNKNOWN_CALLER, IncomingPushCall, parse_voip_payload

__all__ = [
    "UNKNOWN_CALLER",
    "AppKilled",
    "AppState",
    "AppStateChanged",
    "CallReported",
    "Clock",
    "DeviceLockChanged",
    "EmulatedDevice",
    "EventListener",
    "IncomingPushCall",
    "LoopClock",
    "ManualClock",
    "PKPushCredentials",
    "PKPushPayload",
    "PKPushRegistry",
    "PKPushRegistryDelegate",
    "PKPushType",
    "PendingInvite",
    "PendingInviteState",
    "PushDelivered",
    "PushDelivery",
    "PushDropped",
    "PushKitEvent",
    "Rule",
    "RuleViolated",
    "TimerHandle",
    "parse_voip_payload",
]
