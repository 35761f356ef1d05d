"""The emulated iOS call service: owns providers, calls, audio, DND and the call directory.

Apps talk to it through :class:`CXProvider` and :class:`CXCallController`; the system
call screen (the UI) calls the user intents (``answer``, ``decline``, ``swap`` ...), which
become transactions delivered to the provider's delegate exactly as iOS does.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
import uuid as _uuid
import weakref
from collections import deque
from collections.abc import Callable
from typing import Any

from ._actions import (
    CXAction,
    CXPlayDTMFCallAction,
)
from ._call import CXCall, CXCallEndedReason
from ._call_screen import CallScreen
from ._clock import Clock, Dispatcher, LoopClock, LoopDispatcher
from ._directory import CallDirectory
from ._errors import (
    CallKitError,
)
from ._errors import CXErrorCodeRequestTransactionError as TxErr
from ._events import (
    ActionPerformed,
    CallDirectoryReloaded,
    CallKitEvent,
    DeviceLockChanged,
    DoNotDisturbChanged,
    ProviderInvalidated,
    ProviderReset,
    RuleViolated,
    TransactionRequested,
)
from ._observer import CXCallObserver
from ._provider import CXProvider
from ._record import CallRecord
from ._reports import ProviderReports
from ._transaction import CXTransaction
from ._validation import validate_transaction

__all__ = ["CallSystem"]

log = logging.getLogger(__name__)

EventCallback = Callable[[CallKitEvent], None]

_PERFORM = {
    "CXStartCallAction": "perform_start_call_action",
    "CXAnswerCallAction": "perform_answer_call_action",
    "CXEndCallAction": "perform_end_call_action",
    "CXSetHeldCallAction": "perform_set_held_call_action",
    "CXSetMutedCallAction": "perform_set_muted_call_action",
    "CXPlayDTMFCallAction": "perform_play_dtmf_call_action",
    "CXSetGroupCallAction": "perform_set_group_call_action",
}


def _check_timeout(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number of seconds, got {value!r}")
    if not value > 0:
        raise ValueError(f"{name} must be > 0, got {value}")
    return float(value)


def _check_uuid(value: object) -> _uuid.UUID:
    if not isinstance(value, _uuid.UUID):
        raise TypeError(f"a call UUID must be uuid.UUID, got {type(value).__name__}")
    return value


def _action_detail(action: CXAction) -> str:
    skip = {"uuid", "state", "timeout_date", "call_uuid"}
    items = vars(action).items()
    parts = [f"{k}={v!r}" for k, v in items if not k.startswith("_") and k not in skip]
    return ", ".join(parts)


class CallSystem(ProviderReports, CallScreen):
    """The emulated iOS call service (what CallKit talks to: ``callservicesd``).

    :param clock: time and timers (``ManualClock`` in tests, ``LoopClock`` in the app).
    :param dispatcher: default delegate queue (``ImmediateDispatcher``/``LoopDispatcher``).
    :param unanswered_timeout: seconds an incoming call rings before ending as unanswered.
    :param action_timeout: seconds an action may stay unresolved before it times out.
    :param call_directory: the block/identification lists applied to incoming calls.
    :param event_history_limit: how many past events ``events`` keeps (oldest dropped).
    """

    def __init__(
        self,
        clock: Clock | None = None,
        dispatcher: Dispatcher | None = None,
        *,
        unanswered_timeout: float = 30.0,
        action_timeout: float = 10.0,
        call_directory: CallDirectory | None = None,
        event_history_limit: int = 10_000,
    ) -> None:
        self.clock: Clock = clock if clock is not None else LoopClock()
        self.dispatcher: Dispatcher = dispatcher if dispatcher is not None else LoopDispatcher()
        self.unanswered_timeout = _check_timeout("unanswered_timeout", unanswered_timeout)
        self.action_timeout = _check_timeout("action_timeout", action_timeout)
        if call_directory is not None and not isinstance(call_directory, CallDirectory):
            raise TypeError("call_directory must be a CallDirectory")
        self.call_directory = call_directory if call_directory is not None else CallDirectory()
        self.call_directory.add_listener(self._directory_reloaded)
        if isinstance(event_history_limit, bool) or not isinstance(event_history_limit, int):
            raise TypeError("event_history_limit must be int")
        if event_history_limit < 1:
            raise ValueError("event_history_limit must be >= 1")
        self.event_history_limit = event_history_limit
        self.events: list[CallKitEvent] = []
        self._providers: list[CXProvider] = []
        self._records: dict[_uuid.UUID, CallRecord] = {}
        self._transactions: dict[_uuid.UUID, tuple[CXTransaction, CXProvider]] = {}
        self._dtmf_waiting: dict[_uuid.UUID, deque[CXPlayDTMFCallAction]] = {}
        self._dtmf_busy: dict[_uuid.UUID, _uuid.UUID] = {}
        self._observers: weakref.WeakSet[CXCallObserver] = weakref.WeakSet()
        self._subscribers: list[EventCallback] = []
        self._tasks: set[asyncio.Future[Any]] = set()
        self._dnd = False
        #: E.164 numbers that ring through Do Not Disturb (iOS Focus: allowed people).
        self.do_not_disturb_allowed_numbers: set[int] = set()
        #: iOS Focus "Allow Repeated Calls": a second call from the same number within
        #: three minutes of a silenced one rings through.
        self.do_not_disturb_allows_repeated_calls = False
        self._dnd_silenced: dict[int, float] = {}
        self._locked = False
        self._init_effects()

    # -- state the UI reads ---------------------------------------------------------------

    @property
    def providers(self) -> tuple[CXProvider, ...]:
        """Every provider registered with the system (invalidated ones included)."""
        return tuple(self._providers)

    @property
    def calls(self) -> list[CXCall]:
        """Snapshots of every call not yet ended, oldest first (Apple: ``CXCallObserver.calls``)."""
        return [record.snapshot() for record in self._records.values()]

    def call(self, uuid: _uuid.UUID) -> CXCall | None:
        """The snapshot of call ``uuid``, or None if there is no such live call."""
        record = self._records.get(_check_uuid(uuid))
        return record.snapshot() if record is not None else None

    @property
    def pending_actions(self) -> list[CXAction]:
        """Every requested action not yet fulfilled, failed or timed out."""
        return [p.action for p in self._pending.values()]

    @property
    def audio_active(self) -> bool:
        """Whether any provider's audio session is active."""
        return any(p.audio_session.is_active for p in self._providers)

    @property
    def do_not_disturb(self) -> bool:
        """Do Not Disturb: incoming calls are refused with ``filtered_by_do_not_disturb``."""
        return self._dnd

    @do_not_disturb.setter
    def do_not_disturb(self, enabled: bool) -> None:
        if not isinstance(enabled, bool):
            raise TypeError("do_not_disturb must be bool")
        if enabled != self._dnd:
            self._dnd = enabled
            self._emit(DoNotDisturbChanged(at=self.clock.now(), enabled=enabled))

    @property
    def device_locked(self) -> bool:
        """Whether the emulated device is locked (the UI shows slide-to-answer)."""
        return self._locked

    @device_locked.setter
    def device_locked(self, locked: bool) -> None:
        if not isinstance(locked, bool):
            raise TypeError("device_locked must be bool")
        if locked != self._locked:
            self._locked = locked
            self._emit(DeviceLockChanged(at=self.clock.now(), locked=locked))

    # -- event stream -----------------------------------------------------------------------

    def subscribe(self, callback: EventCallback) -> Callable[[], None]:
        """Call ``callback(event)`` for every future event; returns an unsubscribe callable."""
        if not callable(callback):
            raise TypeError("callback must be callable")
        self._subscribers.append(callback)

        def unsubscribe() -> None:
            if callback in self._subscribers:
                self._subscribers.remove(callback)

        return unsubscribe

    def _emit(self, event: CallKitEvent) -> None:
        self.events.append(event)
        if len(self.events) > self.event_history_limit + self.event_history_limit // 4:
            del self.events[: len(self.events) - self.event_history_limit]  # oldest go first
        for callback in list(self._subscribers):
            try:
                callback(event)
            except Exception:
                log.exception("event subscriber %r raised", callback)

    def _directory_reloaded(self) -> None:
        directory = self.call_directory
        self._emit(
            CallDirectoryReloaded(
                at=self.clock.now(),
                blocked_count=len(directory.blocked_numbers),
                identified_count=len(directory.identification_entries),
            )
        )

    def _violation(self, rule: str, detail: str, call_uuid: _uuid.UUID | None = None) -> None:
        log.warning("CallKit rule %s: %s", rule, detail)
        self._emit(RuleViolated(at=self.clock.now(), rule=rule, detail=detail, call_uuid=call_uuid))

    # -- delegates --------------------------------------------------------------------------

    def _queue_for(self, queue: Dispatcher | None) -> Dispatcher:
        return queue if queue is not None else self.dispatcher

    def _to_delegate(self, provider: CXProvider, method: str, *args: object) -> None:
        fn = getattr(provider.delegate, method, None) if provider.delegate is not None else None
        if fn is not None:
            self._queue_for(provider.queue).dispatch(lambda: self._invoke(fn, method, args))

    def _invoke(self, fn: Callable[..., Any], name: str, args: tuple[object, ...]) -> Any:
        try:
            result = fn(*args)
        except Exception as exc:
            log.exception("delegate method %s raised", name)
            self._violation("delegate_raised", f"{name} raised {exc!r}")
            return None
        if inspect.isawaitable(result):
            self._spawn(name, result)
            return None
        return result

    def _spawn(self, name: str, awaitable: Any) -> None:
        try:
            task = asyncio.ensure_future(awaitable)
        except RuntimeError:
            if inspect.iscoroutine(awaitable):
                awaitable.close()
            self._violation("delegate_async_without_loop", f"{name} returned an awaitable")
            return
        self._tasks.add(task)

        def done(fut: asyncio.Future[Any]) -> None:
            self._tasks.discard(fut)
            if not fut.cancelled() and fut.exception() is not None:
                self._violation("delegate_raised", f"{name} raised {fut.exception()!r}")

        task.add_done_callback(done)

    def _notify_observers(self, record: CallRecord) -> None:
        snapshot = record.snapshot()
        for observer in list(self._observers):
            fn = getattr(observer.delegate, "call_changed", None)
            if fn is not None:
                deliver = functools.partial(self._invoke, fn, "call_changed", (observer, snapshot))
                self._queue_for(observer.queue).dispatch(deliver)

    # -- registration (called by CXProvider / CXCallObserver) -------------------------------

    def _add_provider(self, provider: CXProvider) -> None:
        self._providers.append(provider)

    def _add_observer(self, observer: CXCallObserver) -> None:
        self._observers.add(observer)

    def _provider_did_begin(self, provider: CXProvider) -> None:
        self._to_delegate(provider, "provider_did_begin", provider)

    def _default_provider(self) -> CXProvider | None:
        live = [p for p in self._providers if not p.is_invalidated]
        return live[0] if len(live) == 1 else None

    # -- transactions -----------------------------------------------------------------------

    def _request(
        self, transaction: CXTransaction, provider: CXProvider | None, *, origin: str
    ) -> None:
        """Validate ``transaction`` like iOS and hand its actions to the provider's delegate.

        An app's controller bound to a provider sees only that provider's calls.
        """
        bound = provider if origin == "app" else None
        if provider is None:
            provider = self._default_provider()
        target = validate_transaction(transaction, self._records, provider)
        if bound is not None and target is not bound:
            raise CallKitError(TxErr.UNKNOWN_CALL_UUID, "the call belongs to another provider")
        self._start_transaction(target, transaction, origin)

    def _start_transaction(
        self, provider: CXProvider, transaction: CXTransaction, origin: str
    ) -> None:
        transaction.requested = True
        self._transactions[transaction.uuid] = (transaction, provider)
        self._emit(
            TransactionRequested(
                at=self.clock.now(),
                transaction_uuid=transaction.uuid,
                provider_name=provider.configuration.localized_name,
                action_uuids=tuple(a.uuid for a in transaction.actions),
                action_types=tuple(type(a).__name__ for a in transaction.actions),
                origin=origin,
            )
        )
        now_actions: list[CXAction] = []
        for action in transaction.actions:
            action._requested = True
            action._sink = self
            self._track(action, provider, transaction)
            self._on_requested(action, provider)
            if self._queue_dtmf(action):
                continue
            self._arm(action)
            now_actions.append(action)
        queue = self._queue_for(provider.queue)
        queue.dispatch(lambda: self._deliver(provider, transaction, now_actions))

    def _queue_dtmf(self, action: CXAction) -> bool:
        """DTMF is played one tone at a time: hold back a tone while the previous is pending."""
        if not isinstance(action, CXPlayDTMFCallAction):
            return False
        if action.call_uuid in self._dtmf_busy:
            self._dtmf_waiting.setdefault(action.call_uuid, deque()).append(action)
            return True
        self._dtmf_busy[action.call_uuid] = action.uuid
        return False

    def _deliver(
        self, provider: CXProvider, transaction: CXTransaction, actions: list[CXAction]
    ) -> None:
        execute = getattr(provider.delegate, "execute_transaction", None)
        handled = execute is not None and self._invoke(
            execute, "execute_transaction", (provider, transaction)
        )
        if handled is True:
            for action in actions:
                self._emit_performed(provider, action, "handled by execute_transaction")
            return
        for action in actions:
            self._perform(provider, action)

    def _perform(self, provider: CXProvider, action: CXAction) -> None:
        if action.is_complete:
            return
        self._emit_performed(provider, action, _action_detail(action))
        method = _PERFORM[type(action).__name__]
        fn = getattr(provider.delegate, method, None) if provider.delegate is not None else None
        if fn is not None:
            self._invoke(fn, method, (provider, action))

    def _emit_performed(self, provider: CXProvider, action: CXAction, detail: str) -> None:
        self._emit(
            ActionPerformed(
                at=self.clock.now(),
                action_uuid=action.uuid,
                action_type=type(action).__name__,
                call_uuid=getattr(action, "call_uuid", None),
                provider_name=provider.configuration.localized_name,
                detail=detail,
            )
        )

    def _deliver_next_dtmf(self, provider: CXProvider, call_uuid: _uuid.UUID) -> None:
        self._dtmf_busy.pop(call_uuid, None)
        waiting = self._dtmf_waiting.get(call_uuid)
        if not waiting:
            self._dtmf_waiting.pop(call_uuid, None)
            return
        action = waiting.popleft()
        self._dtmf_busy[call_uuid] = action.uuid
        self._arm(action)
        self._queue_for(provider.queue).dispatch(lambda: self._perform(provider, action))

    def _drop_dtmf(self, call_uuid: _uuid.UUID, why: str) -> None:
        self._dtmf_busy.pop(call_uuid, None)
        for action in self._dtmf_waiting.pop(call_uuid, deque()):
            self._system_fail(action, why)

    def _pending_transactions(self, provider: CXProvider) -> list[CXTransaction]:
        return [t for t, p in self._transactions.values() if p is provider and not t.is_complete]

    def _pending_call_actions(self, provider: CXProvider, call_uuid: _uuid.UUID) -> list[object]:
        return [
            p.action
            for p in self._pending.values()
            if p.provider is provider and getattr(p.action, "call_uuid", None) == call_uuid
        ]

    # -- provider lifetime ------------------------------------------------------------------

    def _drop_provider(self, provider: CXProvider, why: str) -> None:
        for pending in [p for p in self._pending.values() if p.provider is provider]:
            self._system_fail(pending.action, why)
        for record in [r for r in self._records.values() if r.provider is provider]:
            self._end_call(record, CXCallEndedReason.FAILED, None)
        self._update_audio(provider)

    def _invalidate_provider(self, provider: CXProvider) -> None:
        if provider.is_invalidated:
            return
        self._drop_provider(provider, "provider invalidated")
        provider.is_invalidated = True
        name = provider.configuration.localized_name
        self._emit(ProviderInvalidated(at=self.clock.now(), provider_name=name))

    def close(self) -> None:
        """Shut the service down: invalidate every provider (ending calls, failing actions,
        cancelling timers) and cancel delegate tasks still running."""
        for provider in self._providers:
            self._invalidate_provider(provider)
        for task in list(self._tasks):
            task.cancel()

    def reset_provider(self, provider: CXProvider) -> None:
        """Emulate the call service resetting (Apple: ``providerDidReset(_:)`` is then called).

        Every call of ``provider`` ends as failed and its unresolved actions fail.
        """
        if not isinstance(provider, CXProvider) or provider not in self._providers:
            raise ValueError(f"{provider!r} is not a provider of this system")
        self._drop_provider(provider, "provider reset")
        self._emit(
            ProviderReset(at=self.clock.now(), provider_name=provider.configuration.localized_name)
        )
        self._to_delegate(provider, "provider_did_reset", provider)

    def __repr__(self) -> str:
        return f"<CallSystem providers={len(self._providers)} calls={len(self._records)}>"
