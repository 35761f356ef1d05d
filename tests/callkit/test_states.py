"""The call lifecycle transition table."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from softphone.callkit import (
    TRANSITIONS,
    CallInput,
    CallState,
    CallStateMachine,
    InvalidCallTransitionError,
)


class TestTable:
    def test_incoming_path(self) -> None:
        """An incoming call rings, is answered, connects, holds, resumes and ends."""
        machine = CallStateMachine(CallState.RINGING)
        steps = [
            CallInput.ANSWER_REQUESTED,
            CallInput.ANSWER_FULFILLED,
            CallInput.HOLD,
            CallInput.UNHOLD,
            CallInput.END,
        ]
        seen = [machine.process(step) for step in steps]
        assert seen == [
            CallState.ANSWERING,
            CallState.ACTIVE,
            CallState.HELD,
            CallState.ACTIVE,
            CallState.ENDED,
        ]

    def test_outgoing_path(self) -> None:
        """An outgoing call goes STARTING -> DIALING -> CONNECTING -> ACTIVE."""
        machine = CallStateMachine(CallState.STARTING)
        steps = [CallInput.START_FULFILLED, CallInput.STARTED_CONNECTING, CallInput.CONNECTED]
        assert [machine.process(s) for s in steps] == [
            CallState.DIALING,
            CallState.CONNECTING,
            CallState.ACTIVE,
        ]

    def test_connecting_reported_before_start_fulfilled(self) -> None:
        """Apps that report 'started connecting' before fulfilling keep CONNECTING."""
        machine = CallStateMachine(CallState.STARTING)
        machine.process(CallInput.STARTED_CONNECTING)
        assert machine.process(CallInput.START_FULFILLED) is CallState.CONNECTING

    def test_cannot_start_elsewhere(self) -> None:
        """A call is born RINGING or STARTING only."""
        with pytest.raises(ValueError):
            CallStateMachine(CallState.ACTIVE)

    def test_ended_is_final(self) -> None:
        """Nothing leaves ENDED."""
        assert not [key for key in TRANSITIONS if key[0] is CallState.ENDED]

    def test_every_live_state_can_end(self) -> None:
        """Every state but ENDED accepts END."""
        for state in CallState:
            if state is not CallState.ENDED:
                assert TRANSITIONS[(state, CallInput.END)] is CallState.ENDED

    def test_ringing_cannot_hold(self) -> None:
        """A ringing call cannot be held."""
        machine = CallStateMachine(CallState.RINGING)
        with pytest.raises(InvalidCallTransitionError) as info:
            machine.process(CallInput.HOLD)
        assert info.value.state is CallState.RINGING
        assert machine.state is CallState.RINGING


@given(st.sampled_from(list(CallState)), st.sampled_from(list(CallInput)))
def test_every_pair(state: CallState, call_input: CallInput) -> None:
    """Every (state, input) pair either follows the table or raises and changes nothing."""
    machine = CallStateMachine(CallState.RINGING)
    machine.state = state
    expected = TRANSITIONS.get((state, call_input))
    if expected is None:
        assert not machine.can(call_input)
        with pytest.raises(InvalidCallTransitionError):
            machine.process(call_input)
        assert machine.state is state
    else:
        assert machine.can(call_input)
        assert machine.process(call_input) is expected
