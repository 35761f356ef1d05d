"""Answer before the INVITE: postponed until it arrives; no INVITE ends as failed."""

from __future__ import annotations

from softphone.pushkit import ManualClock, PendingInvite, PendingInviteState, Rule


def make(clock: ManualClock) -> tuple[PendingInvite, list[str]]:
    log: list[str] = []
    p = PendingInvite(
        "c1",
        clock,
        lambda: log.append("answer"),
        lambda r, d: log.append(f"{r.value}:{d}"),
        invite_timeout=20,
    )
    return p, log


def test_answer_waits_for_invite() -> None:
    clock = ManualClock()
    p, log = make(clock)
    assert p.answer_requested() is False
    assert p.state == PendingInviteState.answer_pending and log == []
    clock.advance(5)
    p.invite_arrived()
    assert log == ["answer"] and p.state == PendingInviteState.answered
    clock.advance(60)
    assert log == ["answer"]


def test_invite_first_then_answer_is_immediate() -> None:
    clock = ManualClock()
    p, log = make(clock)
    p.invite_arrived()
    assert log == [] and p.state == PendingInviteState.invite_received
    assert p.answer_requested() is True and log == ["answer"]
    assert clock.pending_timers == 0


def test_no_invite_fails_with_rule() -> None:
    clock = ManualClock()
    p, log = make(clock)
    p.answer_requested()
    clock.advance(19.9)
    assert log == []
    clock.advance(0.2)
    assert p.state == PendingInviteState.failed
    assert log and log[0].startswith(Rule.invite_timeout.value)
    p.invite_arrived()
    assert p.answer_requested() is False and len(log) == 1


def test_cancel_stops_timer() -> None:
    clock = ManualClock()
    p, log = make(clock)
    p.cancel()
    clock.advance(30)
    assert log == [] and p.state == PendingInviteState.cancelled and p.done


def test_registry_factory_emits_rule_in_event_stream() -> None:
    from softphone.pushkit import EmulatedDevice, PKPushRegistry, PushKitEvent, RuleViolated

    clock = ManualClock()
    reg = PKPushRegistry(device=EmulatedDevice(clock))
    events: list[PushKitEvent] = []
    reg.subscribe(events.append)
    failed: list[str] = []
    p = reg.pending_invite("c9", lambda: None, lambda r, d: failed.append(d), invite_timeout=5)
    p.answer_requested()
    clock.advance(5)
    violations = [e for e in events if isinstance(e, RuleViolated)]
    assert [(v.rule, v.call_id) for v in violations] == [(Rule.invite_timeout, "c9")]
    assert failed and "c9" in failed[0]
