"""The pjsua2 implementation of :class:`softphone.sip.engine.SipEngine`.

Threading (DESIGN.md): ``threadCnt=0`` and ``mainThreadOnly=True``; the asyncio loop calls
``libHandleEvents(0)`` as soon as a SIP socket is readable, when PJSIP's earliest timer is
due, and otherwise every ~100 ms (work PJSIP's media thread queues for this one, e.g.
RFC 4733 digits: reported up to 100 ms late; audio never waits for this loop). Callbacks
turn pjsua2 data into frozen events, queued for subscribers: dispatched as soon as
``libHandleEvents`` returns.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import ctypes
import functools
import gc
import itertools
import logging
import re
import threading
from collections.abc import Coroutine, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pjsua2 as pj

from softphone.sip.config import AccountConfig, DtmfMethod, EngineConfig, SrtpMode
from softphone.sip.engine import EventCallback, Unsubscribe
from softphone.sip.errors import (
    CallLimitError,
    EngineStateError,
    SipError,
    TlsVerificationError,
    UnknownAccountError,
    UnknownCallError,
    UnsupportedTransportError,
)
from softphone.sip.events import (
    CallConnected,
    CallEndCause,
    CallEnded,
    CallHoldChanged,
    CallInfo,
    CallMediaStateChanged,
    CallMuteChanged,
    CallProgressed,
    CallStats,
    Direction,
    DtmfReceived,
    IncomingCallReceived,
    IncomingCallRefused,
    MediaState,
    OutgoingCallStarted,
    RegistrationState,
    RegistrationStateChanged,
    RegistrationStatus,
    SipEvent,
    estimate_mos,
)
from softphone.sip.media import (
    CONFERENCE_FRAME_MS,
    SAMPLE_RATE,
    AudioBridge,
    ClockedAudioBridge,
)
from softphone.sip.pjsua._bridge_port import BridgePort
from softphone.sip.pjsua._device_clock import ConferenceClock
from softphone.sip.pjsua._dialog import DialogSurface
from softphone.sip.pjsua._fdwatch import TimerClock, socket_fds_bound_to, timer_clock
from softphone.sip.pjsua._guard import Refusal, RequestGuard
from softphone.sip.pjsua._info_dtmf import info_dtmf_digit
from softphone.sip.pjsua._media_config import (
    configure_media,
    media_up,
    set_codec_priorities,
    srtp_refusal,
)
from softphone.sip.pjsua._objects import Account, Call, Endpoint, LogWriter, guarded
from softphone.sip.pjsua._objects import pj_error_text as _pj_error_text
from softphone.sip.pjsua._out_of_dialog import OutOfDialog
from softphone.sip.pjsua._transports import create_transports, tls_failure_reason
from softphone.sip.pjsua._wire import response_has_sdp
from softphone.sip.uri import check_transport, display_name_of, parse_uri, uri_of

log = logging.getLogger(__name__)

_DTMF_DIGITS = re.compile(r"^[0-9*#A-Da-d]+$")
_TLS_VERIFY_HINT = re.compile(r"(?i)certificate|verif|ssl|tls")


@dataclass
class _CallState:
    key: str
    call: Any  # the pjsua2 Call; None once disconnected (no reference may outlive it)
    direction: Direction
    account_id: str | None
    remote_uri: str
    sip_call_id: str = ""
    connected: bool = False
    local_hangup: bool = False
    rejected: bool = False
    ringing_sent: bool = False  # 180 already went out (no duplicate 180 on answer(180))
    answered: bool = False  # our 2xx went out; the ACK (CONFIRMED) may still be on its way
    no_answer: bool = False
    local_hold: bool = False
    remote_hold: bool = False
    muted: bool = False
    media_active: bool = False
    audio: Any = None  # pj.AudioMedia of the call while media is up
    timer: asyncio.TimerHandle | None = None
    waiters: list[asyncio.Future[None]] = field(default_factory=list)


@dataclass
class _AccountState:
    config: AccountConfig
    acc: Account
    state: RegistrationState = field(
        default_factory=lambda: RegistrationState(RegistrationStatus.UNREGISTERED)
    )
    waiters: list[asyncio.Future[RegistrationState]] = field(default_factory=list)


class PjsuaEngine:
    """A SIP user agent on pjsua2 (one per process: pjsua2 has one Endpoint)."""

    def __init__(
        self,
        poll_interval: float = 0.01,
        idle_poll_interval: float = 0.1,
        call_poll_interval: float = 0.1,
    ) -> None:
        self.poll_interval = poll_interval
        self.call_poll_interval = max(poll_interval, call_poll_interval)
        self.idle_poll_interval = max(poll_interval, idle_poll_interval)
        self._subscribers: list[EventCallback] = []
        self._events: collections.deque[SipEvent] = collections.deque()
        self._flushing = False  # a flush is scheduled or running
        self._in_pump = False  # inside libHandleEvents: its events flush when it returns
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread = 0
        self._ep: Any = None
        self._config: EngineConfig | None = None
        self._log_writer: LogWriter | None = None
        self._transports: dict[str, tuple[int, str, int]] = {}
        self._local_acc: Account | None = None
        self._accounts: dict[str, _AccountState] = {}
        self._calls: dict[str, _CallState] = {}
        self._graveyard: list[Call] = []
        self._refusing: list[Call] = []  # incoming calls refused after onIncomingCall
        self._guard: RequestGuard | None = None
        self._ids = itertools.count(1)
        self._poll_handle: asyncio.Handle | None = None
        self._poll_due = 0.0  # loop time the pending poll is due (qasync handles have no when())
        self._timer_clock: TimerClock | None = None
        self._always_fast = False  # TCP/TLS: connection sockets are not watched
        self._readers: list[int] = []
        self._bridge: AudioBridge | None = None
        self._bridge_port: BridgePort | None = None
        self._clock: ConferenceClock | None = None  # a clocked bridge's devices run PJSIP
        self._conference: set[str] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._media_on = False
        self._null_capture: Any = None  # the null device's AudioMedia (valid until libDestroy)
        self._null_playback: Any = None
        self._dialog = DialogSurface(self)  # REFER, Replaces, 3xx: calls pjsua2 makes
        self._outside = OutOfDialog(self._emit)  # MESSAGE, REGISTER, SUBSCRIBE, OPTIONS

    # -- events --------------------------------------------------------------------------

    def subscribe(self, callback: EventCallback) -> Unsubscribe:
        self._subscribers.append(callback)

        def unsubscribe() -> None:
            with contextlib.suppress(ValueError):
                self._subscribers.remove(callback)

        return unsubscribe

    def _emit(self, ev: SipEvent) -> None:
        """Queue ``ev`` for the subscribers, who get it on the loop thread outside any
        pjsua2 callback: right after ``libHandleEvents`` returns when it was emitted by
        a callback (no extra loop step before e.g. an auto-answer), else ``call_soon``.
        One FIFO queue keeps every event in emission order."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        if threading.get_ident() == self._loop_thread:
            self._enqueue(ev)
        else:
            loop.call_soon_threadsafe(self._enqueue, ev)

    def _enqueue(self, ev: SipEvent) -> None:
        self._events.append(ev)
        if not self._flushing and not self._in_pump:
            self._flushing = True
            assert self._loop is not None
            self._loop.call_soon(self._flush_events)

    def _flush_events(self) -> None:
        self._flushing = True
        events = self._events
        try:
            while events:
                self._dispatch(events.popleft())
        finally:
            self._flushing = False

    def _dispatch(self, ev: SipEvent) -> None:
        for cb in list(self._subscribers):
            try:
                cb(ev)
            except Exception:
                log.exception("SIP event subscriber failed on %r", ev)

    # -- lifecycle ----------------------------------------------------------------------

    @property
    def started(self) -> bool:
        return self._ep is not None

    def _require_started(self) -> Any:
        if self._ep is None:
            raise EngineStateError("SIP engine is not started")
        return self._ep

    async def start(self, config: EngineConfig) -> None:
        if self._ep is not None:
            raise EngineStateError("SIP engine already started")
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        self._config = config
        ep = Endpoint(self)
        ep.libCreate()
        self._ep = ep
        try:
            self._init_lib(ep, config)
        except BaseException:
            self._destroy_lib()
            raise
        self._timer_clock = timer_clock(pj._pjsua2.__file__)
        self._always_fast = self._timer_clock is None or any(
            kind != "udp" for kind in self._transports
        )
        self._schedule_poll()
        ports = {port for _, _, port in self._transports.values()}
        for fd in socket_fds_bound_to(ports):
            with contextlib.suppress(Exception):
                self._loop.add_reader(fd, self._pump)
                self._readers.append(fd)

    def _init_lib(self, ep: Any, config: EngineConfig) -> None:
        cfg = pj.EpConfig()
        cfg.uaConfig.threadCnt = 0
        cfg.uaConfig.mainThreadOnly = True
        cfg.uaConfig.maxCalls = 4
        cfg.uaConfig.userAgent = config.user_agent
        cfg.uaConfig.stunIgnoreFailure = True
        if config.log_messages:
            self._log_writer = LogWriter(self._emit)
            cfg.logConfig.writer = self._log_writer
            cfg.logConfig.msgLogging = True
            cfg.logConfig.level = max(4, config.log_level)
            cfg.logConfig.consoleLevel = max(4, config.log_level)
            cfg.logConfig.decor = 0
        else:
            cfg.logConfig.msgLogging = False
            cfg.logConfig.level = config.log_level
            cfg.logConfig.consoleLevel = config.log_level
        cfg.medConfig.clockRate = SAMPLE_RATE
        cfg.medConfig.sndClockRate = SAMPLE_RATE
        cfg.medConfig.channelCount = 1
        cfg.medConfig.audioFramePtime = CONFERENCE_FRAME_MS
        cfg.medConfig.noVad = True
        # PCMU/PCMA run at 8 kHz, the bridge at 16 kHz: PJSIP resamples every frame on
        # its clock thread. Quality 8 (the default) picks libresample's large filter;
        # 3-4 its small one: a fifth of the taps, the same 4 kHz band for G.711.
        cfg.medConfig.quality = 4
        cfg.medConfig.ecTailLen = 0  # null device: no echo canceller to size
        ep.libInit(cfg)
        self._transports = create_transports(ep, config)
        ep.libStart()
        self._guard = RequestGuard(self._lib(), self._on_guard_refused, self._answered)
        self._outside.accept_messages = config.accept_messages
        self._outside.install(self._lib())
        ep.audDevManager().setNullDev()
        set_codec_priorities(ep, config.codecs)
        first = config.transports[0]
        _, host, port = self._transports[first.kind]
        acfg = pj.AccountConfig()
        scheme = "sips" if first.kind == "tls" else "sip"
        acfg.idUri = f"{scheme}:{config.local_user}@{host}:{port}"
        if first.kind != "udp":
            acfg.idUri += f";transport={first.kind}"
        configure_media(acfg, config.srtp, first.bind_address)
        local = Account(self, None)
        local.create(acfg, True)
        self._local_acc = local

    def _srtp(self, account_id: str | None) -> SrtpMode:
        """The SRTP mode of an account's calls (the engine's for direct calls)."""
        assert self._config is not None
        a = self._accounts.get(account_id) if account_id is not None else None
        if a is not None and a.config.srtp is not None:
            return a.config.srtp
        return self._config.srtp

    def _poll_tick(self) -> None:
        self._poll_handle = None
        self._pump()

    def _pump(self) -> None:
        ep = self._ep
        if ep is None or self._in_pump:
            return
        self._in_pump = True
        try:
            ep.libHandleEvents(0)
        except Exception:
            log.exception("libHandleEvents failed")
        finally:
            self._in_pump = False
        if self._graveyard:
            self._graveyard.clear()
        if self._events and not self._flushing:
            self._flush_events()
        self._schedule_poll()

    def _schedule_poll(self) -> None:
        """Arrange the next poll. SIP sockets wake the loop by themselves; beyond that
        poll when PJSIP's earliest timer is due, and at the latest after
        ``call_poll_interval`` while there are calls (PJSIP's media thread queues work
        for this thread, e.g. RFC 4733 digits, without waking it) or
        ``idle_poll_interval`` otherwise. Every ``poll_interval`` instead while a
        registration is under way, or where sockets/timers cannot be watched (TCP/TLS
        connections, no pjlib symbols). Keeps an earlier pending poll."""
        loop = self._loop
        if loop is None or self._ep is None:
            return
        now = loop.time()
        clock = self._timer_clock
        if self._always_fast or clock is None or (self._accounts and self._registering()):
            due = now + self.poll_interval
        else:
            due = now + (self.call_poll_interval if self._calls else self.idle_poll_interval)
            timer = clock.next_due(now)
            if timer is not None and timer < due:
                due = timer
        if self._poll_handle is not None:
            if self._poll_due <= due + 0.001:
                return
            self._poll_handle.cancel()
        self._poll_due = due
        self._poll_handle = loop.call_at(due, self._poll_tick)

    def _registering(self) -> bool:
        return any(a.waiters for a in self._accounts.values())

    async def stop(self) -> None:
        if self._ep is None:
            return
        loop = asyncio.get_running_loop()
        try:
            self._hangup_all()
            deadline = loop.time() + 2.0
            while (self._calls or self._dialog.retired_count) and loop.time() < deadline:
                await asyncio.sleep(0.01)
            unregs = [
                self.unregister(aid, timeout=2.0)
                for aid, a in self._accounts.items()
                if a.state.state in (RegistrationStatus.REGISTERED, RegistrationStatus.REGISTERING)
            ]
            if unregs:
                await asyncio.gather(*unregs, return_exceptions=True)
            for _ in range(3):  # let the last responses/ACKs out
                self._pump()
                await asyncio.sleep(0.005)
        finally:
            self._destroy_lib()

    def _hangup_all(self) -> None:
        self._dialog.hangup_all()
        for st in list(self._calls.values()):
            st.local_hangup = True
            with contextlib.suppress(Exception):
                st.call.hangup(pj.CallOpParam(True))

    def _destroy_lib(self) -> None:
        """DESIGN.md order: audio -> calls -> ports -> accounts -> gc -> libDestroy."""
        ep = self._ep
        if self._poll_handle is not None:
            self._poll_handle.cancel()
            self._poll_handle = None
        self._timer_clock = None
        if self._loop is not None:
            for fd in self._readers:
                with contextlib.suppress(Exception):
                    self._loop.remove_reader(fd)
        self._readers.clear()
        for t in self._tasks:
            t.cancel()
        self._tasks.clear()
        for st in self._calls.values():
            if st.timer is not None:
                st.timer.cancel()
            for w in st.waiters:
                if not w.done():
                    w.cancel()
        self._release_clock()
        if self._bridge_port is not None:
            for st in self._calls.values():
                self._disconnect_media(st)
        if self._media_on and self._bridge is not None:
            with contextlib.suppress(Exception):
                self._bridge.media_stopped()
        self._media_on = False
        for st in self._calls.values():
            # No Call may outlive libDestroy (its destructor asserts then), not even
            # through this frame's loop variable.
            st.call = None
        self._calls.clear()
        self._dialog.clear()
        self._graveyard.clear()
        self._refusing.clear()
        self._conference.clear()
        self._bridge_port = None
        self._null_capture = self._null_playback = None
        for a in self._accounts.values():
            with contextlib.suppress(Exception):
                a.acc.shutdown()
        if self._local_acc is not None:
            with contextlib.suppress(Exception):
                self._local_acc.shutdown()
        self._accounts.clear()
        self._local_acc = None
        gc.collect()

        self._ep = None
        self._transports.clear()
        self._outside.close()
        if ep is not None:
            try:
                if self._guard is not None:
                    self._guard.close()
                    self._guard = None
                # Calls are hung up and accounts unregistered by now: no need for
                # PJSIP's 1 s wait for responses (PJSUA_DESTROY_NO_RX_MSG).
                ep.libDestroy(pj.PJSUA_DESTROY_NO_RX_MSG)
            except Exception:
                log.exception("libDestroy failed")
        self._log_writer = None
        gc.collect()

    def local_address(self, transport: str = "udp") -> tuple[str, int]:
        self._require_started()
        kind = check_transport(transport)
        if kind not in self._transports:
            raise UnsupportedTransportError(f"no {kind} transport configured")
        _, host, port = self._transports[kind]
        return host, port

    # -- accounts -----------------------------------------------------------------------

    def add_account(self, account: AccountConfig) -> str:
        self._require_started()
        if account.id in self._accounts:
            raise SipError(f"account {account.id!r} already exists")
        if account.transport not in self._transports:
            raise UnsupportedTransportError(
                f"account {account.id!r} wants {account.transport} but no such transport "
                "is configured"
            )
        tid, host, _ = self._transports[account.transport]
        acfg = pj.AccountConfig()
        uri = account.uri
        if account.display_name:
            uri = f'"{account.display_name}" <{uri}>'
        acfg.idUri = uri
        registrar = account.registrar
        if registrar and account.transport != "udp" and "transport=" not in registrar:
            registrar += f";transport={account.transport}"
        acfg.regConfig.registrarUri = registrar
        acfg.regConfig.registerOnAdd = False
        acfg.regConfig.timeoutSec = account.expires
        acfg.regConfig.retryIntervalSec = 0
        acfg.regConfig.dropCallsOnFail = False
        if account.username:
            acfg.sipConfig.authCreds.append(
                pj.AuthCredInfo("digest", account.realm, account.username, 0, account.password)
            )
        if account.proxy:
            acfg.sipConfig.proxies.append(account.proxy)
        acfg.sipConfig.transportId = tid
        if account.push is not None:
            acfg.sipConfig.contactUriParams = account.push.contact_params()
        assert self._config is not None
        configure_media(acfg, account.srtp or self._config.srtp, host)
        acc = Account(self, account.id)
        try:
            acc.create(acfg, False)
        except pj.Error as exc:
            raise SipError(f"cannot add account {account.id!r}: {_pj_error_text(exc)}") from exc
        self._accounts[account.id] = _AccountState(account, acc)
        if account.register_on_add and registrar:
            self._spawn(self.register(account.id))
        return account.id

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)

        def done(t: asyncio.Task[Any]) -> None:
            self._tasks.discard(t)
            if not t.cancelled() and t.exception() is not None:
                log.warning("background SIP task failed: %s", t.exception())

        task.add_done_callback(done)

    def _account(self, account_id: str) -> _AccountState:
        self._require_started()
        try:
            return self._accounts[account_id]
        except KeyError:
            raise UnknownAccountError(f"no account {account_id!r}") from None

    async def remove_account(self, account_id: str) -> None:
        a = self._account(account_id)
        if a.state.state == RegistrationStatus.REGISTERED:
            await self.unregister(account_id, timeout=2.0)
        self._accounts.pop(account_id, None)
        with contextlib.suppress(Exception):
            a.acc.shutdown()

    def registration_state(self, account_id: str) -> RegistrationState:
        return self._account(account_id).state

    def _set_reg_state(self, a: _AccountState, state: RegistrationState) -> None:
        a.state = state
        self._emit(
            RegistrationStateChanged(
                a.config.id, state.state, state.code, state.reason, state.expires
            )
        )
        if state.state not in (RegistrationStatus.REGISTERING, RegistrationStatus.UNREGISTERING):
            waiters, a.waiters = a.waiters, []
            for w in waiters:
                if not w.done():
                    w.set_result(state)

    async def _registration(self, account_id: str, on: bool, timeout: float) -> RegistrationState:
        a = self._account(account_id)
        if not a.config.registrar:
            raise SipError(f"account {account_id!r} has no registrar")
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[RegistrationState] = loop.create_future()
        a.waiters.append(fut)
        self._set_reg_state(
            a,
            RegistrationState(
                RegistrationStatus.REGISTERING if on else RegistrationStatus.UNREGISTERING
            ),
        )
        try:
            a.acc.setRegistration(on)
        except pj.Error as exc:
            reason = _pj_error_text(exc)
            self._set_reg_state(a, RegistrationState(RegistrationStatus.FAILED, 503, reason))
            return a.state
        self._schedule_poll()  # now busy: poll fast (e.g. a DNS answer has no watched socket)
        try:
            return await asyncio.wait_for(asyncio.shield(fut), timeout)
        except asyncio.TimeoutError:
            if a.waiters and fut in a.waiters:
                a.waiters.remove(fut)
            self._set_reg_state(
                a,
                RegistrationState(
                    RegistrationStatus.FAILED, 408, "Request Timeout (no answer from registrar)"
                ),
            )
            return a.state

    async def register(self, account_id: str, timeout: float | None = None) -> RegistrationState:
        cfg = self._config
        assert cfg is not None or self._ep is None
        limit = timeout if timeout is not None else (cfg.register_timeout if cfg else 32.0)
        return await self._registration(account_id, True, limit)

    async def unregister(self, account_id: str, timeout: float | None = None) -> RegistrationState:
        cfg = self._config
        limit = timeout if timeout is not None else (cfg.register_timeout if cfg else 32.0)
        return await self._registration(account_id, False, limit)

    def _on_reg_state(self, acc: Account, prm: Any) -> None:
        if acc.account_id is None:
            return
        a = self._accounts.get(acc.account_id)
        if a is None:
            return
        code = int(prm.code)
        reason = str(prm.reason)
        expires = int(prm.expiration)
        if 200 <= code < 300:
            st = RegistrationStatus.REGISTERED if expires > 0 else RegistrationStatus.UNREGISTERED
        elif a.state.state == RegistrationStatus.UNREGISTERING and code in (0, 408, 503):
            st = RegistrationStatus.UNREGISTERED
        else:
            st = RegistrationStatus.FAILED
        if code == 0 and not reason:
            reason = "no response"
        reason = tls_failure_reason(reason) or reason
        self._set_reg_state(a, RegistrationState(st, code, reason, expires))

    # -- calls --------------------------------------------------------------------------

    def _call(self, call_id: str) -> _CallState:
        self._require_started()
        try:
            return self._calls[call_id]
        except KeyError:
            raise UnknownCallError(f"no call {call_id!r}") from None

    async def make_call(
        self,
        uri: str,
        account_id: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> str:
        self._require_started()
        assert self._config is not None and self._local_acc is not None
        parsed = parse_uri(uri)
        if parsed.transport not in self._transports:
            raise UnsupportedTransportError(
                f"{uri!r} needs a {parsed.transport} transport, which is not configured"
            )
        acc = self._account(account_id).acc if account_id is not None else self._local_acc
        if len(self._calls) >= self._config.max_calls:
            raise CallLimitError(f"already {len(self._calls)} calls (max {self._config.max_calls})")
        call = Call(self, acc)
        prm = pj.CallOpParam(True)
        prm.opt.audioCount = 1
        prm.opt.videoCount = 0
        for k, v in (headers or {}).items():
            h = pj.SipHeader()
            h.hName = str(k)
            h.hValue = str(v)
            prm.txOption.headers.append(h)
        key = f"call-{next(self._ids)}"
        call.key = key
        st = _CallState(key, call, Direction.OUTGOING, account_id, str(parsed))
        self._calls[key] = st
        try:
            call.makeCall(str(uri_of(uri)), prm)
        except pj.Error as exc:
            self._calls.pop(key, None)
            self._graveyard.append(call)
            text = _pj_error_text(exc)
            if parsed.transport == "tls" and _TLS_VERIFY_HINT.search(text):
                raise TlsVerificationError(f"TLS call to {uri} failed: {text}") from exc
            raise SipError(f"cannot call {uri}: {text}") from exc
        with contextlib.suppress(Exception):
            call.info = call.getInfo()
            st.sip_call_id = str(call.info.callIdString)
        self._emit(OutgoingCallStarted(key, st.sip_call_id, st.remote_uri, account_id))
        self._schedule_poll()  # now busy: poll fast (e.g. a DNS answer has no watched socket)
        if self._config.no_answer_timeout > 0 and self._loop is not None:
            st.timer = self._loop.call_later(self._config.no_answer_timeout, self._no_answer, key)
        return key

    def _no_answer(self, key: str) -> None:
        st = self._calls.get(key)
        if st is None or st.connected:
            return
        st.no_answer = True
        with contextlib.suppress(Exception):
            st.call.hangup(pj.CallOpParam(True))

    def answer(self, call_id: str, code: int = 200) -> Coroutine[Any, Any, None]:
        """Answers at once, not at the first await (as an eager task would): an
        auto-answer started as a task from an IncomingCallReceived subscriber sends its
        200 in the same loop step as the INVITE, not one step later. Errors are raised
        when the returned coroutine is awaited, as before."""
        try:
            self._answer_now(call_id, code)
        except Exception as exc:
            return _raise(exc)
        return _done()

    def _answer_now(self, call_id: str, code: int) -> None:
        st = self._call(call_id)
        if st.direction != Direction.INCOMING:
            raise SipError(f"call {call_id} is outgoing: nothing to answer")
        if not 100 < code < 300:
            raise SipError(f"answer code must be 1xx/2xx, got {code}")
        if code == 180 and st.ringing_sent:
            return  # the engine rang on arrival; a second 180 only confuses peers
        prm = pj.CallOpParam(True)
        prm.statusCode = code
        prm.opt.audioCount = 1
        prm.opt.videoCount = 0
        try:
            st.call.answer(prm)
        except pj.Error as exc:
            raise SipError(f"cannot answer {call_id}: {_pj_error_text(exc)}") from exc
        if code >= 200:
            st.answered = True

    async def _connected(self, st: _CallState, call_id: str, timeout: float = 3.0) -> None:
        """A call we answered is usable as soon as its ACK arrives: an action right after
        the answer (DTMF, hold) waits for it instead of failing; others fail at once."""
        if st.connected:
            return
        if st.answered:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + timeout
            while st.call is not None and not st.connected and loop.time() < deadline:
                await asyncio.sleep(0.01)
            if st.connected:
                return
        raise SipError(f"call {call_id} is not connected")

    async def reject(self, call_id: str, code: int = 486) -> None:
        st = self._call(call_id)
        if st.direction != Direction.INCOMING or st.connected:
            raise SipError(f"call {call_id} is not an unanswered incoming call")
        if not 300 <= code < 700:
            raise SipError(f"reject code must be 3xx-6xx, got {code}")
        st.rejected = True
        prm = pj.CallOpParam(True)
        prm.statusCode = code
        try:
            st.call.hangup(prm)
        except pj.Error as exc:
            raise SipError(f"cannot reject {call_id}: {_pj_error_text(exc)}") from exc

    async def hangup(self, call_id: str) -> None:
        st = self._call(call_id)
        st.local_hangup = True
        if st.direction == Direction.INCOMING and not st.connected:
            st.rejected = True
        try:
            st.call.hangup(pj.CallOpParam(True))
        except pj.Error as exc:
            raise SipError(f"cannot hang up {call_id}: {_pj_error_text(exc)}") from exc

    async def _wait_media(self, st: _CallState, timeout: float = 5.0) -> None:
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        st.waiters.append(fut)
        with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
            await asyncio.wait_for(fut, timeout)

    async def hold(self, call_id: str) -> None:
        st = self._call(call_id)
        await self._connected(st, call_id)
        if st.local_hold:
            return
        try:
            st.call.setHold(pj.CallOpParam(True))
        except pj.Error as exc:
            raise SipError(f"cannot hold {call_id}: {_pj_error_text(exc)}") from exc
        await self._wait_media(st)

    async def unhold(self, call_id: str) -> None:
        st = self._call(call_id)
        if not st.local_hold:
            return
        prm = pj.CallOpParam(True)
        prm.opt.flag = pj.PJSUA_CALL_UNHOLD
        prm.opt.audioCount = 1
        prm.opt.videoCount = 0
        try:
            st.call.reinvite(prm)
        except pj.Error as exc:
            raise SipError(f"cannot resume {call_id}: {_pj_error_text(exc)}") from exc
        await self._wait_media(st)

    def set_mute(self, call_id: str, muted: bool) -> None:
        st = self._call(call_id)
        if st.muted == muted:
            return
        st.muted = muted
        if st.audio is not None:
            src = self._mic_source()
            try:
                if muted:
                    src.stopTransmit(st.audio)
                else:
                    src.startTransmit(st.audio)
            except pj.Error as exc:
                raise SipError(f"cannot change mute of {call_id}: {_pj_error_text(exc)}") from exc
        self._emit(CallMuteChanged(call_id, muted))

    async def send_dtmf(self, call_id: str, digits: str, method: str | None = None) -> None:
        st = self._call(call_id)
        assert self._config is not None
        if not digits or not _DTMF_DIGITS.match(digits):
            raise SipError(f"invalid DTMF digits {digits!r} (use 0-9 * # A-D)")
        try:
            how = DtmfMethod(method) if method is not None else self._config.dtmf_method
        except ValueError:
            raise SipError(f"unknown DTMF method {method!r}: use rfc4733 or info") from None
        await self._connected(st, call_id)
        try:
            if how == DtmfMethod.RFC4733:
                st.call.dialDtmf(digits)
            else:
                prm = pj.CallSendDtmfParam()
                prm.method = pj.PJSUA_DTMF_METHOD_SIP_INFO
                prm.digits = digits
                prm.duration = 160
                st.call.sendDtmf(prm)
        except pj.Error as exc:
            raise SipError(f"cannot send DTMF on {call_id}: {_pj_error_text(exc)}") from exc

    async def transfer(self, call_id: str, target: str) -> None:
        await self._dialog.transfer(call_id, target)

    async def transfer_attended(self, call_id: str, to_call_id: str) -> None:
        await self._dialog.transfer_attended(call_id, to_call_id)

    async def conference(self, call_ids: Iterable[str]) -> None:
        ids = list(dict.fromkeys(call_ids))
        states = [self._call(c) for c in ids]
        for st in states:
            if not st.connected:
                raise SipError(f"call {st.key} is not connected")
        for st in states:
            if st.local_hold:
                await self.unhold(st.key)
        self._conference = set(ids)
        self._connect_conference()

    def _connect_conference(self) -> None:
        members = [self._calls[k] for k in self._conference if k in self._calls]
        for a in members:
            for b in members:
                if a is not b and a.audio is not None and b.audio is not None:
                    with contextlib.suppress(Exception):
                        a.audio.startTransmit(b.audio)

    def call_stats(self, call_id: str) -> CallStats:
        st = self._call(call_id)
        codec = ""
        rtt = jitter = loss = 0.0
        rx = tx = 0
        duration = 0.0
        try:
            info = st.call.getInfo()
            st.call.info = info
            duration = float(info.connectDuration.sec) + info.connectDuration.msec / 1000
            for mi in info.media:
                if mi.type != pj.PJMEDIA_TYPE_AUDIO:
                    continue
                si = st.call.getStreamInfo(mi.index)
                codec = f"{si.codecName}/{si.codecClockRate}"
                ss = st.call.getStreamStat(mi.index)
                rtcp = ss.rtcp
                rtt = rtcp.rttUsec.mean / 1000.0
                jitter = rtcp.rxStat.jitterUsec.mean / 1000.0
                rx = int(rtcp.rxStat.pkt)
                tx = int(rtcp.txStat.pkt)
                lost = int(rtcp.rxStat.loss)
                loss = 100.0 * lost / (rx + lost) if rx + lost else 0.0
                break
        except pj.Error as exc:
            raise SipError(f"no statistics for {call_id}: {_pj_error_text(exc)}") from exc
        return CallStats(
            codec=codec,
            rtt_ms=rtt,
            jitter_ms=jitter,
            loss_pct=loss,
            mos=estimate_mos(rtt, jitter, loss, codec or "PCMU"),
            duration_s=duration,
            packets_received=rx,
            packets_sent=tx,
        )

    def active_calls(self) -> list[CallInfo]:
        return [
            CallInfo(
                st.key,
                st.sip_call_id,
                st.direction,
                st.remote_uri,
                st.account_id,
                st.connected,
                st.local_hold,
                st.remote_hold,
                st.muted,
            )
            for st in self._calls.values()
        ]

    # -- audio --------------------------------------------------------------------------

    def _mic_source(self) -> Any:
        if self._bridge_port is not None:
            return self._bridge_port
        if self._null_capture is None:  # cached: one SWIG round trip per call saved
            self._null_capture = self._ep.audDevManager().getCaptureDevMedia()
        return self._null_capture

    def _speaker_sink(self) -> Any:
        if self._bridge_port is not None:
            return self._bridge_port
        if self._null_playback is None:
            self._null_playback = self._ep.audDevManager().getPlaybackDevMedia()
        return self._null_playback

    def set_audio_bridge(self, bridge: AudioBridge | None) -> None:
        self._require_started()
        for st in self._calls.values():
            self._disconnect_media(st)
        if self._media_on and self._bridge is not None:
            with contextlib.suppress(Exception):
                self._bridge.media_stopped()
        self._media_on = False
        self._release_clock()
        self._bridge = bridge
        self._bridge_port = None
        if isinstance(bridge, ClockedAudioBridge):
            # Calls stay on conference port 0; the bridge's devices clock it.
            self._clock = ConferenceClock(self._lib(), SAMPLE_RATE * CONFERENCE_FRAME_MS // 1000)
            bridge.use_clock(self._clock)
        elif bridge is not None:
            self._bridge_port = BridgePort(bridge)
        for st in self._calls.values():
            if st.audio is not None:
                self._connect_media(st)
        self._update_media_on()

    def _release_clock(self) -> None:
        """Stop the bridge's devices from clocking PJSIP (before libDestroy, or when the
        bridge changes); PJSIP's null device clocks the conference again."""
        clock, self._clock = self._clock, None
        if clock is None:
            return
        clock.close()
        if isinstance(self._bridge, ClockedAudioBridge):
            with contextlib.suppress(Exception):
                self._bridge.use_clock(None)

    @staticmethod
    def _lib() -> ctypes.CDLL:
        # CDLL, not PyDLL: a device thread must drop the GIL while PJSIP runs.
        return ctypes.CDLL(pj._pjsua2.__file__)

    def _connect_media(self, st: _CallState) -> None:
        aud = st.audio
        if aud is None:
            return
        if not st.muted:
            self._mic_source().startTransmit(aud)
        aud.startTransmit(self._speaker_sink())

    def _disconnect_media(self, st: _CallState) -> None:
        aud = st.audio
        if aud is None:
            return
        with contextlib.suppress(Exception):
            self._mic_source().stopTransmit(aud)
        with contextlib.suppress(Exception):
            aud.stopTransmit(self._speaker_sink())

    def _update_media_on(self) -> None:
        on = any(st.media_active for st in self._calls.values())
        if on == self._media_on:
            return
        self._media_on = on
        if self._bridge is None:
            return
        try:
            if on:
                self._bridge.media_started()
            else:
                self._bridge.media_stopped()
        except Exception:
            log.exception("audio bridge media_started/stopped failed")

    # -- pjsua2 callbacks (run inside libHandleEvents on the loop thread) ----------------

    def _on_incoming_call(self, acc: Account, prm: Any) -> None:
        assert self._config is not None
        call = Call(self, acc, prm.callId)
        info = call.getInfo()
        call.info = info
        if len(self._calls) >= self._config.max_calls:
            self._refuse_later(call, 486)
            limit = f"Busy Here: already {len(self._calls)} calls"
            self._emit(
                IncomingCallRefused(str(info.callIdString), uri_of(str(info.remoteUri)), 486, limit)
            )
            return
        remote = str(info.remoteUri)
        whole = str(prm.rdata.wholeMsg)
        refuse = functools.partial(self._refuse_later, call)
        if self._outside.refuse_offer(refuse, str(info.callIdString), remote, whole):
            return
        key = f"call-{next(self._ids)}"
        call.key = key
        st = _CallState(key, call, Direction.INCOMING, acc.account_id, uri_of(remote))
        st.sip_call_id = str(info.callIdString)
        self._calls[key] = st
        headers = _LazyHeaders(whole)
        ringing = pj.CallOpParam(True)
        ringing.statusCode = 180
        call.answer(ringing)
        st.ringing_sent = True
        self._emit(
            IncomingCallReceived(
                key,
                st.sip_call_id,
                st.remote_uri,
                display_name_of(remote),
                headers,
                acc.account_id,
            )
        )

    def _answered(self, sip_call_id: str) -> bool:
        return any(st.connected for st in self._calls.values() if st.sip_call_id == sip_call_id)

    def _on_guard_refused(
        self, first_line: str, refused: Refusal, call_id: str, caller: str
    ) -> None:
        log.warning("refused %s: %d %s", first_line[:120], refused.status, refused.reason)
        if first_line.startswith("INVITE "):
            self._emit(IncomingCallRefused(call_id, caller, refused.status, refused.reason))

    def _refuse_later(self, call: Call, code: int, reason: str = "") -> None:
        """Refuse an incoming call once pjsua2's onIncomingCall has returned.

        Hanging up inside it resets a call whose INVITE had no SDP at once, and pjsua2
        then frees the INVITE's clone a second time: an assertion aborts the process.
        The scheduled refusal holds no Call itself: a Call still referenced after
        ``libDestroy`` aborts the process when it is freed.
        """
        self._refusing.append(call)
        assert self._loop is not None
        self._loop.call_soon(guarded, "refuse", functools.partial(
            self._refuse_now, id(call), code, reason))

    def _refuse_now(self, key: int, code: int, reason: str) -> None:
        call = next((c for c in self._refusing if id(c) == key), None)
        if call is None:  # the engine stopped meanwhile
            return
        self._refusing.remove(call)
        self._graveyard.append(call)
        prm = pj.CallOpParam(True)
        prm.statusCode = code
        if reason:
            prm.reason = reason
        with contextlib.suppress(pj.Error):
            call.hangup(prm)
        self._schedule_poll()

    def _on_call_state(self, call: Call, prm: Any) -> None:
        info = call.getInfo()
        call.info = info
        st = self._calls.get(call.key)
        if st is None:
            if info.state == pj.PJSIP_INV_STATE_DISCONNECTED:
                self._graveyard.append(call)
                self._dialog.leg_disconnected(call)  # a transferred/replaced call's old leg
            return
        state = info.state
        if not st.sip_call_id:
            st.sip_call_id = str(info.callIdString)
        if state == pj.PJSIP_INV_STATE_EARLY and st.direction == Direction.OUTGOING:
            code = int(info.lastStatusCode)
            early = response_has_sdp(prm) or any(
                m.type == pj.PJMEDIA_TYPE_AUDIO and m.status == pj.PJSUA_CALL_MEDIA_ACTIVE
                for m in info.media
            )
            self._emit(CallProgressed(st.key, code, str(info.lastReason), early))
        elif state == pj.PJSIP_INV_STATE_CONFIRMED and not st.connected:
            if self._srtp(st.account_id) == SrtpMode.MANDATORY and not media_up(info):
                return  # the answer could not be secured: PJSIP is hanging up (488)
            st.connected = True
            if st.timer is not None:
                st.timer.cancel()
                st.timer = None
            self._emit(CallConnected(st.key))
            self._dialog.leg_connected(st)
        elif state == pj.PJSIP_INV_STATE_DISCONNECTED:
            code = int(info.lastStatusCode)
            reason = str(info.lastReason)
            cause = self._end_cause(st, code, reason)
            reason = self._dialog.end_reason(st.key, reason)
            self._dialog.call_ended(st.key)
            refused = (
                None if st.connected else srtp_refusal(self._srtp(st.account_id), code, reason)
            )
            why = tls_failure_reason(reason) or refused
            if why is not None:
                cause, reason = CallEndCause.FAILED, why
            if st.timer is not None:
                st.timer.cancel()
            self._disconnect_media(st)
            st.audio = None
            st.media_active = False
            self._calls.pop(st.key, None)
            self._conference.discard(st.key)
            for w in st.waiters:
                if not w.done():
                    w.set_result(None)
            self._graveyard.append(call)
            st.call = None
            self._update_media_on()
            self._emit(CallEnded(st.key, cause, code, reason))

    @staticmethod
    def _end_cause(st: _CallState, code: int, reason: str) -> CallEndCause:
        if st.connected:
            return CallEndCause.LOCAL_HANGUP if st.local_hangup else CallEndCause.REMOTE_HANGUP
        if st.direction == Direction.INCOMING:
            if st.rejected:
                return CallEndCause.REJECTED
            if code == 487 or "cancel" in reason.lower():
                return CallEndCause.REMOTE_CANCELLED
            return CallEndCause.FAILED
        if st.no_answer:
            return CallEndCause.NO_ANSWER
        if st.local_hangup:
            return CallEndCause.CANCELLED
        if code in (486, 600):
            return CallEndCause.BUSY
        if code in (603, 607):
            return CallEndCause.DECLINED
        if code in (404, 604, 484):
            return CallEndCause.NOT_FOUND
        if code == 408 or (code == 503 and "unavailable" not in reason.lower()):
            return CallEndCause.NO_RESPONSE  # timer B, or PJSIP's transport error
        if code in (480, 503, 410):
            return CallEndCause.UNAVAILABLE
        if code in (401, 403, 407):
            return CallEndCause.UNAUTHORIZED
        return CallEndCause.FAILED

    def _on_call_media_state(self, call: Call) -> None:
        st = self._calls.get(call.key)
        if st is None:
            return
        info = call.getInfo()
        call.info = info
        status = None
        index = -1
        for mi in info.media:
            if mi.type == pj.PJMEDIA_TYPE_AUDIO:
                status = mi.status
                index = mi.index
                break
        was_local, was_remote = st.local_hold, st.remote_hold
        st.local_hold = status == pj.PJSUA_CALL_MEDIA_LOCAL_HOLD
        st.remote_hold = status == pj.PJSUA_CALL_MEDIA_REMOTE_HOLD
        if status in (pj.PJSUA_CALL_MEDIA_ACTIVE, pj.PJSUA_CALL_MEDIA_REMOTE_HOLD):
            media = call.getAudioMedia(index)
            # A re-INVITE (e.g. resume after hold) may give the call a new conference
            # slot: reconnect whenever the port changed, not only the first time.
            if st.audio is None or st.audio.getPortId() != media.getPortId():
                if st.audio is not None:
                    with contextlib.suppress(Exception):
                        self._disconnect_media(st)
                st.audio = media
                self._connect_media(st)
                if st.key in self._conference:
                    self._connect_conference()
            st.media_active = status == pj.PJSUA_CALL_MEDIA_ACTIVE
            state = (
                MediaState.ACTIVE
                if status == pj.PJSUA_CALL_MEDIA_ACTIVE
                else MediaState.REMOTE_HOLD
            )
        else:
            self._disconnect_media(st)
            st.audio = None
            st.media_active = False
            state = {
                pj.PJSUA_CALL_MEDIA_LOCAL_HOLD: MediaState.LOCAL_HOLD,
                pj.PJSUA_CALL_MEDIA_ERROR: MediaState.ERROR,
            }.get(status, MediaState.NONE)
        codec = ""
        srtp = False
        if index >= 0 and state != MediaState.NONE:
            with contextlib.suppress(Exception):
                si = call.getStreamInfo(index)
                codec = f"{si.codecName}/{si.codecClockRate}"
            if self._srtp(st.account_id) != SrtpMode.OFF:
                with contextlib.suppress(Exception):  # dump() is costly: only when SRTP is on
                    srtp = "SRTP status: Active" in str(call.dump(True, ""))
        self._update_media_on()
        if (was_local, was_remote) != (st.local_hold, st.remote_hold):
            self._emit(CallHoldChanged(st.key, st.local_hold, st.remote_hold))
        self._emit(CallMediaStateChanged(st.key, state, codec, srtp))
        waiters, st.waiters = st.waiters, []
        for w in waiters:
            if not w.done():
                w.set_result(None)

    def _on_dtmf(self, call: Call, prm: Any) -> None:
        st = self._calls.get(call.key)
        if st is None:
            return
        method = "info" if prm.method == pj.PJSUA_DTMF_METHOD_SIP_INFO else "rfc4733"
        self._emit(DtmfReceived(st.key, str(prm.digit), method))

    def _on_call_tsx_state(self, call: Call, prm: Any) -> None:
        digit = info_dtmf_digit(prm)  # INFO application/dtmf (PJSIP decodes only dtmf-relay)
        st = self._calls.get(call.key)
        if digit is not None and st is not None:
            self._emit(DtmfReceived(st.key, digit, "info"))


async def _done() -> None:
    return None


async def _raise(exc: Exception) -> None:
    raise exc


class _LazyHeaders(Mapping[str, str]):
    """An incoming INVITE's headers, read-only, parsed on first use: most receivers
    never look, and the parse would delay the answer."""

    __slots__ = ("_msg", "_parsed")

    def __init__(self, msg: str) -> None:
        self._msg = msg
        self._parsed: dict[str, str] | None = None

    def _headers(self) -> dict[str, str]:
        parsed = self._parsed
        if parsed is None:
            parsed = self._parsed = _parse_headers(self._msg)
            self._msg = ""
        return parsed

    def __getitem__(self, name: str) -> str:
        return self._headers()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._headers())

    def __len__(self) -> int:
        return len(self._headers())

    def __repr__(self) -> str:
        return repr(self._headers())


def _parse_headers(msg: str) -> dict[str, str]:
    end = msg.find("\r\n\r\n")  # normalise only the head, not the SDP body
    head = (msg[:end] if end >= 0 else msg).replace("\r\n", "\n").split("\n\n", 1)[0]
    out: dict[str, str] = {}
    last = ""
    for line in head.split("\n")[1:]:
        if line[:1] in (" ", "\t") and last:
            out[last] += " " + line.strip()
            continue
        name, sep, value = line.partition(":")
        if not sep:
            continue
        last = name.strip()
        out.setdefault(last, value.strip())
    return out
