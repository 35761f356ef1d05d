"""PKPushRegistry and the delivery rules of VoIP pushes.

Rules (each broken rule is emitted as :class:`RuleViolated` with its :class:`Rule`):

* a VoIP push must be reported as an incoming call (``reported_call``) before the push
  handler returns or calls its completion, else the app is killed;
* a second check ``report_check_delay`` (~7 s) after delivery kills an app that reported
  nothing (a handler that never returns);
* after ``max_failures`` (3) kills VoIP pushes are no longer delivered until
  :meth:`PKPushRegistry.reinstall`;
* exempt: the app is already on a call; a push for an already active call id is recognised;
* pushes past ``apns-expiration`` are not delivered; pushes older than the answer window
  are delivered marked ``stale`` (report, then end as missed).
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import itertools
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from ._clock import Clock, LoopClock, TimerHandle
from ._device import EmulatedDevice, EventListener
from ._events import (
    AppKilled,
    AppState,
    CallReported,
    PushDelivered,
    PushDropped,
    Rule,
    RuleViolated,
)
from ._pending_invite import PendingInvite
from ._types import PKPushCredentials, PKPushPayload, PKPushType
from .payloads import parse_voip_payload

__all__ = ["PKPushRegistry", "PKPushRegistryDelegate", "PushDelivery"]


class PKPushRegistryDelegate(Protocol):
    """Apple: ``PKPushRegistryDelegate``."""

    def did_update_push_credentials(
        self, registry: PKPushRegistry, credentials: PKPushCredentials, type: PKPushType
    ) -> None:
        """Apple: ``pushRegistry(_:didUpdate:for:)``."""

    def did_invalidate_push_token(self, registry: PKPushRegistry, type: PKPushType) -> None:
        """Apple: ``pushRegistry(_:didInvalidatePushTokenFor:)``."""

    def did_receive_incoming_push(
        self,
        registry: PKPushRegistry,
        payload: PKPushPayload,
        type: PKPushType,
        completion: Callable[[], None],
    ) -> Any:
        """Apple: ``pushRegistry(_:didReceiveIncomingPushWith:for:completion:)``.

        Report the call (CallKit, then ``registry.reported_call(call_id)``) before
        returning or calling ``completion``. May be a coroutine function."""


@dataclass
class PushDelivery:
    """What happened to one push (filled in as the handler runs)."""

    push_id: str
    call_id: str = ""
    delivered: bool = False
    dropped_reason: str = ""
    reported: bool = False
    exempt: str = ""
    handler_done: bool = False
    killed_by: Rule | None = None
    payload: PKPushPayload | None = None
    _timer: TimerHandle | None = field(default=None, repr=False)


class PKPushRegistry:
    """Apple: ``PKPushRegistry(queue:)`` with the emulated system's delivery rules."""

    def __init__(
        self,
        queue: asyncio.AbstractEventLoop | None = None,
        *,
        delegate: PKPushRegistryDelegate | None = None,
        desired_push_types: Iterable[PKPushType] = (),
        device: EmulatedDevice | None = None,
        clock: Clock | None = None,
        token_factory: Callable[[], bytes] = lambda: secrets.token_bytes(32),
        answer_window: float = 60.0,
        report_check_delay: float = 7.0,
        max_failures: int = 3,
        is_on_call: Callable[[], bool] | None = None,
    ) -> None:
        self._queue = queue
        self.clock: Clock = clock or (device.clock if device else LoopClock(queue))
        self.device = device or EmulatedDevice(self.clock)
        self.delegate = delegate
        self.answer_window = answer_window
        self.report_check_delay = report_check_delay
        self.max_failures = max_failures
        self._is_on_call = is_on_call or (lambda: False)
        self._token_factory = token_factory
        self._tokens: dict[PKPushType, bytes] = {}
        self._desired: frozenset[PKPushType] = frozenset()
        self._pending: list[PushDelivery] = []
        self._active_calls: set[str] = set()
        self._ids = itertools.count(1)
        self.failures = 0
        self.deliveries: list[PushDelivery] = []
        self.desired_push_types = frozenset(desired_push_types)

    # -- tokens ---------------------------------------------------------------------------
    @property
    def desired_push_types(self) -> frozenset[PKPushType]:
        """Apple: ``desiredPushTypes``; setting it issues tokens (``didUpdate``)."""
        return self._desired

    @desired_push_types.setter
    def desired_push_types(self, types: Iterable[PKPushType]) -> None:
        new = frozenset(types)
        for gone in self._desired - new:
            if self._tokens.pop(gone, None) is not None:
                self._call_delegate(functools.partial(self._delegate_invalidate, gone))
        self._desired = new
        for added in sorted(new - set(self._tokens), key=lambda t: t.value):
            self._issue_token(added)

    def push_token_for(self, type: PKPushType) -> bytes | None:
        """Apple: ``pushToken(for:)``."""
        return self._tokens.get(type)

    def invalidate_push_token(self, type: PKPushType = PKPushType.voip) -> None:
        """The system drops a token (e.g. the app was uninstalled on the server side)."""
        if self._tokens.pop(type, None) is not None:
            self._call_delegate(lambda: self._delegate_invalidate(type))

    def reinstall(self) -> None:
        """Reset the app like a reinstall: failures cleared, delivery back, new tokens."""
        self.failures = 0
        for t in list(self._tokens):
            self.invalidate_push_token(t)
        for t in sorted(self._desired, key=lambda t: t.value):
            self._issue_token(t)

    @property
    def voip_delivery_stopped(self) -> bool:
        return self.failures >= self.max_failures

    def _issue_token(self, type: PKPushType) -> None:
        token = self._token_factory()
        self._tokens[type] = token
        creds = PKPushCredentials(token, type)
        self._call_delegate(lambda: self._delegate_update(creds))

    def _delegate_update(self, creds: PKPushCredentials) -> None:
        if self.delegate is not None:
            self.delegate.did_update_push_credentials(self, creds, creds.type)

    def _delegate_invalidate(self, type: PKPushType) -> None:
        if self.delegate is not None:
            self.delegate.did_invalidate_push_token(self, type)

    # -- events and calls -----------------------------------------------------------------
    def subscribe(self, listener: EventListener) -> Callable[[], None]:
        """Hear every PushKit event (rules, deliveries, app state); returns unsubscribe."""
        return self.device.subscribe(listener)

    @property
    def active_calls(self) -> frozenset[str]:
        return frozenset(self._active_calls)

    def reported_call(self, call_id: str) -> None:
        """The app reported an incoming call to CallKit (``reportNewIncomingCall``)."""
        self._active_calls.add(call_id)
        target = next((d for d in self._pending if d.call_id == call_id), None)
        if target is None:
            target = next((d for d in self._pending if not d.reported), None)
        if target is not None:
            target.reported = True
            self._settle(target)
        self.device.emit(CallReported(self.clock.now(), call_id, target.push_id if target else ""))

    def pending_invite(
        self,
        call_id: str,
        on_answer: Callable[[], None],
        on_failed: Callable[[Rule, str], None],
        invite_timeout: float = 20.0,
    ) -> PendingInvite:
        """A :class:`PendingInvite` on this registry's clock whose timeout is emitted as
        ``RuleViolated(invite_timeout)`` in this registry's event stream."""
        return PendingInvite(
            call_id, self.clock, on_answer, on_failed, invite_timeout, self.device.emit
        )

    def call_started(self, call_id: str) -> None:
        """The app has a call with this id that no push announced (its INVITE came
        first): a later push for it is recognised as being for the active call."""
        self._active_calls.add(call_id)

    def call_ended(self, call_id: str) -> None:
        """The app's call ended (it no longer counts as on a call)."""
        self._active_calls.discard(call_id)

    def _on_call(self) -> bool:
        return bool(self._active_calls) or self._is_on_call()

    # -- delivery -------------------------------------------------------------------------
    def receive_push(
        self,
        payload: Any,
        *,
        push_type: PKPushType = PKPushType.voip,
        push_id: str = "",
        expiration: float | None = None,
        sent_at: float | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> PushDelivery:
        """The system receives a push from APNs and (maybe) delivers it to the app."""
        now = self.clock.now()
        delivery = PushDelivery(push_id or f"push-{next(self._ids)}")
        self.deliveries.append(delivery)
        if push_type not in self._desired or push_type not in self._tokens:
            return self._drop(delivery, f"the app has no {push_type.value} token")
        if expiration is not None and expiration > 0 and now > expiration:
            self._violation(Rule.push_expired, "push expired before delivery", delivery)
            return self._drop(delivery, "expired (apns-expiration)")
        if push_type == PKPushType.voip and self.voip_delivery_stopped:
            self._violation(
                Rule.voip_delivery_stopped,
                f"{self.failures} unreported VoIP pushes: delivery stopped until reinstall",
                delivery,
            )
            return self._drop(delivery, "VoIP delivery stopped (reinstall to reset)")
        call = parse_voip_payload(payload) if push_type == PKPushType.voip else None
        delivery.call_id = call.call_id if call else ""
        origin = call.sent_at if call and call.sent_at is not None else sent_at
        age = max(0.0, now - origin) if origin is not None else 0.0
        stale = push_type == PKPushType.voip and age > self.answer_window
        for_active = bool(call and call.call_id and call.call_id in self._active_calls)
        pk_payload = PKPushPayload(
            dict(payload) if isinstance(payload, Mapping) else {"payload": payload},
            push_type,
            call,
            age,
            stale,
            for_active,
            dict(headers or {}),
        )
        delivery.payload = pk_payload
        woke = self.device.state in (AppState.not_running, AppState.suspended)
        if self.device.state == AppState.not_running:
            self.device.set_state(AppState.background, "voip-push-launch")
        elif self.device.state == AppState.suspended:
            self.device.set_state(AppState.background, "voip-push-wake")
        delivery.delivered = True
        if for_active:
            delivery.exempt = "push for an already active call"
        elif push_type == PKPushType.voip and self._on_call():
            delivery.exempt = "the app is already on a call"
        self.device.emit(
            PushDelivered(
                now,
                delivery.push_id,
                delivery.call_id,
                call.caller_name if call else "",
                woke,
                for_active,
                stale,
                self.device.locked,
            )
        )
        if stale:
            self._violation(
                Rule.answer_window,
                f"push is {age:.0f} s old (answer window {self.answer_window:.0f} s): "
                "report it and end it as missed",
                delivery,
            )
        if push_type == PKPushType.voip and not delivery.exempt:
            self._pending.append(delivery)
            delivery._timer = self.clock.call_later(
                self.report_check_delay, lambda: self._late_check(delivery)
            )
        self._call_delegate(lambda: self._run_handler(delivery, pk_payload))
        return delivery

    def _run_handler(self, delivery: PushDelivery, payload: PKPushPayload) -> None:
        if self.delegate is None:
            self._handler_done(delivery)
            return

        def completion() -> None:
            self._handler_done(delivery)

        try:
            result = self.delegate.did_receive_incoming_push(
                self, payload, payload.type, completion
            )
        except Exception as exc:  # the app crashed in its handler
            self.device.terminate(f"crashed: {exc!r}")
            self._handler_done(delivery)
            return
        if inspect.isawaitable(result):
            task = asyncio.ensure_future(result, loop=self._queue)
            task.add_done_callback(lambda _t: self._handler_done(delivery))
        else:
            self._handler_done(delivery)

    def _handler_done(self, delivery: PushDelivery) -> None:
        if delivery.handler_done:
            return
        delivery.handler_done = True
        if delivery in self._pending and not delivery.reported and delivery.killed_by is None:
            self._kill(
                delivery,
                Rule.report_before_handler_returns,
                "push handler returned without reporting an incoming call",
            )

    def _late_check(self, delivery: PushDelivery) -> None:
        delivery._timer = None
        if not delivery.reported and delivery.killed_by is None and delivery in self._pending:
            self._kill(
                delivery,
                Rule.report_within_7s,
                f"no call reported {self.report_check_delay:.0f} s after the push",
            )

    def _settle(self, delivery: PushDelivery) -> None:
        if delivery._timer is not None:
            delivery._timer.cancel()
            delivery._timer = None
        if delivery in self._pending:
            self._pending.remove(delivery)

    def _kill(self, delivery: PushDelivery, rule: Rule, detail: str) -> None:
        delivery.killed_by = rule
        self.failures += 1
        for pending in list(self._pending):
            self._settle(pending)
        self._active_calls.clear()
        self._violation(rule, f"{detail}: app killed", delivery)
        self.device.terminate(f"killed: {rule.value}")
        self.device.emit(AppKilled(self.clock.now(), rule, self.failures))
        if self.voip_delivery_stopped:
            self._violation(
                Rule.voip_delivery_stopped,
                f"{self.failures} failures: VoIP pushes are no longer delivered to the app",
                delivery,
            )

    def _drop(self, delivery: PushDelivery, reason: str) -> PushDelivery:
        delivery.dropped_reason = reason
        self.device.emit(PushDropped(self.clock.now(), delivery.push_id, reason))
        return delivery

    def _violation(self, rule: Rule, detail: str, delivery: PushDelivery) -> None:
        self.device.emit(
            RuleViolated(self.clock.now(), rule, detail, delivery.push_id, delivery.call_id)
        )

    def _call_delegate(self, fn: Callable[[], None]) -> None:
        if self._queue is None:
            fn()
        else:
            self._queue.call_soon(fn)
