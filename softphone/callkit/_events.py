"""The system's timestamped event stream: past-tense frozen dataclasses (h2 style).

Every event has ``at`` (clock seconds). The UI, the inspector and Recents subscribe
through :meth:`CallSystem.subscribe`.
"""

from __future__ import annotations

import dataclasses
import enum
import uuid as _uuid
from dataclasses import dataclass
from typing import Any

from ._call import CXCall, CXCallEndedReason, RecentsStatus
from ._errors import ErrorCode
from ._handle import CXHandle
from ._states import CallState

__all__ = [
    "ActionFailed",
    "ActionFulfilled",
    "ActionPerformed",
    "ActionTimedOut",
    "AudioSessionActivated",
    "AudioSessionDeactivated",
    "CallConnected",
    "CallDirectoryReloaded",
    "CallEnded",
    "CallGroupChanged",
    "CallHoldChanged",
    "CallKitEvent",
    "CallMuteChanged",
    "CallStateChanged",
    "CallUpdated",
    "CallWaitingPresented",
    "DeviceLockChanged",
    "DoNotDisturbChanged",
    "IncomingCallRejected",
    "IncomingCallReported",
    "OutgoingCallStarted",
    "OutgoingCallStartedConnecting",
    "ProviderInvalidated",
    "ProviderReset",
    "RuleViolated",
    "TransactionRequested",
]


def _plain(value: object) -> Any:
    """Turn event field values into JSON types (UUIDs, enums, handles, snapshots)."""
    if isinstance(value, _uuid.UUID):
        return str(value)
    if isinstance(value, enum.IntEnum):
        return f"{type(value).__name__}.{value.name}"
    if isinstance(value, enum.Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return value


@dataclass(frozen=True, kw_only=True)
class CallKitEvent:
    """Base of every event: ``at`` is when it happened (clock seconds)."""

    at: float

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: ``{"type": <event class>, <field>: <plain value>, ...}``."""
        out: dict[str, Any] = {"type": type(self).__name__}
        for field in dataclasses.fields(self):
            out[field.name] = _plain(getattr(self, field.name))
        return out

    @property
    def uuid(self) -> _uuid.UUID | None:
        """The call this event is about (``call_uuid``), if any."""
        value = getattr(self, "call_uuid", None)
        return value if isinstance(value, _uuid.UUID) else None


@dataclass(frozen=True, kw_only=True)
class IncomingCallReported(CallKitEvent):
    """A provider reported a new incoming call and the system let it ring."""

    call_uuid: _uuid.UUID
    provider_name: str
    handle: CXHandle | None
    localized_caller_name: str | None
    has_video: bool
    identified_by_directory: bool


@dataclass(frozen=True, kw_only=True)
class IncomingCallRejected(CallKitEvent):
    """The system refused an incoming call report (DND, block list, limits, duplicate)."""

    call_uuid: _uuid.UUID
    provider_name: str
    handle: CXHandle | None
    code: ErrorCode
    reason: str
    recents_status: RecentsStatus | None
    in_recents: bool


@dataclass(frozen=True, kw_only=True)
class OutgoingCallStarted(CallKitEvent):
    """A start-call action was requested: the outgoing call exists (STARTING)."""

    call_uuid: _uuid.UUID
    provider_name: str
    handle: CXHandle
    is_video: bool


@dataclass(frozen=True, kw_only=True)
class OutgoingCallStartedConnecting(CallKitEvent):
    """Apple: ``reportOutgoingCall(with:startedConnectingAt:)`` was reported."""

    call_uuid: _uuid.UUID
    started_connecting_at: float


@dataclass(frozen=True, kw_only=True)
class CallUpdated(CallKitEvent):
    """Apple: ``reportCall(with:updated:)``: the call's attributes changed."""

    call_uuid: _uuid.UUID
    call: CXCall


@dataclass(frozen=True, kw_only=True)
class CallStateChanged(CallKitEvent):
    """The call moved in its transition table (``old`` is None for a new call)."""

    call_uuid: _uuid.UUID
    old: CallState | None
    new: CallState


@dataclass(frozen=True, kw_only=True)
class CallConnected(CallKitEvent):
    """The call connected for the first time (answer fulfilled or outgoing connected)."""

    call_uuid: _uuid.UUID
    is_outgoing: bool
    connected_at: float


@dataclass(frozen=True, kw_only=True)
class CallHoldChanged(CallKitEvent):
    """A set-held action was fulfilled."""

    call_uuid: _uuid.UUID
    on_hold: bool


@dataclass(frozen=True, kw_only=True)
class CallMuteChanged(CallKitEvent):
    """A set-muted action was fulfilled."""

    call_uuid: _uuid.UUID
    muted: bool


@dataclass(frozen=True, kw_only=True)
class CallGroupChanged(CallKitEvent):
    """A call joined a group (conference) or left it (``group_uuid`` None)."""

    call_uuid: _uuid.UUID
    group_uuid: _uuid.UUID | None


@dataclass(frozen=True, kw_only=True)
class CallEnded(CallKitEvent):
    """The call is over; everything Recents needs to record it.

    ``reason`` is the provider's ``CXCallEndedReason``, or None when the call ended by a
    fulfilled end action (the user or app hung up/declined).
    """

    call_uuid: _uuid.UUID
    reason: CXCallEndedReason | None
    handle: CXHandle | None
    localized_caller_name: str | None
    is_outgoing: bool
    started_at: float
    connected_at: float | None
    ended_at: float
    recents_status: RecentsStatus
    in_recents: bool
    provider_name: str
    participants: tuple[CXHandle, ...]
    has_video: bool


@dataclass(frozen=True, kw_only=True)
class TransactionRequested(CallKitEvent):
    """A call controller (or the system UI) requested a transaction."""

    transaction_uuid: _uuid.UUID
    provider_name: str
    action_uuids: tuple[_uuid.UUID, ...]
    action_types: tuple[str, ...]
    origin: str


@dataclass(frozen=True, kw_only=True)
class ActionPerformed(CallKitEvent):
    """An action was handed to the provider's delegate (``provider(_:perform:)``)."""

    action_uuid: _uuid.UUID
    action_type: str
    call_uuid: _uuid.UUID | None
    provider_name: str
    detail: str


@dataclass(frozen=True, kw_only=True)
class ActionFulfilled(CallKitEvent):
    """The app called ``fulfill()`` on the action."""

    action_uuid: _uuid.UUID
    action_type: str
    call_uuid: _uuid.UUID | None
    provider_name: str


@dataclass(frozen=True, kw_only=True)
class ActionFailed(CallKitEvent):
    """The action failed: by the app's ``fail()``, or by the system (``by_system``)."""

    action_uuid: _uuid.UUID
    action_type: str
    call_uuid: _uuid.UUID | None
    provider_name: str
    by_system: bool
    reason: str


@dataclass(frozen=True, kw_only=True)
class ActionTimedOut(CallKitEvent):
    """Apple: ``provider(_:timedOutPerforming:)``: nobody resolved the action in time."""

    action_uuid: _uuid.UUID
    action_type: str
    call_uuid: _uuid.UUID | None
    provider_name: str


@dataclass(frozen=True, kw_only=True)
class AudioSessionActivated(CallKitEvent):
    """Apple: ``provider(_:didActivate:)``: the app may start audio now."""

    provider_name: str


@dataclass(frozen=True, kw_only=True)
class AudioSessionDeactivated(CallKitEvent):
    """Apple: ``provider(_:didDeactivate:)``: no call of this app needs audio."""

    provider_name: str


@dataclass(frozen=True, kw_only=True)
class CallWaitingPresented(CallKitEvent):
    """An incoming call rings while another call is live: the call-waiting screen."""

    call_uuid: _uuid.UUID
    other_call_uuids: tuple[_uuid.UUID, ...]
    choices: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class RuleViolated(CallKitEvent):
    """The app broke a CallKit rule (unresolved action, bad report, delegate raised...)."""

    rule: str
    detail: str
    call_uuid: _uuid.UUID | None = None


@dataclass(frozen=True, kw_only=True)
class CallDirectoryReloaded(CallKitEvent):
    """The block/identification lists changed (Apple: ``reloadExtension`` succeeded)."""

    blocked_count: int
    identified_count: int


@dataclass(frozen=True, kw_only=True)
class DoNotDisturbChanged(CallKitEvent):
    """Do Not Disturb was switched on or off."""

    enabled: bool


@dataclass(frozen=True, kw_only=True)
class DeviceLockChanged(CallKitEvent):
    """The emulated device was locked or unlocked."""

    locked: bool


@dataclass(frozen=True, kw_only=True)
class ProviderReset(CallKitEvent):
    """Apple: ``providerDidReset(_:)``: the system dropped all of the provider's calls."""

    provider_name: str


@dataclass(frozen=True, kw_only=True)
class ProviderInvalidated(CallKitEvent):
    """Apple: ``CXProvider.invalidate()``: the provider ended its calls and is unusable."""

    provider_name: str
