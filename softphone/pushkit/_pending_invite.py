"""Answering before the INVITE (Linphone rule): the answer waits for the INVITE, then is
carried out; no INVITE within ``invite_timeout`` ends the call as failed."""

from __future__ import annotations

import enum
from collections.abc import Callable

from ._clock import Clock, TimerHandle
from ._events import PushKitEvent, Rule, RuleViolated

__all__ = ["PendingInvite", "PendingInviteState"]


class PendingInviteState(str, enum.Enum):
    waiting_invite = "waiting-invite"
    answer_pending = "answer-pending"
    invite_received = "invite-received"
    answered = "answered"
    failed = "failed"
    cancelled = "cancelled"


class PendingInvite:
    """Pairs a pushed call (its call id) with the SIP INVITE that follows it.

    ``on_answer()`` runs exactly once, when the user has answered and the INVITE is there;
    ``on_failed(rule, detail)`` runs if the INVITE does not come within ``invite_timeout``.
    """

    def __init__(
        self,
        call_id: str,
        clock: Clock,
        on_answer: Callable[[], None],
        on_failed: Callable[[Rule, str], None],
        invite_timeout: float = 20.0,
        emit: Callable[[PushKitEvent], None] | None = None,
    ) -> None:
        self.call_id = call_id
        self._clock = clock
        self._emit = emit
        self.invite_timeout = invite_timeout
        self._on_answer = on_answer
        self._on_failed = on_failed
        self.state = PendingInviteState.waiting_invite
        self._timer: TimerHandle | None = clock.call_later(invite_timeout, self._timed_out)

    @property
    def done(self) -> bool:
        return self.state in (
            PendingInviteState.answered,
            PendingInviteState.failed,
            PendingInviteState.cancelled,
        )

    def answer_requested(self) -> bool:
        """The user answered (CXAnswerCallAction). True if answered now, False if postponed."""
        if self.state == PendingInviteState.invite_received:
            self._answer()
            return True
        if self.state == PendingInviteState.waiting_invite:
            self.state = PendingInviteState.answer_pending
        return False

    def invite_arrived(self) -> None:
        """The SIP INVITE with this call id arrived; a postponed answer is carried out."""
        if self.done:
            return
        self._cancel_timer()
        if self.state == PendingInviteState.answer_pending:
            self._answer()
        else:
            self.state = PendingInviteState.invite_received

    def cancel(self) -> None:
        """The call ended (declined or remote cancel) before it was answered."""
        if not self.done:
            self._cancel_timer()
            self.state = PendingInviteState.cancelled

    def _answer(self) -> None:
        self.state = PendingInviteState.answered
        self._on_answer()

    def _timed_out(self) -> None:
        self._timer = None
        if self.state in (PendingInviteState.waiting_invite, PendingInviteState.answer_pending):
            self.state = PendingInviteState.failed
            detail = f"no INVITE for call {self.call_id!r} within {self.invite_timeout:.0f} s"
            if self._emit is not None:
                self._emit(
                    RuleViolated(
                        self._clock.now(), Rule.invite_timeout, detail, call_id=self.call_id
                    )
                )
            self._on_failed(Rule.invite_timeout, detail)

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
