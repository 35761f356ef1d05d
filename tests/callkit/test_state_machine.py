"""Hypothesis: random reports, user intents, app resolutions and time never break the system.

After any sequence: no inconsistent call, no action left unresolved past its timeout,
every action resolved exactly once, and once everything ends no call, action or timer leaks.
"""

from __future__ import annotations

import uuid
from collections.abc import Coroutine
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from softphone.callkit import (
    ActionAlreadyCompletedError,
    ActionFailed,
    ActionFulfilled,
    ActionTimedOut,
    CallKitError,
    CallState,
    CallSystem,
    CXAction,
    CXCallController,
    CXCallEndedReason,
    CXCallUpdate,
    CXProvider,
    CXProviderConfiguration,
    CXStartCallAction,
    ImmediateDispatcher,
    ManualClock,
    TransactionRequested,
)

from .conftest import RecordingDelegate, phone, update

NUMBERS = ["+15550000001", "+15550000002", "+15550000003", "+15550000004"]
OUTGOING = {CallState.STARTING, CallState.DIALING, CallState.CONNECTING}


def run(coro: Coroutine[Any, Any, Any]) -> Any:
    """Drive a coroutine that never suspends (the system's async methods do not)."""
    try:
        coro.send(None)
    except StopIteration as stop:
        return stop.value
    coro.close()
    raise AssertionError("coroutine suspended")


class CallKitMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.clock = ManualClock(0.0)
        self.system = CallSystem(
            self.clock, ImmediateDispatcher(), unanswered_timeout=30.0, action_timeout=10.0
        )
        # Two apps: a main one and a second VoIP app with its own limits.
        self.delegates = [RecordingDelegate(auto=False), RecordingDelegate(auto=False)]
        self.providers = [
            CXProvider(
                CXProviderConfiguration(
                    localized_name=f"App{i}",
                    maximum_call_groups=2 - i,
                    maximum_calls_per_call_group=3,
                ),
                system=self.system,
            )
            for i in range(2)
        ]
        self.controllers = []
        for provider, delegate in zip(self.providers, self.delegates, strict=True):
            provider.set_delegate(delegate)
            self.controllers.append(CXCallController(system=self.system, provider=provider))
        self.uuids: list[uuid.UUID] = []

    @property
    def held(self) -> list[CXAction]:
        return self.delegates[0].held + self.delegates[1].held

    def provider_for(self, data: st.DataObject, call_uuid: uuid.UUID) -> CXProvider:
        """Usually the call's own provider; sometimes the wrong one."""
        call = self.system.call(call_uuid)
        if call is not None and data.draw(st.integers(0, 9)) > 0:
            return self.providers[0 if call.provider_name == "App0" else 1]
        return data.draw(st.sampled_from(self.providers))

    def pick(self, data: st.DataObject) -> uuid.UUID:
        """Mostly a live call, sometimes an ended or unknown one."""
        live = [call.uuid for call in self.system.calls]
        roll = data.draw(st.integers(0, 9))
        if live and roll < 8:
            return data.draw(st.sampled_from(live))
        if self.uuids and roll < 9:
            return data.draw(st.sampled_from(self.uuids))
        return uuid.uuid4()

    def provider_for_live(self, call_uuid: uuid.UUID) -> CXProvider:
        call = self.system.call(call_uuid)
        assert call is not None
        return self.providers[0 if call.provider_name == "App0" else 1]

    # -- the app reports ------------------------------------------------------------------

    @rule(number=st.sampled_from(NUMBERS), app=st.integers(0, 1))
    def report_incoming(self, number: str, app: int) -> None:
        u = uuid.uuid4()
        try:
            run(self.providers[app].report_new_incoming_call(u, update(number)))
        except CallKitError:
            return
        self.uuids.append(u)

    @rule(number=st.sampled_from(NUMBERS), app=st.integers(0, 1))
    def start_outgoing(self, number: str, app: int) -> None:
        u = uuid.uuid4()
        try:
            run(
                self.controllers[app].request_transaction_with_action(
                    CXStartCallAction(u, phone(number))
                )
            )
        except CallKitError:
            return
        self.uuids.append(u)

    @rule(data=st.data(), kind=st.sampled_from(["connecting", "connected", "ended", "updated"]))
    def provider_report(self, data: st.DataObject, kind: str) -> None:
        u = self.pick(data)
        provider = self.provider_for(data, u)
        try:
            if kind == "connecting":
                provider.report_outgoing_call_started_connecting(u)
            elif kind == "connected":
                provider.report_outgoing_call_connected(u)
            elif kind == "ended":
                reason = data.draw(st.sampled_from(list(CXCallEndedReason)))
                provider.report_call_ended(u, None, reason)
            else:
                provider.report_call_updated(
                    u, CXCallUpdate(supports_holding=data.draw(st.booleans()))
                )
        except CallKitError:
            pass

    # -- the user on the call screen ------------------------------------------------------

    @rule(
        data=st.data(),
        intent=st.sampled_from(
            [
                "answer",
                "decline",
                "end",
                "hold",
                "unhold",
                "mute",
                "dtmf",
                "hold_and_accept",
                "end_and_accept",
                "unmerge",
            ]
        ),
    )
    def user_intent(self, data: st.DataObject, intent: str) -> None:
        u = self.pick(data)
        s = self.system
        calls = {
            "answer": lambda: s.answer(u),
            "decline": lambda: s.decline(u),
            "end": lambda: s.end(u),
            "hold": lambda: s.set_held(u, True),
            "unhold": lambda: s.set_held(u, False),
            "mute": lambda: s.set_muted(u, True),
            "dtmf": lambda: s.play_dtmf(u, "1,2"),
            "hold_and_accept": lambda: s.hold_and_accept(u),
            "end_and_accept": lambda: s.end_and_accept(u),
            "unmerge": lambda: s.unmerge(u),
        }
        try:
            run(calls[intent]())
        except CallKitError:
            pass

    @rule(intent=st.sampled_from(["swap", "merge"]))
    def user_two_call_intent(self, intent: str) -> None:
        try:
            run(self.system.swap() if intent == "swap" else self.system.merge())
        except CallKitError:
            pass

    @rule(roll=st.integers(0, 4))
    def toggle_dnd(self, roll: int) -> None:
        if roll == 0 or self.system.do_not_disturb:  # mostly off, so calls get through
            self.system.do_not_disturb = not self.system.do_not_disturb

    @rule(data=st.data())
    def connect_outgoing(self, data: st.DataObject) -> None:
        """The far end picks up: the app reports connecting and connected."""
        dialing = [c.uuid for c in self.system.calls if c.state in OUTGOING]
        if not dialing:
            return
        u = data.draw(st.sampled_from(dialing))
        if self.system.call(u).state is not CallState.CONNECTING:  # type: ignore[union-attr]
            self.provider_for_live(u).report_outgoing_call_started_connecting(u)
        self.provider_for_live(u).report_outgoing_call_connected(u)

    @rule(data=st.data())
    def toggle_hold(self, data: st.DataObject) -> None:
        connected = [c for c in self.system.calls if c.state in (CallState.ACTIVE, CallState.HELD)]
        if not connected:
            return
        call = data.draw(st.sampled_from(connected))
        try:
            run(self.system.set_held(call.uuid, not call.is_on_hold))
        except CallKitError:
            pass

    @rule(data=st.data(), how=st.sampled_from(["answer", "hold_and_accept", "end_and_accept"]))
    def pick_up_ringing(self, data: st.DataObject, how: str) -> None:
        ringing = [c.uuid for c in self.system.calls if c.state is CallState.RINGING]
        if not ringing:
            return
        u = data.draw(st.sampled_from(ringing))
        intent = getattr(self.system, how)
        try:
            run(intent(u))
        except CallKitError:
            pass

    # -- the app resolves actions, time passes ---------------------------------------------

    @rule(data=st.data(), fulfil=st.booleans())
    def resolve(self, data: st.DataObject, fulfil: bool) -> None:
        if not self.held:
            return
        action: CXAction = data.draw(st.sampled_from(self.held))
        if action.is_complete:
            try:
                action.fulfill()
            except ActionAlreadyCompletedError:
                return
            raise AssertionError("a completed action was resolved again")
        if fulfil:
            action.fulfill()
        else:
            action.fail()

    @rule()
    def fulfil_all(self) -> None:
        for action in self.held:
            if not action.is_complete:
                action.fulfill()

    @rule(auto=st.booleans())
    def app_answers_at_once(self, auto: bool) -> None:
        for delegate in self.delegates:
            delegate.auto = auto

    @rule(seconds=st.sampled_from([0.5, 3.0, 9.99, 10.0, 31.0]))
    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)

    @rule(roll=st.integers(0, 9), app=st.integers(0, 1))
    def reset(self, roll: int, app: int) -> None:
        if roll == 0:
            self.system.reset_provider(self.providers[app])

    # -- invariants -------------------------------------------------------------------------

    @invariant()
    def calls_are_consistent(self) -> None:
        groups: dict[uuid.UUID, int] = {}
        for call in self.system.calls:
            assert call.state is not CallState.ENDED and not call.has_ended
            assert call.is_on_hold == (call.state is CallState.HELD)
            assert call.has_connected == (call.connected_at is not None)
            if call.state in (CallState.ACTIVE, CallState.HELD):
                assert call.has_connected
            if call.state in OUTGOING:
                assert call.is_outgoing
            if call.state in (CallState.RINGING, CallState.ANSWERING):
                assert not call.is_outgoing
            if call.state is CallState.RINGING:
                assert call.started_at + 30.0 > self.clock.now(), "rang past the timeout"
            if call.group_uuid is not None:
                groups[call.group_uuid] = groups.get(call.group_uuid, 0) + 1
        assert all(2 <= n <= 3 for n in groups.values()), groups

    @invariant()
    def no_action_overdue(self) -> None:
        now = self.clock.now()
        for action in self.system.pending_actions:
            assert not action.is_complete
            if action.timeout_date is not None:
                assert action.timeout_date > now

    @invariant()
    def audio_matches_calls(self) -> None:
        for provider in self.providers:
            needed = any(
                r.audio_granted and r.is_live and r.provider is provider
                for r in self.system._records.values()
            )
            assert provider.audio_session.is_active == needed

    def teardown(self) -> None:
        for call in self.system.calls:
            provider = self.provider_for_live(call.uuid)
            provider.report_call_ended(call.uuid, None, CXCallEndedReason.REMOTE_ENDED)
        for _ in range(20):  # queued DTMF tones are delivered (then time out) one by one
            self.clock.advance(10.0)
        s = self.system
        assert s.calls == [] and s.pending_actions == []
        assert not s.audio_active
        assert not s._dtmf_busy and not s._dtmf_waiting and not s._transactions
        assert self.clock.pending_timers == 0
        requested = [
            u for e in s.events if isinstance(e, TransactionRequested) for u in e.action_uuids
        ]
        resolved = [
            e.action_uuid
            for e in s.events
            if isinstance(e, (ActionFulfilled, ActionFailed, ActionTimedOut))
        ]
        assert sorted(map(str, requested)) == sorted(map(str, resolved))


CallKitMachine.TestCase.settings = settings(
    max_examples=200,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestCallKitMachine = CallKitMachine.TestCase
