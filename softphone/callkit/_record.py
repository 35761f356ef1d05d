"""The system's private, mutable view of one call (snapshotted as ``CXCall``)."""

from __future__ import annotations

import uuid as _uuid
from typing import TYPE_CHECKING

from ._call import CXCall, CXCallEndedReason, RecentsStatus
from ._clock import TimerHandle
from ._handle import CXCallUpdate, CXHandle
from ._states import LIVE_STATES, CallState, CallStateMachine

if TYPE_CHECKING:
    from ._provider import CXProvider

__all__ = ["CallRecord", "recents_status"]


class CallRecord:
    """Everything the system tracks about a call."""

    def __init__(
        self,
        call_uuid: _uuid.UUID,
        provider: CXProvider,
        *,
        is_outgoing: bool,
        handle: CXHandle | None,
        started_at: float,
    ) -> None:
        self.uuid = call_uuid
        self.provider = provider
        self.machine = CallStateMachine(CallState.STARTING if is_outgoing else CallState.RINGING)
        self.is_outgoing = is_outgoing
        self.handle = handle
        self.caller_name: str | None = None
        self.started_at = started_at
        self.connecting_at: float | None = None
        self.connected_at: float | None = None
        self.ended_at: float | None = None
        self.on_hold = False
        self.muted = False
        self.group_uuid: _uuid.UUID | None = None
        self.supports_holding = True
        self.supports_grouping = True
        self.supports_ungrouping = True
        self.supports_dtmf = True
        self.has_video = False
        self.audio_granted = False
        self.declined = False
        self.unanswered_timer: TimerHandle | None = None
        self.participants: dict[CXHandle, None] = {}

    @property
    def state(self) -> CallState:
        return self.machine.state

    @property
    def is_live(self) -> bool:
        """Holds (or is about to hold) a line: not ringing, not ended."""
        return self.state in LIVE_STATES

    @property
    def group_key(self) -> _uuid.UUID:
        """The call group it counts in: its group, or itself when ungrouped."""
        return self.group_uuid if self.group_uuid is not None else self.uuid

    def apply_update(self, update: CXCallUpdate) -> None:
        """Copy every field the update sets (Apple: ``reportCall(with:updated:)``)."""
        if update.remote_handle is not None:
            if self.is_live and self.handle is not None and update.remote_handle != self.handle:
                # Someone else on the same call (transfer, redirect): Recents lists both.
                self.participants[self.handle] = None
                self.participants[update.remote_handle] = None
            self.handle = update.remote_handle
        if update.localized_caller_name is not None:
            self.caller_name = update.localized_caller_name
        for name in (
            "supports_holding",
            "supports_grouping",
            "supports_ungrouping",
            "supports_dtmf",
            "has_video",
        ):
            value = getattr(update, name)
            if value is not None:
                setattr(self, name, value)

    def snapshot(self) -> CXCall:
        """An immutable ``CXCall`` of the current state."""
        return CXCall(
            uuid=self.uuid,
            state=self.state,
            provider_name=self.provider.configuration.localized_name,
            handle=self.handle,
            localized_caller_name=self.caller_name,
            is_outgoing=self.is_outgoing,
            is_on_hold=self.on_hold,
            is_muted=self.muted,
            has_connected=self.connected_at is not None,
            has_ended=self.state is CallState.ENDED,
            started_at=self.started_at,
            connected_at=self.connected_at,
            ended_at=self.ended_at,
            group_uuid=self.group_uuid,
            supports_holding=self.supports_holding,
            supports_grouping=self.supports_grouping,
            supports_ungrouping=self.supports_ungrouping,
            supports_dtmf=self.supports_dtmf,
            has_video=self.has_video,
        )


def recents_status(record: CallRecord, reason: CXCallEndedReason | None) -> RecentsStatus:
    """How iOS Recents shows a call that ended with ``reason`` (None = ended by an action)."""
    if record.is_outgoing:
        if record.connected_at is not None:
            return RecentsStatus.OUTGOING
        if reason is CXCallEndedReason.FAILED:
            return RecentsStatus.FAILED
        return RecentsStatus.CANCELLED
    if record.connected_at is not None:
        return RecentsStatus.INCOMING
    if reason is CXCallEndedReason.ANSWERED_ELSEWHERE:
        return RecentsStatus.ANSWERED_ELSEWHERE
    if reason is CXCallEndedReason.DECLINED_ELSEWHERE or record.declined:
        return RecentsStatus.DECLINED
    if reason is CXCallEndedReason.FAILED:
        return RecentsStatus.FAILED
    return RecentsStatus.MISSED
