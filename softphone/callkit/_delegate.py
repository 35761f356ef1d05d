"""Delegate protocols (Apple: ``CXProviderDelegate``, ``CXCallObserverDelegate``).

Every method is optional: the system looks each one up with ``getattr``. A method may be
``async``; its coroutine is then scheduled on the running loop.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ._actions import (
        CXAction,
        CXAnswerCallAction,
        CXEndCallAction,
        CXPlayDTMFCallAction,
        CXSetGroupCallAction,
        CXSetHeldCallAction,
        CXSetMutedCallAction,
        CXStartCallAction,
    )
    from ._audio import AudioSession
    from ._call import CXCall
    from ._observer import CXCallObserver
    from ._provider import CXProvider
    from ._transaction import CXTransaction

__all__ = ["CXCallObserverDelegate", "CXProviderDelegate"]


class CXProviderDelegate(Protocol):
    """Apple: ``CXProviderDelegate``; implement the methods you need."""

    def provider_did_begin(self, provider: CXProvider) -> Any:
        """Apple: ``providerDidBegin(_:)``."""

    def provider_did_reset(self, provider: CXProvider) -> Any:
        """Apple: ``providerDidReset(_:)``: drop every call and stop audio."""

    def execute_transaction(self, provider: CXProvider, transaction: CXTransaction) -> bool:
        """Apple: ``provider(_:execute:)``; return True to handle the whole transaction."""
        return False

    def perform_start_call_action(self, provider: CXProvider, action: CXStartCallAction) -> Any:
        """Apple: ``provider(_:perform: CXStartCallAction)``."""

    def perform_answer_call_action(self, provider: CXProvider, action: CXAnswerCallAction) -> Any:
        """Apple: ``provider(_:perform: CXAnswerCallAction)``."""

    def perform_end_call_action(self, provider: CXProvider, action: CXEndCallAction) -> Any:
        """Apple: ``provider(_:perform: CXEndCallAction)``."""

    def perform_set_held_call_action(
        self, provider: CXProvider, action: CXSetHeldCallAction
    ) -> Any:
        """Apple: ``provider(_:perform: CXSetHeldCallAction)``."""

    def perform_set_muted_call_action(
        self, provider: CXProvider, action: CXSetMutedCallAction
    ) -> Any:
        """Apple: ``provider(_:perform: CXSetMutedCallAction)``."""

    def perform_play_dtmf_call_action(
        self, provider: CXProvider, action: CXPlayDTMFCallAction
    ) -> Any:
        """Apple: ``provider(_:perform: CXPlayDTMFCallAction)``."""

    def perform_set_group_call_action(
        self, provider: CXProvider, action: CXSetGroupCallAction
    ) -> Any:
        """Apple: ``provider(_:perform: CXSetGroupCallAction)``."""

    def timed_out_performing_action(self, provider: CXProvider, action: CXAction) -> Any:
        """Apple: ``provider(_:timedOutPerforming:)``."""

    def did_activate_audio_session(self, provider: CXProvider, session: AudioSession) -> Any:
        """Apple: ``provider(_:didActivate:)``: start audio now."""

    def did_deactivate_audio_session(self, provider: CXProvider, session: AudioSession) -> Any:
        """Apple: ``provider(_:didDeactivate:)``: stop audio."""


class CXCallObserverDelegate(Protocol):
    """Apple: ``CXCallObserverDelegate``."""

    def call_changed(self, observer: CXCallObserver, call: CXCall) -> Any:
        """Apple: ``callObserver(_:callChanged:)``."""
