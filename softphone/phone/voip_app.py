"""The VoIP app: a CXProvider delegate driving the SIP engine (the seeds' ProviderDelegate
plus CallManager).

Apple's split is kept: the app *requests* things through ``CXCallController`` (or the
user does them on the system's call screen), the system hands the app ``CXAction``s,
and the app performs them on SIP and fulfils or fails each one. SIP events that the
user did not ask for (a new INVITE, the remote side answering or hanging up) become
provider *reports*. Nothing here touches Qt or pjsua2.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
import uuid as _uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from softphone.callkit import (
    CallKitError,
    CallSystem,
    CXAnswerCallAction,
    CXCallAction,
    CXCallController,
    CXCallEndedReason,
    CXCallUpdate,
    CXEndCallAction,
    CXHandle,
    CXHandleType,
    CXPlayDTMFCallAction,
    CXProvider,
    CXProviderConfiguration,
    CXSetGroupCallAction,
    CXSetHeldCallAction,
    CXSetMutedCallAction,
    CXStartCallAction,
    CXTransaction,
)
from softphone.phone.calls import CallBook, PhoneCall
from softphone.phone.reasons import CallOutcome, ended_reason, outcome_of, refusal_status
from softphone.phone.side_effects import SideEffects
from softphone.phone.transfers import Transfers
from softphone.sip import (
    CallConnected,
    CallEnded,
    CallHoldChanged,
    CallProgressed,
    DtmfReceived,
    IncomingCallReceived,
    IncomingCallRefused,
    SipEngine,
    SipError,
    SipMessageLogged,
)

log = logging.getLogger(__name__)
_REASON_HEADER = re.compile(r"(?im)^reason\s*:\s*(.+?)\s*$")

#: The pjsua2 wheel's compiled limit is 4 calls: 2 groups of 2 can never exceed it.
MAX_CALLS = 4


class AudioControl(Protocol):
    """What the app asks of the audio layer (softphone.audio implements it)."""

    def activate(self) -> None: ...
    def deactivate(self) -> None: ...
    def ringback(self, on: bool) -> None: ...
    def key_tone(self, digit: str) -> None: ...
    def end_tone(self) -> None: ...


@dataclass(frozen=True)
class AppEvent:
    """Something the app did or saw, for the control API's ``wait-for`` and the inspector."""

    name: str  # e.g. call.incoming, call.ringing, call.connected, call.ended, dtmf.received
    at: float
    call: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


async def _while_reinvite_pending(
    operation: Callable[[], Awaitable[object]], attempts: int = 15, pause: float = 0.2
) -> object:
    """Run a re-INVITE operation; while an earlier re-INVITE of the call is still in
    progress PJSIP refuses with "Invalid operation": try again shortly (RFC 3261 allows
    one INVITE transaction at a time per dialog)."""
    for attempt in range(attempts):
        try:
            return await operation()
        except SipError as exc:
            if "Invalid operation" not in str(exc) or attempt == attempts - 1:
                raise
            await asyncio.sleep(pause)
    return None


def incoming_update(handle: str, name: str | None) -> CXCallUpdate:
    """What the app tells CallKit about an incoming call: an audio call that can be held,
    grouped and take DTMF."""
    return CXCallUpdate(
        remote_handle=handle_for(handle),
        localized_caller_name=name,
        supports_holding=True,
        supports_grouping=True,
        supports_ungrouping=True,
        supports_dtmf=True,
        has_video=False,
    )


def handle_for(target: str) -> CXHandle:
    """A CXHandle for what the user dialled: digits are phone numbers, the rest generic."""
    value = target.strip()
    digits = value.replace(" ", "").replace("-", "").replace("(", "").replace(")", "")
    if digits.lstrip("+").isdigit():
        return CXHandle(CXHandleType.PHONE_NUMBER, value)
    return CXHandle(CXHandleType.GENERIC, value)


def display_handle(remote_uri: str) -> str:
    """``"Bob" <sip:+155501@host>`` -> ``+155501``; other URIs keep user@host."""
    uri = remote_uri.strip()
    if "<" in uri and ">" in uri:
        uri = uri[uri.index("<") + 1 : uri.index(">")]
    if uri.lower().startswith(("sip:", "sips:")):
        uri = uri.split(":", 1)[1]
    uri = uri.split(";", 1)[0]
    user, _, _host = uri.partition("@")
    if user.lstrip("+").isdigit():
        return user
    return uri


class VoipApp:
    """The app side of CallKit: provider delegate + call manager over a SIP engine."""

    def __init__(
        self,
        engine: SipEngine,
        system: CallSystem,
        *,
        app_name: str = "Softphone",
        resolve_uri: Callable[[str], str] | None = None,
        audio: AudioControl | None = None,
        answer_wait: float = 10.0,
        caller_name: Callable[[str], str | None] | None = None,
    ) -> None:
        self.engine = engine
        self.system = system
        self.configuration = CXProviderConfiguration(
            localized_name=app_name, maximum_call_groups=2, maximum_calls_per_call_group=2
        )
        self.provider = CXProvider(self.configuration, system=system)
        self.provider.set_delegate(self)
        self.controller = CXCallController(system=system, provider=self.provider)
        self.calls = CallBook()
        self.audio = audio
        self.answer_wait = answer_wait
        self.invite_timeout = 20.0
        #: False while the emulated app is suspended: no SIP socket, INVITEs get 480.
        self.accepting_calls = True
        #: Fault injection: the next action the system hands us is never fulfilled.
        self.stall_next_action = False
        #: Fault: the next incoming call is reported with this (already used) UUID.
        self.reuse_uuid_next: _uuid.UUID | None = None
        self._resolve_uri = resolve_uri or (lambda target: target)
        self._caller_name = caller_name
        self._listeners: list[Callable[[AppEvent], None]] = []
        #: How keypad tones go out (rfc4733 | info); None: the engine's configured method.
        self.dtmf_method: str | None = None
        #: Keypad actions to send by a given DTMF method, not ``dtmf_method``.
        self._dtmf_methods: dict[_uuid.UUID, str] = {}
        self.events: list[AppEvent] = []
        #: Tones, devices and listeners run after a transition; a failure is a problem.
        self.effects = SideEffects(self._effect_failed)
        #: How recent calls ended (kept for ``state``, Recents and late commands).
        self.outcomes: dict[_uuid.UUID, CallOutcome] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        #: The engine's accounts, in the user's order (outgoing calls use the first).
        self.accounts: list[str] = []
        #: host:port reached without an account (the embedded test line).
        self.direct_hosts: set[str] = set()
        #: Awaited with the URI before an outgoing call is dialled (the runtime starts the
        #: test line on first use); it may return the URI to dial instead, and an
        #: exception fails the call with its message.
        self.before_dial: Callable[[str], Awaitable[str | None]] | None = None
        self._unsubscribe = engine.subscribe(self._on_sip_event)
        #: REFER, Replaces, 3xx and MESSAGE (call.transferred, call.redirected ...).
        self.transfers = Transfers(self)

    # ---- events -----------------------------------------------------------------

    def subscribe(self, callback: Callable[[AppEvent], None]) -> Callable[[], None]:
        self._listeners.append(callback)
        return lambda: self._listeners.remove(callback) if callback in self._listeners else None

    def _emit(self, event_name: str, call: _uuid.UUID | None = None, **data: Any) -> None:
        event = AppEvent(event_name, time.monotonic(), str(call) if call else None, data)
        self.events.append(event)
        if len(self.events) > 5000:
            del self.events[:1000]
        for cb in list(self._listeners):
            if event_name == "problem":  # a failing listener must not report itself forever
                try:
                    cb(event)
                except Exception:
                    log.exception("app event listener failed on a problem")
                continue
            self.effects.run(f"event listener for {event_name}", cb, event)

    def _effect_failed(self, what: str, message: str) -> None:
        self._emit("problem", message=f"{what} failed: {message}", source=what)

    def _sound(self, what: str, *args: Any) -> None:
        """Ask the audio layer for ``what`` (a side effect: its failure stops nothing)."""
        if self.audio is not None:
            self.effects.run(f"audio {what}", getattr(self.audio, what), *args)

    def _ended_as(self, call_uuid: _uuid.UUID, outcome: CallOutcome) -> CallOutcome:
        """Remember how a call ended (bounded) before the system hears of it."""
        self.outcomes[call_uuid] = outcome
        while len(self.outcomes) > 100:
            del self.outcomes[next(iter(self.outcomes))]
        return outcome

    def emit_external(self, event_name: str, **data: Any) -> None:
        """Add another part's event (PushKit, audio) to the app's stream."""
        call = data.pop("call_uuid", None)
        self._emit(event_name, call if isinstance(call, _uuid.UUID) else None, **data)

    def forget(self, call_uuid: _uuid.UUID) -> None:
        self.calls.remove(call_uuid)

    def _spawn(self, coro: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("app task failed", exc_info=task.exception())
            self._emit("error", message=str(task.exception()))

    # ---- the call manager (requests) ----------------------------------------------

    async def start_call(self, target: str, account_id: str | None = None) -> _uuid.UUID:
        """Place a call: request a CXStartCallAction (Apple: ``CXCallController.request``).

        The call goes out on ``account_id`` (its identity and credentials), by default
        on the phone's first account, or directly when the phone has none."""
        if not target or not target.strip():
            raise ValueError("nothing to call: enter a number or a SIP URI")
        if account_id is not None and account_id not in self.accounts:
            known = ", ".join(self.accounts) or "none"
            raise ValueError(f"no account {account_id!r} (accounts: {known})")
        call_uuid = _uuid.uuid4()
        handle = handle_for(target)
        self.calls.add(
            PhoneCall(call_uuid, outgoing=True, handle=target.strip(), account_id=account_id)
        )
        try:
            await self.controller.request(CXTransaction([CXStartCallAction(call_uuid, handle)]))
        except CallKitError:
            self.calls.remove(call_uuid)
            raise
        return call_uuid

    def _new_incoming_uuid(self) -> tuple[_uuid.UUID, bool]:
        """A fresh UUID, or (the ``duplicate-uuid`` fault) one already in use."""
        reused, self.reuse_uuid_next = self.reuse_uuid_next, None
        if reused is not None:
            return reused, self.calls.get(reused) is not None
        return _uuid.uuid4(), False

    async def report_push_call(
        self, push_call_id: str, caller_name: str, handle: str
    ) -> _uuid.UUID:
        """Report the call a VoIP push announced, before any INVITE exists (the seeds'
        rule); the INVITE is matched to it later by Call-ID."""
        call_uuid, duplicate = self._new_incoming_uuid()
        handle_text = handle or caller_name or "Unknown"
        name = (self._caller_name(handle) if self._caller_name and handle else None) or (
            caller_name or None
        )
        if not duplicate:
            self.calls.add(
                PhoneCall(
                    call_uuid,
                    outgoing=False,
                    handle=handle_text,
                    sip_dialog_id=push_call_id,
                    display_name=name,
                    from_push=True,
                )
            )
        update = incoming_update(handle_text, name)
        try:
            await self.provider.report_new_incoming_call(call_uuid, update)
        except CallKitError:
            if not duplicate:
                self.calls.remove(call_uuid)
            raise
        self._emit(
            "call.incoming",
            call_uuid,
            handle=handle_text,
            name=name,
            via="push",
            sip_call_id=push_call_id,
        )
        self._spawn(self._invite_deadline(call_uuid))
        return call_uuid

    async def _invite_deadline(self, call_uuid: _uuid.UUID) -> None:
        await asyncio.sleep(self.invite_timeout)
        self._no_invite(call_uuid, f"within {self.invite_timeout:g} s", rule="invite-timeout")

    def _no_invite(self, call_uuid: _uuid.UUID, when: str, **event: Any) -> None:
        """The pushed call's INVITE never came: end the call as failed, saying so plainly
        (``call.ended`` and ``call.failed``; Recents reads the call's outcome)."""
        call = self.calls.get(call_uuid)
        if call is None or call.sip_call_id is not None:
            return
        reason = f"No call arrived after the push (no SIP INVITE {when})"
        pending, call.pending_answer = call.pending_answer, None
        if isinstance(pending, CXAnswerCallAction) and not pending.is_complete:
            pending.fail()  # the system ends the call (failed)
        self.fail_call(call_uuid, reason)
        self._emit("call.failed", call_uuid, reason=reason, **event)

    # ---- CXProviderDelegate --------------------------------------------------------

    def provider_did_reset(self, provider: CXProvider) -> None:
        """Apple: ``providerDidReset(_:)``: end every SIP call, forget them all."""
        for call in self.calls:
            if call.sip_call_id is not None:
                self._spawn(self._hangup_quietly(call.sip_call_id))
            self.calls.remove(call.uuid)

    async def _hangup_quietly(self, sip_call_id: str) -> None:
        try:
            await self.engine.hangup(sip_call_id)
        except SipError as exc:
            log.info("hangup of %s: %s", sip_call_id, exc)

    def _stalled(self, action: object) -> bool:
        if not self.stall_next_action:
            return False
        self.stall_next_action = False
        self._emit("action.stalled", getattr(action, "call_uuid", None), action=repr(action))
        return True

    def perform_start_call_action(self, provider: CXProvider, action: CXStartCallAction) -> None:
        """Apple: ``provider(_:perform: CXStartCallAction)``: send the INVITE."""
        if self._stalled(action):
            return
        call = self.calls.get(action.call_uuid)
        if call is None:  # a start requested by someone else (e.g. the system's UI)
            call = self.calls.add(
                PhoneCall(action.call_uuid, outgoing=True, handle=action.handle.value)
            )
        self._spawn(self._start(call, action))

    async def _start(self, call: PhoneCall, action: CXStartCallAction) -> None:
        try:
            uri = self._resolve_uri(call.handle)
            if self.before_dial is not None:
                try:
                    uri = await self.before_dial(uri) or uri
                except Exception as exc:  # e.g. the test line could not start
                    raise ValueError(str(exc)) from exc
            account = call.account_id
            host = uri.split("@", 1)[-1].split(";", 1)[0].split(">", 1)[0]
            if account is None and host not in self.direct_hosts and self.accounts:
                account = self.accounts[0]
            sip_id = await self.engine.make_call(uri, account)
        except (SipError, ValueError) as exc:
            self._emit("call.failed", call.uuid, reason=str(exc))
            action.fail()
            self.calls.remove(call.uuid)
            return
        call.sip_call_id = str(sip_id)
        action.fulfill()
        self.provider.report_outgoing_call_started_connecting(call.uuid)
        self._emit("call.outgoing", call.uuid, handle=call.handle, uri=uri)

    def perform_answer_call_action(self, provider: CXProvider, action: CXAnswerCallAction) -> None:
        """Apple: ``provider(_:perform: CXAnswerCallAction)``: 200 OK the INVITE; when the
        VoIP push came first and the INVITE has not, wait for it (Linphone's rule)."""
        if self._stalled(action):
            return
        call = self.calls.get(action.call_uuid)
        if call is None:
            action.fail()
            return
        if call.sip_call_id is None:
            call.pending_answer = action
            self._emit("call.answer-postponed", call.uuid)
            self._spawn(self._answer_deadline(call, action))
            return
        self._spawn(self._answer(call, action))

    async def _answer_deadline(self, call: PhoneCall, action: CXAnswerCallAction) -> None:
        await asyncio.sleep(self.answer_wait)
        if call.pending_answer is action and not action.is_complete:
            self._no_invite(call.uuid, f"within {self.answer_wait:g} s of answering")

    async def _answer(self, call: PhoneCall, action: CXAnswerCallAction) -> None:
        assert call.sip_call_id is not None
        try:
            await self.engine.answer(call.sip_call_id, 200)
        except SipError as exc:
            outcome = await self._end_of(call)  # e.g. the caller's CANCEL won the race
            reason = outcome.reason if outcome is not None else str(exc)
            if not action.is_complete:
                action.fail()
            self._emit("call.failed", call.uuid, reason=reason, code=outcome and outcome.code)
            return
        call.connected = True
        action.fulfill()
        self._emit("call.connected", call.uuid)

    async def _end_of(self, call: PhoneCall, wait: float = 1.0) -> CallOutcome | None:
        """How ``call`` ended, once SIP's end of it has been handled (bounded wait: a
        refused operation usually means the end is being processed right now)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while call.uuid not in self.outcomes and loop.time() < deadline:
            await asyncio.sleep(0.02)
        return self.outcomes.get(call.uuid)

    def perform_end_call_action(self, provider: CXProvider, action: CXEndCallAction) -> None:
        """Apple: ``provider(_:perform: CXEndCallAction)``: decline (603), cancel or BYE."""
        if self._stalled(action):
            return
        call = self.calls.get(action.call_uuid)
        if call is None:
            action.fulfill()
            return
        call.ending_locally = True
        if call.pending_answer is not None:
            pending, call.pending_answer = call.pending_answer, None
            if isinstance(pending, CXAnswerCallAction) and not pending.is_complete:
                pending.fail()
        # The system ends a call that rang unanswered for too long before it asks us.
        unanswered = not call.outgoing and self.system.call(call.uuid) is None
        self._spawn(self._end(call, action, unanswered))

    async def _end(self, call: PhoneCall, action: CXEndCallAction, unanswered: bool) -> None:
        try:
            if call.sip_call_id is not None:
                if not call.outgoing and not call.connected:
                    await self.engine.reject(call.sip_call_id, 480 if unanswered else 603)
                else:
                    await self.engine.hangup(call.sip_call_id)
        except SipError as exc:
            log.info("ending %s: %s", call.uuid, exc)
        if call.connected:
            outcome = CallOutcome("ended", 0, "hung up here")
        elif call.outgoing:
            outcome = CallOutcome("cancelled", 0, "cancelled before the answer")
        elif unanswered:
            outcome = CallOutcome("unanswered", 480, "unanswered: nobody answered here")
        else:
            outcome = CallOutcome("declined", 603, "declined here (603 Decline)")
        self._ended_as(call.uuid, outcome)
        action.fulfill()
        self.calls.remove(call.uuid)
        self._emit("call.ended", call.uuid, by="local", **outcome.as_json())
        self._sound("end_tone")

    def perform_set_held_call_action(
        self, provider: CXProvider, action: CXSetHeldCallAction
    ) -> None:
        """Apple: ``provider(_:perform: CXSetHeldCallAction)``: re-INVITE sendonly/sendrecv."""
        sip_id = self._sip_call_for(action)
        if sip_id is None:
            return
        op = self.engine.hold if action.is_on_hold else self.engine.unhold

        def done() -> None:
            action.fulfill()
            self._emit("call.held" if action.is_on_hold else "call.resumed", action.call_uuid)

        self._spawn(self._on_sip(action, lambda: _while_reinvite_pending(lambda: op(sip_id)), done))

    def perform_set_muted_call_action(
        self, provider: CXProvider, action: CXSetMutedCallAction
    ) -> None:
        """Apple: ``provider(_:perform: CXSetMutedCallAction)``: stop sending the mic."""
        sip_id = self._sip_call_for(action)
        if sip_id is None:
            return
        try:
            self.engine.set_mute(sip_id, action.is_muted)
        except SipError as exc:
            self._emit("error", action.call_uuid, message=str(exc))
            action.fail()
            return
        action.fulfill()
        self._emit("call.muted" if action.is_muted else "call.unmuted", action.call_uuid)

    def perform_play_dtmf_call_action(
        self, provider: CXProvider, action: CXPlayDTMFCallAction
    ) -> None:
        """Apple: ``provider(_:perform: CXPlayDTMFCallAction)``: RFC 4733 or SIP INFO."""
        method = self._dtmf_methods.pop(action.uuid, None) or self.dtmf_method
        sip_id = self._sip_call_for(action)
        if sip_id is None:
            return
        digits = "".join(ch for ch in action.digits if ch not in ",;")

        async def send() -> None:
            if digits:
                await self.engine.send_dtmf(sip_id, digits, method)

        def done() -> None:
            action.fulfill()
            self._emit("dtmf.sent", action.call_uuid, digits=action.digits)
            for d in digits:
                self._sound("key_tone", d)

        self._spawn(self._on_sip(action, send, done))

    def send_dtmf_by(self, actions: Iterable[CXPlayDTMFCallAction], method: str) -> None:
        """Send these just-requested keypad actions by ``method`` (``"rfc4733"`` or
        ``"info"``) instead of the settings' method (the control API's ``dtmf --method``)."""
        if method not in ("rfc4733", "info"):
            raise ValueError(f"method must be rfc4733 or info, not {method!r}")
        for action in actions:
            self._dtmf_methods[action.uuid] = method

    def perform_set_group_call_action(
        self, provider: CXProvider, action: CXSetGroupCallAction
    ) -> None:
        """Apple: ``provider(_:perform: CXSetGroupCallAction)``: join the conference bridge."""
        sip_id = self._sip_call_for(action)
        if sip_id is None:
            return
        other_uuid = action.call_uuid_to_group_with
        other = self.calls.get(other_uuid) if other_uuid is not None else None
        ids = [sip_id]
        if other is not None and other.sip_call_id is not None:
            ids.append(other.sip_call_id)

        def done() -> None:
            action.fulfill()
            self._emit("call.grouped", action.call_uuid, with_call=str(other_uuid or ""))

        self._spawn(self._on_sip(action, lambda: self.engine.conference(ids), done))

    def _sip_call_for(self, action: CXCallAction) -> str | None:
        """The engine's id of the action's call; fails the action when there is none
        (and swallows it when a stall fault is injected)."""
        if self._stalled(action):
            return None
        call = self.calls.get(action.call_uuid)
        if call is None or call.sip_call_id is None:
            action.fail()
            return None
        return call.sip_call_id

    async def _on_sip(
        self,
        action: CXCallAction,
        operation: Callable[[], Awaitable[object]],
        done: Callable[[], None],
    ) -> None:
        """Run one SIP operation for an action: ``done`` fulfils it, a SipError fails it."""
        try:
            await operation()
        except SipError as exc:
            self._emit("error", action.call_uuid, message=str(exc))
            action.fail()
            return
        done()

    def timed_out_performing_action(self, provider: CXProvider, action: object) -> None:
        """Apple: ``provider(_:timedOutPerforming:)``."""
        self._emit("action.timed-out", getattr(action, "call_uuid", None), action=repr(action))

    def did_activate_audio_session(self, provider: CXProvider, session: object) -> None:
        """Apple: ``provider(_:didActivate:)``: only now may call audio start."""
        self._emit("audio.activated")
        self._sound("activate")

    def did_deactivate_audio_session(self, provider: CXProvider, session: object) -> None:
        """Apple: ``provider(_:didDeactivate:)``."""
        self._emit("audio.deactivated")
        self._sound("deactivate")

    # ---- SIP events -> provider reports -------------------------------------------

    def _on_sip_event(self, event: object) -> None:
        try:
            if isinstance(event, IncomingCallReceived):
                self._spawn(self._incoming(event))
            elif isinstance(event, CallProgressed):
                self._progress(event)
            elif isinstance(event, CallConnected):
                self._connected(event)
            elif isinstance(event, CallEnded):
                self._ended(event)
            elif isinstance(event, CallHoldChanged):
                self._hold_changed(event)
            elif isinstance(event, IncomingCallRefused):
                self._refused(event)
            elif isinstance(event, SipMessageLogged):
                self._cancel_reason(event)
            elif isinstance(event, DtmfReceived):
                call = self.calls.by_sip(event.call_id)
                if call is not None:
                    call.dtmf_received.append(event.digit)
                    self._emit("dtmf.received", call.uuid, digit=event.digit, method=event.method)
        except Exception:  # a SIP event must never take the app down
            log.exception("handling %r failed", event)

    def _hold_changed(self, event: CallHoldChanged) -> None:
        """``call.remote-hold``/``-resume`` only when the remote end's hold changed (our
        own hold re-INVITE changes ``local_hold`` and is reported as ``call.held``)."""
        call = self.calls.by_sip(event.call_id)
        if call is None or call.remote_hold == event.remote_hold:
            return
        call.remote_hold = event.remote_hold
        self._emit("call.remote-hold" if event.remote_hold else "call.remote-resume", call.uuid)

    def _refused(self, event: IncomingCallRefused) -> None:
        """An INVITE the engine refused before it could ring: say so (no call exists)."""
        self._emit(
            "call.refused",
            None,
            status=event.status,
            reason=event.reason,
            remote=event.remote_uri,
            sip_call_id=event.sip_call_id,
        )
        self._emit(
            "problem",
            message=f"refused a call from {event.remote_uri}: {event.status} {event.reason}",
            source="sip",
        )

    def _cancel_reason(self, event: SipMessageLogged) -> None:
        """Keep a received CANCEL's ``Reason`` (RFC 3326): "answered elsewhere" needs it."""
        if event.direction != "received" or not event.first_line.startswith("CANCEL "):
            return
        call = self.calls.by_dialog(event.sip_call_id)
        found = _REASON_HEADER.search(event.text)
        if call is not None and found is not None:
            call.cancel_reason = found.group(1)

    async def _incoming(self, event: IncomingCallReceived) -> None:
        if not self.accepting_calls:
            self._emit(
                "call.refused",
                None,
                status=480,
                reason="the app is suspended",
                remote=event.remote_uri,
            )
            await self.engine.reject(event.call_id, 480)
            return
        existing = self.calls.by_dialog(event.sip_call_id) if event.sip_call_id else None
        if existing is None:  # a server that does not put the Call-ID in the push
            waiting = [c for c in self.calls if c.from_push and c.sip_call_id is None]
            existing = waiting[0] if len(waiting) == 1 else None
        if existing is not None and existing.sip_call_id is None:
            # The push reported this call already: attach the INVITE to it.
            existing.sip_call_id = event.call_id
            self._emit("call.invite-matched", existing.uuid, sip_call_id=event.sip_call_id)
            await self.engine.answer(event.call_id, 180)
            pending, existing.pending_answer = existing.pending_answer, None
            if isinstance(pending, CXAnswerCallAction) and not pending.is_complete:
                await self._answer(existing, pending)
            return
        call_uuid, duplicate = self._new_incoming_uuid()
        handle_text = display_handle(event.remote_uri)
        name = event.remote_display_name or None
        if self._caller_name is not None:  # iOS prefers the user's contact name
            name = self._caller_name(handle_text) or name
        call = PhoneCall(
            call_uuid,
            outgoing=False,
            handle=handle_text,
            sip_call_id=event.call_id,
            sip_dialog_id=event.sip_call_id,
            display_name=name,
        )
        if not duplicate:
            self.calls.add(call)
        update = incoming_update(handle_text, name)
        try:
            await self.provider.report_new_incoming_call(call_uuid, update)
        except CallKitError as exc:
            if not duplicate:
                self.calls.remove(call_uuid)
            status, _phrase = refusal_status(getattr(exc, "code", None))
            self._emit(
                "call.refused", call_uuid, status=status, reason=str(exc), remote=event.remote_uri
            )
            try:
                await self.engine.reject(event.call_id, status)
            except SipError as sip_exc:
                log.info("reject: %s", sip_exc)
            return
        try:
            await self.engine.answer(event.call_id, 180)
        except SipError as exc:
            log.info("180 Ringing: %s", exc)
        self._emit(
            "call.incoming",
            call_uuid,
            handle=handle_text,
            name=call.display_name,
            via="sip",
            sip_call_id=event.sip_call_id,
        )

    def _progress(self, event: CallProgressed) -> None:
        call = self.calls.by_sip(event.call_id)
        if call is None or not call.outgoing:
            return
        if event.code in (180, 183):
            # Only a 180/183 with SDP brings the callee's audio; otherwise ring back here.
            self._emit("call.ringing", call.uuid, code=event.code, early_media=event.early_media)
            self._sound("ringback", not event.early_media)

    def _connected(self, event: CallConnected) -> None:
        call = self.calls.by_sip(event.call_id)
        if call is None:
            return
        if call.outgoing and not call.connected:
            call.connected = True
            self.provider.report_outgoing_call_connected(call.uuid)
            self._emit("call.connected", call.uuid)
        self._sound("ringback", False)

    def _ended(self, event: CallEnded) -> None:
        call = self.calls.by_sip(event.call_id)
        if call is None:
            return
        if call.ending_locally:
            self._sound("ringback", False)
            return  # the end action reports it
        self.calls.remove(call.uuid)
        cause = getattr(event.cause, "value", str(event.cause))
        header = getattr(event, "reason_header", "") or call.cancel_reason
        reason = ended_reason(str(cause), event.code, header)
        outcome = outcome_of(str(cause), event.code, event.reason)
        if reason is CXCallEndedReason.ANSWERED_ELSEWHERE:
            outcome = CallOutcome("answered_elsewhere", event.code, "answered elsewhere")
        self._ended_as(call.uuid, outcome)
        self._report_ended(
            call.uuid,
            reason,
            by="remote",
            code=event.code,
            reason=outcome.reason,
            sip_reason=event.reason,
            outcome=outcome.kind,
            cause=cause,
            ended_reason=reason.value,
        )
        self._sound("ringback", False)

    def _report_ended(self, call_uuid: _uuid.UUID, why: CXCallEndedReason, **event: Any) -> None:
        """Tell the system a call ended by itself (Apple: ``reportCall(with:endedAt:reason:)``),
        play the end tone and emit ``call.ended`` with ``event``."""
        try:
            self.provider.report_call_ended(call_uuid, None, why)
        except CallKitError as exc:
            log.info("report_call_ended: %s", exc)
        self._emit("call.ended", call_uuid, **event)
        self._sound("end_tone")

    def fail_call(self, call_uuid: _uuid.UUID, reason: str) -> None:
        """End a call the app gave up on (e.g. no media for too long): hang SIP up and
        report ``CXCallEndedReason.failed`` to the system, as a real VoIP app does."""
        call = self.calls.remove(call_uuid)
        if call is None:
            return
        if call.sip_call_id is not None:
            self._spawn(self._hangup_quietly(call.sip_call_id))
        if call_uuid not in self.outcomes:
            self._ended_as(call_uuid, CallOutcome("failed", 0, reason))
        self._report_ended(
            call_uuid, CXCallEndedReason.FAILED, by="app", reason=reason, cause="failed"
        )

    async def close(self) -> None:
        """Hang every call up and stop listening to the engine."""
        for call in self.calls:
            if call.sip_call_id is not None:
                await self._hangup_quietly(call.sip_call_id)
        self._unsubscribe()
        self.transfers.close()
        for task in list(self._tasks):
            task.cancel()
