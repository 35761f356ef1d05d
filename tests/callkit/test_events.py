"""The event stream, call observers, and delegates on asyncio queues."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from softphone.callkit import (
    CallKitError,
    CallKitEvent,
    CallState,
    CallSystem,
    CXAction,
    CXCall,
    CXCallController,
    CXCallObserver,
    CXProvider,
    CXProviderConfiguration,
    CXStartCallAction,
    DeviceLockChanged,
    DoNotDisturbChanged,
    ImmediateDispatcher,
    LoopClock,
    LoopDispatcher,
    ManualClock,
    RuleViolated,
)

from .conftest import of_type, phone, update


class TestStream:
    async def test_subscribe_and_unsubscribe(
        self, system: CallSystem, incoming: Callable[..., Any]
    ) -> None:
        """Subscribers get every event until they unsubscribe."""
        seen: list[CallKitEvent] = []
        unsubscribe = system.subscribe(seen.append)
        await incoming()
        count = len(seen)
        assert count >= 2 and seen == system.events[-count:]
        unsubscribe()
        await incoming("+15550009999")
        assert len(seen) == count

    async def test_timestamps_follow_clock(
        self, system: CallSystem, incoming: Callable[..., Any], clock: ManualClock
    ) -> None:
        """Events carry the clock time at which they happened, in order."""
        await incoming()
        clock.advance(30)
        times = [e.at for e in system.events]
        assert times == sorted(times) and times[0] == 1000.0 and times[-1] == 1030.0

    async def test_broken_subscriber_is_contained(
        self, system: CallSystem, incoming: Callable[..., Any]
    ) -> None:
        """A raising subscriber does not break the system or other subscribers."""
        seen: list[CallKitEvent] = []

        def broken(event: CallKitEvent) -> None:
            raise RuntimeError("boom")

        system.subscribe(broken)
        system.subscribe(seen.append)
        u = await incoming()
        assert seen and system.call(u) is not None

    def test_toggles(self, system: CallSystem) -> None:
        """DND and lock changes are events; repeating a value emits nothing; types checked."""
        system.do_not_disturb = True
        system.do_not_disturb = True
        system.device_locked = True
        assert [type(e) for e in system.events] == [DoNotDisturbChanged, DeviceLockChanged]
        with pytest.raises(TypeError):
            system.do_not_disturb = 1  # type: ignore[assignment]

    def test_history_is_bounded(self, clock: ManualClock) -> None:
        """The history keeps the newest events within its limit; subscribers see all."""
        system = CallSystem(clock, ImmediateDispatcher(), event_history_limit=8)
        seen: list[CallKitEvent] = []
        system.subscribe(seen.append)
        for i in range(40):
            system.device_locked = i % 2 == 0
        assert len(seen) == 40
        assert 8 <= len(system.events) <= 10 and system.events[-1] is seen[-1]

    def test_bad_construction(self, clock: ManualClock) -> None:
        """Nonsense timeouts are refused."""
        with pytest.raises(ValueError):
            CallSystem(clock, unanswered_timeout=0)
        with pytest.raises(TypeError):
            CallSystem(clock, action_timeout="10")  # type: ignore[arg-type]


class _Watcher:
    def __init__(self) -> None:
        self.seen: list[CXCall] = []

    def call_changed(self, observer: CXCallObserver, call: CXCall) -> None:
        self.seen.append(call)


class TestObserver:
    async def test_observer_sees_changes(
        self, system: CallSystem, controller: CXCallController, incoming: Callable[..., Any]
    ) -> None:
        """call_changed reports each state change, ending with has_ended."""
        watcher = _Watcher()
        controller.call_observer.set_delegate(watcher)
        u = await incoming()
        await system.answer(u)
        await system.end(u)
        states = [c.state for c in watcher.seen if c.uuid == u]
        assert states[0] is CallState.RINGING and states[-1] is CallState.ENDED
        assert CallState.ACTIVE in states
        assert watcher.seen[-1].has_ended and controller.call_observer.calls == []


class TestDelegates:
    async def test_raising_delegate_is_contained(self, system: CallSystem) -> None:
        """A delegate that raises is reported as a rule violation; its action times out."""

        class Broken:
            def perform_start_call_action(self, provider: CXProvider, action: CXAction) -> None:
                raise RuntimeError("bug in app")

        p = CXProvider(CXProviderConfiguration(), system=system)
        p.set_delegate(Broken())
        c = CXCallController(system=system, provider=p)
        action = CXStartCallAction(uuid.uuid4(), phone())
        await c.request_transaction_with_action(action)
        assert any(e.rule == "delegate_raised" for e in of_type(system, RuleViolated))
        system.clock.advance(10)  # type: ignore[attr-defined]
        assert action.is_complete and system.calls == []

    async def test_async_delegate_on_loop(self) -> None:
        """Async delegate methods on a LoopDispatcher run on the loop and may fulfil later."""
        system = CallSystem(LoopClock(), LoopDispatcher(), action_timeout=5.0)

        class AsyncApp:
            def __init__(self) -> None:
                self.activated = asyncio.Event()
                self.deactivated = asyncio.Event()

            async def perform_answer_call_action(
                self, provider: CXProvider, action: CXAction
            ) -> None:
                await asyncio.sleep(0)  # yield like a SIP round trip would
                action.fulfill()

            async def perform_end_call_action(self, provider: CXProvider, action: CXAction) -> None:
                await asyncio.sleep(0)
                action.fulfill()

            def did_activate_audio_session(self, provider: CXProvider, session: Any) -> None:
                self.activated.set()

            def did_deactivate_audio_session(self, provider: CXProvider, session: Any) -> None:
                self.deactivated.set()

        app = AsyncApp()
        provider = CXProvider(CXProviderConfiguration(), system=system)
        provider.set_delegate(app)
        u = uuid.uuid4()
        await provider.report_new_incoming_call(u, update())
        await system.answer(u)
        await asyncio.wait_for(app.activated.wait(), timeout=5)
        assert system.call(u).state is CallState.ACTIVE  # type: ignore[union-attr]
        assert system.pending_actions == []
        await system.end(u)
        assert system.pending_actions  # delivered later, on the loop
        await asyncio.wait_for(app.deactivated.wait(), timeout=5)
        assert system.calls == [] and system.pending_actions == []

    async def test_delegate_queue_override(self, system: CallSystem) -> None:
        """set_delegate(queue=...) routes delegate calls through that dispatcher."""
        ran: list[str] = []

        class Recording(ImmediateDispatcher):
            def dispatch(self, callback: Callable[[], None]) -> None:
                ran.append("queued")
                callback()

        p = CXProvider(CXProviderConfiguration(), system=system)

        class App:
            def provider_did_begin(self, provider: CXProvider) -> None:
                ran.append("began")

        p.set_delegate(App(), queue=Recording())
        assert ran == ["queued", "began"]


async def test_events_serialise_to_json(
    system: CallSystem, incoming: Callable[..., Any], outgoing: Callable[..., Any]
) -> None:
    """Every event turns into plain JSON (for the control API and the inspector)."""
    system.call_directory.replace_all([15550000009])
    first = await incoming(name="Ann")
    await incoming("+15550000002")
    await outgoing()
    with pytest.raises(CallKitError):
        await incoming("+15550000009")
    for u in [c.uuid for c in system.calls]:
        await system.end(u)
    dumped = [json.loads(json.dumps(e.to_dict())) for e in system.events]
    types = {d["type"] for d in dumped}
    assert {"IncomingCallRejected", "CallEnded", "CallStateChanged", "ActionFulfilled"} <= types
    rejected = next(d for d in dumped if d["type"] == "IncomingCallRejected")
    assert rejected["code"] == "CXErrorCodeIncomingCallError.FILTERED_BY_BLOCK_LIST"
    assert rejected["handle"] == {"type": "phone_number", "value": "+15550000009"}
    ended = next(d for d in dumped if d["type"] == "CallEnded")
    assert ended["call_uuid"] == str(first) and ended["localized_caller_name"] == "Ann"
    assert ended["recents_status"] == "declined"
