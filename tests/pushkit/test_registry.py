"""PKPushRegistry delivery rules, driven by a manual clock (no sleeping)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from softphone.pushkit import (
    AppKilled,
    AppState,
    AppStateChanged,
    EmulatedDevice,
    ManualClock,
    PKPushCredentials,
    PKPushPayload,
    PKPushRegistry,
    PKPushType,
    PushDelivered,
    PushDropped,
    PushKitEvent,
    Rule,
    RuleViolated,
)

VOIP = PKPushType.voip


def flexi(call_id: str = "c1", name: str = "Bob") -> dict[str, Any]:
    return {"aps": {}, "call-id": call_id, "from-uri": "sip:bob@x", "display-name": name}


class App:
    """A delegate that behaves as told: report, or not."""

    def __init__(self, report: bool = True, complete: bool = True) -> None:
        self.report = report
        self.complete = complete
        self.tokens: list[PKPushCredentials] = []
        self.invalidated: list[PKPushType] = []
        self.pushes: list[PKPushPayload] = []
        self.completion: Callable[[], None] | None = None

    def did_update_push_credentials(
        self, registry: PKPushRegistry, credentials: PKPushCredentials, type: PKPushType
    ) -> None:
        self.tokens.append(credentials)

    def did_invalidate_push_token(self, registry: PKPushRegistry, type: PKPushType) -> None:
        self.invalidated.append(type)

    def did_receive_incoming_push(
        self,
        registry: PKPushRegistry,
        payload: PKPushPayload,
        type: PKPushType,
        completion: Callable[[], None],
    ) -> None:
        self.pushes.append(payload)
        if self.report:
            assert payload.call is not None
            registry.reported_call(payload.call.call_id or "unknown")
        self.completion = completion
        if self.complete:
            completion()


def make(
    app: App, state: AppState = AppState.suspended
) -> tuple[PKPushRegistry, ManualClock, list[PushKitEvent]]:
    clock = ManualClock()
    device = EmulatedDevice(clock, state)
    reg = PKPushRegistry(delegate=app, desired_push_types=[VOIP], device=device)
    events: list[PushKitEvent] = []
    reg.subscribe(events.append)
    return reg, clock, events


def violations(events: list[PushKitEvent]) -> list[Rule]:
    return [e.rule for e in events if isinstance(e, RuleViolated)]


def test_token_issued_on_desired_types_and_invalidated() -> None:
    app = App()
    reg, _, _ = make(app)
    token = reg.push_token_for(VOIP)
    assert token is not None and len(token) == 32
    assert app.tokens == [PKPushCredentials(token, VOIP)]
    assert app.tokens[0].token_hex == token.hex()
    reg.invalidate_push_token(VOIP)
    assert app.invalidated == [VOIP] and reg.push_token_for(VOIP) is None
    drop = reg.receive_push(flexi())
    assert not drop.delivered and "no" in drop.dropped_reason


def test_reported_push_wakes_suspended_app_and_starts_sip() -> None:
    app = App()
    reg, clock, events = make(app)
    d = reg.receive_push(flexi("abc"))
    assert d.delivered and d.reported and d.killed_by is None
    assert reg.device.state == AppState.background and reg.device.sip_allowed
    change = next(e for e in events if isinstance(e, AppStateChanged))
    assert (change.old, change.new, change.reason) == (
        AppState.suspended,
        AppState.background,
        "voip-push-wake",
    )
    assert app.pushes[0].call is not None and app.pushes[0].call.caller_name == "Bob"
    clock.advance(10)
    assert violations(events) == [] and reg.failures == 0


def test_push_launches_app_that_is_not_running() -> None:
    reg, _, events = make(App(), AppState.not_running)
    reg.device.lock()
    reg.receive_push(flexi())
    assert [e.device_locked for e in events if isinstance(e, PushDelivered)] == [True]
    assert reg.device.state == AppState.background
    assert any(isinstance(e, PushDelivered) and e.woke_app for e in events)
    assert any(isinstance(e, AppStateChanged) and e.reason == "voip-push-launch" for e in events)


def test_unreported_push_kills_app_when_handler_returns() -> None:
    reg, _, events = make(App(report=False))
    d = reg.receive_push(flexi())
    assert d.killed_by == Rule.report_before_handler_returns
    assert reg.device.state == AppState.not_running and not reg.device.sip_allowed
    assert violations(events) == [Rule.report_before_handler_returns]
    assert any(isinstance(e, AppKilled) and e.failures == 1 for e in events)


def test_sync_handler_returning_without_completion_still_checked_on_return() -> None:
    """Not calling completion does not save an app that returned without reporting."""
    reg, clock, _ = make(App(report=False, complete=False))
    d = reg.receive_push(flexi())
    assert d.killed_by == Rule.report_before_handler_returns
    assert clock.pending_timers == 0


def test_report_after_completion_is_too_late() -> None:
    """Calling completion first, then reporting: killed at completion."""
    reg, _, _ = make(App())

    class Wrong(App):
        def did_receive_incoming_push(self, registry, payload, type, completion):  # type: ignore[no-untyped-def]
            completion()
            registry.reported_call("c1")

    reg.delegate = Wrong()
    d = reg.receive_push(flexi("c1"))
    assert d.killed_by == Rule.report_before_handler_returns


async def test_async_handler_stuck_killed_by_7s_check() -> None:
    clock = ManualClock()
    loop = asyncio.get_running_loop()
    forever: asyncio.Future[None] = loop.create_future()

    class Stuck(App):
        async def did_receive_incoming_push(  # type: ignore[override]
            self,
            registry: PKPushRegistry,
            payload: PKPushPayload,
            type: PKPushType,
            completion: Callable[[], None],
        ) -> None:
            await forever

    reg = PKPushRegistry(
        loop, delegate=Stuck(), desired_push_types=[VOIP], device=EmulatedDevice(clock)
    )
    events: list[PushKitEvent] = []
    reg.subscribe(events.append)
    await asyncio.sleep(0)
    d = reg.receive_push(flexi())
    for _ in range(3):
        await asyncio.sleep(0)
    assert d.delivered and d.killed_by is None
    clock.advance(6.9)
    assert d.killed_by is None
    clock.advance(0.2)
    assert d.killed_by == Rule.report_within_7s
    assert violations(events) == [Rule.report_within_7s]
    forever.set_result(None)
    await asyncio.sleep(0)
    assert reg.failures == 1


async def test_async_handler_that_reports_late_but_before_7s_is_fine() -> None:
    clock = ManualClock()
    loop = asyncio.get_running_loop()
    gate: asyncio.Future[None] = loop.create_future()

    class Slow(App):
        async def did_receive_incoming_push(  # type: ignore[override]
            self,
            registry: PKPushRegistry,
            payload: PKPushPayload,
            type: PKPushType,
            completion: Callable[[], None],
        ) -> None:
            await gate
            registry.reported_call("c1")
            completion()

    reg = PKPushRegistry(
        loop, delegate=Slow(), desired_push_types=[VOIP], device=EmulatedDevice(clock)
    )
    await asyncio.sleep(0)
    d = reg.receive_push(flexi("c1"))
    await asyncio.sleep(0)
    clock.advance(3)
    gate.set_result(None)
    for _ in range(3):
        await asyncio.sleep(0)
    clock.advance(10)
    assert d.reported and d.killed_by is None and reg.failures == 0


def test_three_failures_stop_voip_delivery_until_reinstall() -> None:
    app = App(report=False)
    reg, _, events = make(app)
    for _ in range(3):
        reg.receive_push(flexi())
    assert reg.failures == 3 and reg.voip_delivery_stopped
    assert violations(events).count(Rule.voip_delivery_stopped) == 1
    dropped = reg.receive_push(flexi())
    assert not dropped.delivered and "reinstall" in dropped.dropped_reason
    assert len(app.pushes) == 3
    old = reg.push_token_for(VOIP)
    reg.reinstall()
    assert reg.failures == 0 and reg.push_token_for(VOIP) != old
    app.report = True
    assert reg.receive_push(flexi()).delivered


def test_exempt_when_already_on_a_call() -> None:
    app = App()
    reg, clock, events = make(app)
    reg.receive_push(flexi("first"))
    app.report = False
    d = reg.receive_push(flexi("second"))
    assert d.delivered and d.exempt == "the app is already on a call" and d.killed_by is None
    clock.advance(10)
    assert violations(events) == []
    reg.call_ended("first")
    assert reg.receive_push(flexi("third")).killed_by == Rule.report_before_handler_returns


def test_external_on_call_predicate_exempts() -> None:
    clock = ManualClock()
    reg = PKPushRegistry(
        delegate=App(report=False),
        desired_push_types=[VOIP],
        device=EmulatedDevice(clock),
        is_on_call=lambda: True,
    )
    assert reg.receive_push(flexi()).killed_by is None


def test_push_for_active_call_is_recognised() -> None:
    app = App()
    reg, _, events = make(app)
    reg.receive_push(flexi("same"))
    app.report = False
    d = reg.receive_push(flexi("same"))
    assert d.exempt == "push for an already active call"
    assert app.pushes[-1].for_active_call
    assert [e.for_active_call for e in events if isinstance(e, PushDelivered)] == [False, True]


def test_expired_push_is_not_delivered() -> None:
    app = App()
    reg, clock, events = make(app)
    d = reg.receive_push(flexi(), expiration=clock.now() - 1)
    assert not d.delivered and app.pushes == []
    assert violations(events) == [Rule.push_expired]
    assert any(isinstance(e, PushDropped) for e in events)
    assert reg.receive_push(flexi(), expiration=clock.now() + 5).delivered
    assert reg.receive_push(flexi("z"), expiration=0).delivered


def test_push_older_than_answer_window_is_missed() -> None:
    app = App()
    reg, clock, events = make(app)
    quickblox = {
        "ios_voip": "1",
        "sessionID": "s1",
        "contactIdentifier": "Ann",
        "timestamp": str(int((clock.now() - 90) * 1000)),
    }
    d = reg.receive_push(quickblox)
    assert d.delivered and app.pushes[0].stale and app.pushes[0].age == pytest.approx(90)
    assert violations(events) == [Rule.answer_window]
    fresh = dict(quickblox, sessionID="s2", timestamp=str(int(clock.now() * 1000)))
    reg.receive_push(fresh)
    assert not app.pushes[1].stale


def test_sent_at_header_used_when_payload_has_no_time() -> None:
    app = App()
    reg, clock, _ = make(app)
    reg.receive_push({"twi_call_sid": "CA1", "twi_from": "+1"}, sent_at=clock.now() - 61)
    assert app.pushes[0].stale


def test_unknown_payload_still_delivered_as_unknown_caller() -> None:
    app = App()
    reg, _, _ = make(app)
    d = reg.receive_push(["not", "an", "object"])
    assert d.delivered and app.pushes[0].call is not None
    assert app.pushes[0].call.caller_name == "Unknown caller" and app.pushes[0].call.reason


def test_crashing_handler_terminates_app_and_counts() -> None:
    class Crash(App):
        def did_receive_incoming_push(self, *a: Any) -> None:  # type: ignore[override]
            raise RuntimeError("boom")

    reg, _, _ = make(Crash())
    d = reg.receive_push(flexi())
    assert d.killed_by == Rule.report_before_handler_returns and reg.failures == 1


def test_lifecycle_and_lock_events() -> None:
    clock = ManualClock()
    device = EmulatedDevice(clock, AppState.not_running)
    seen: list[PushKitEvent] = []
    unsubscribe = device.subscribe(seen.append)
    device.launch()
    device.enter_background()
    device.suspend()
    device.lock()
    device.lock()
    device.unlock()
    device.terminate()
    unsubscribe()
    device.launch()
    states = [(e.new, e.sip_allowed) for e in seen if isinstance(e, AppStateChanged)]
    assert states == [
        (AppState.foreground, True),
        (AppState.background, True),
        (AppState.suspended, False),
        (AppState.not_running, False),
    ]
    assert [e.locked for e in seen if hasattr(e, "locked")] == [True, False]


async def test_queue_dispatch_runs_delegate_on_loop() -> None:
    app = App()
    loop = asyncio.get_running_loop()
    reg = PKPushRegistry(
        loop, delegate=app, desired_push_types=[VOIP], device=EmulatedDevice(ManualClock())
    )
    assert app.tokens == []
    await asyncio.sleep(0)
    assert len(app.tokens) == 1
    d = reg.receive_push(flexi())
    assert app.pushes == []
    await asyncio.sleep(0)
    assert d.reported and app.pushes
