"""Each call's lifecycle as an explicit transition table (h2 style).

Outgoing: STARTING (start action delivered) -> DIALING (start fulfilled) -> CONNECTING
(``reportOutgoingCall(with:startedConnectingAt:)``) -> ACTIVE (``connectedAt``).
Incoming: RINGING -> ANSWERING (answer action delivered) -> ACTIVE (answer fulfilled).
ACTIVE <-> HELD through fulfilled set-held actions. Every non-final state may END.
Apps often report "started connecting"/"connected" before fulfilling the start action;
those orders are in the table too, with START_FULFILLED then keeping the state.
"""

from __future__ import annotations

import enum

from ._errors import InvalidCallTransitionError

__all__ = ["TRANSITIONS", "CallInput", "CallState", "CallStateMachine"]


class CallState(enum.Enum):
    """Where a call is in its life."""

    RINGING = "ringing"
    ANSWERING = "answering"
    STARTING = "starting"
    DIALING = "dialing"
    CONNECTING = "connecting"
    ACTIVE = "active"
    HELD = "held"
    ENDED = "ended"


class CallInput(enum.Enum):
    """What can happen to a call."""

    ANSWER_REQUESTED = "answer_requested"
    ANSWER_FULFILLED = "answer_fulfilled"
    START_FULFILLED = "start_fulfilled"
    STARTED_CONNECTING = "started_connecting"
    CONNECTED = "connected"
    HOLD = "hold"
    UNHOLD = "unhold"
    END = "end"


S, I = CallState, CallInput

TRANSITIONS: dict[tuple[CallState, CallInput], CallState] = {
    (S.RINGING, I.ANSWER_REQUESTED): S.ANSWERING,
    (S.ANSWERING, I.ANSWER_FULFILLED): S.ACTIVE,
    (S.STARTING, I.START_FULFILLED): S.DIALING,
    (S.STARTING, I.STARTED_CONNECTING): S.CONNECTING,
    (S.STARTING, I.CONNECTED): S.ACTIVE,
    (S.DIALING, I.STARTED_CONNECTING): S.CONNECTING,
    (S.DIALING, I.CONNECTED): S.ACTIVE,
    (S.CONNECTING, I.START_FULFILLED): S.CONNECTING,
    (S.CONNECTING, I.CONNECTED): S.ACTIVE,
    (S.ACTIVE, I.START_FULFILLED): S.ACTIVE,
    (S.HELD, I.START_FULFILLED): S.HELD,
    (S.ACTIVE, I.HOLD): S.HELD,
    (S.HELD, I.HOLD): S.HELD,
    (S.HELD, I.UNHOLD): S.ACTIVE,
    (S.ACTIVE, I.UNHOLD): S.ACTIVE,
    **{(state, I.END): S.ENDED for state in S if state is not S.ENDED},
}
del S, I

#: States in which a call holds (or is about to hold) the audio route.
LIVE_STATES = frozenset(
    {
        CallState.ANSWERING,
        CallState.STARTING,
        CallState.DIALING,
        CallState.CONNECTING,
        CallState.ACTIVE,
        CallState.HELD,
    }
)


class CallStateMachine:
    """Holds one call's state; :meth:`process` applies an input or raises."""

    def __init__(self, initial: CallState) -> None:
        if initial not in (CallState.RINGING, CallState.STARTING):
            raise ValueError(f"a call starts RINGING or STARTING, not {initial}")
        self.state = initial

    def can(self, call_input: CallInput) -> bool:
        """Whether ``call_input`` is allowed now."""
        return (self.state, call_input) in TRANSITIONS

    def process(self, call_input: CallInput) -> CallState:
        """Apply ``call_input``; raise :class:`InvalidCallTransitionError` if not allowed."""
        try:
            new = TRANSITIONS[(self.state, call_input)]
        except KeyError:
            raise InvalidCallTransitionError(self.state, call_input) from None
        self.state = new
        return new
