"""The app's link to the system call service (Apple: ``CXProvider``)."""

from __future__ import annotations

import uuid as _uuid
from typing import TYPE_CHECKING

from ._audio import AudioSession
from ._call import CXCallEndedReason
from ._clock import Dispatcher
from ._configuration import CXProviderConfiguration
from ._handle import CXCallUpdate
from ._transaction import CXTransaction

if TYPE_CHECKING:
    from ._delegate import CXProviderDelegate
    from ._system import CallSystem

__all__ = ["CXProvider"]


class CXProvider:
    """Apple: ``CXProvider(configuration:)``: reports calls to the system, receives actions."""

    def __init__(self, configuration: CXProviderConfiguration, *, system: CallSystem) -> None:
        if not isinstance(configuration, CXProviderConfiguration):
            raise TypeError("configuration must be a CXProviderConfiguration")
        self.configuration = configuration
        self.delegate: CXProviderDelegate | object | None = None
        self.queue: Dispatcher | None = None
        self.audio_session = AudioSession(configuration.localized_name)
        self.is_invalidated = False
        self._system = system
        system._add_provider(self)

    @property
    def system(self) -> CallSystem:
        """The call service this provider reports to."""
        return self._system

    def set_delegate(self, delegate: object | None, queue: Dispatcher | None = None) -> None:
        """Apple: ``setDelegate(_:queue:)``; the system then calls ``provider_did_begin``."""
        self.delegate = delegate
        self.queue = queue
        if delegate is not None:
            self._system._provider_did_begin(self)

    async def report_new_incoming_call(self, uuid: _uuid.UUID, update: CXCallUpdate) -> None:
        """Apple: ``reportNewIncomingCall(with:update:completion:)``.

        :raises CallKitError: ``CXErrorCodeIncomingCallError`` (duplicate UUID, Do Not
            Disturb, block list, call limit) or ``CXErrorCode.provider_invalidated``.
        """
        self._system._report_incoming(self, uuid, update)

    def report_call_updated(self, uuid: _uuid.UUID, update: CXCallUpdate) -> None:
        """Apple: ``reportCall(with:updated:)``."""
        self._system._report_updated(self, uuid, update)

    def report_call_ended(
        self, uuid: _uuid.UUID, ended_at: float | None, reason: CXCallEndedReason
    ) -> None:
        """Apple: ``reportCall(with:endedAt:reason:)``."""
        self._system._report_ended(self, uuid, ended_at, reason)

    def report_outgoing_call_started_connecting(
        self, uuid: _uuid.UUID, at: float | None = None
    ) -> None:
        """Apple: ``reportOutgoingCall(with:startedConnectingAt:)``."""
        self._system._report_started_connecting(self, uuid, at)

    def report_outgoing_call_connected(self, uuid: _uuid.UUID, at: float | None = None) -> None:
        """Apple: ``reportOutgoingCall(with:connectedAt:)``."""
        self._system._report_connected(self, uuid, at)

    @property
    def pending_transactions(self) -> list[CXTransaction]:
        """Apple: ``pendingTransactions``: requested transactions not yet complete."""
        return self._system._pending_transactions(self)

    def pending_call_actions(self, call_uuid: _uuid.UUID) -> list[object]:
        """Apple: ``pendingCallActions(of:withCall:)`` (all types): unresolved actions of a call."""
        return self._system._pending_call_actions(self, call_uuid)

    def invalidate(self) -> None:
        """Apple: ``invalidate()``: end every call of this provider; later reports raise."""
        self._system._invalidate_provider(self)

    def __repr__(self) -> str:
        return f"<CXProvider {self.configuration.localized_name!r}>"
