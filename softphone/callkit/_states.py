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


TRANSITIONS: dict[tuple[CallState, CallInput], CallState] = {
    (CallState.RINGING, CallInput.ANSWER_REQUESTED): CallState.ANSWERING,
    (CallState.ANSWERING, CallInput.ANSWER_FULFILLED): CallState.ACTIVE,
    (CallState.STARTING, CallInput.START_FULFILLED): CallState.DIALING,
    (CallState.STARTING, CallInput.STARTED_CONNECTING): CallState.CONNECTING,
    (CallState.STARTING, CallInput.CONNECTED): CallState.ACTIVE,
    (CallState.DIALING, CallInput.STARTED_CONNECTING): CallState.CONNECTING,
    (CallState.DIALING, CallInput.CONNECTED): CallState.ACTIVE,
    (CallState.CONNECTING, CallInput.START_FULFILLED): CallState.CONNECTING,
    (CallState.CONNECTING, CallInput.CONNECTED): CallState.ACTIVE,
    (CallState.ACTIVE, CallInput.START_FULFILLED): CallState.ACTIVE,
    (CallState.HELD, CallInput.START_FULFILLED): CallState.HELD,
    (CallState.ACTIVE, CallInput.HOLD): CallState.HELD,
    (CallState.HELD, CallInput.HOLD): CallState.HELD,
    (CallState.HELD, CallInput.UNHOLD): CallState.ACTIVE,
    (CallState.ACTIVE, CallInput.UNHOLD): CallState.ACTIVE,
    **{(s, CallInput.END): CallState.ENDED for s in CallState if s is not CallState.ENDED},
}

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
        self.state: CallState = initial

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
