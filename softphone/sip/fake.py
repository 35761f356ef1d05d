"""An in-memory SIP engine with the real engine's interface, for the layers above.

The simulated far end is scripted by the dialled user part: ``busy`` -> 486,
``decline`` -> 603, ``notfound`` -> 404, ``noanswer`` rings until cancelled or the
no-answer timeout, ``unavailable`` -> 480, anything else rings then answers. Registrars
whose host ends in ``.invalid`` time out; ``FakeSipEngine.users`` holds the passwords a
fake registrar accepts (any password when empty) and ``forbidden`` users get 403.
Incoming calls, remote hang-up/cancel/hold and DTMF are injected with ``simulate_*``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from softphone.sip.config import AccountConfig, DtmfMethod, EngineConfig
from softphone.sip.engine import EventCallback, Unsubscribe
from softphone.sip.errors import (
    CallLimitError,
    EngineStateError,
    SipError,
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
    SipMessageLogged,
    estimate_mos,
    frozen_headers,
)
from softphone.sip.media import AudioBridge
from softphone.sip.uri import check_transport, display_name_of, parse_uri, uri_of

_DTMF_DIGITS = re.compile(r"^[0-9*#A-Da-d]+$")
_FINAL = {"busy": (486, "Busy Here"), "decline": (603, "Decline"), "notfound": (404, "Not Found")}
_FINAL["unavailable"] = (480, "Temporarily Unavailable")
_FINAL["noresponse"] = (408, "Request Timeout")  # nothing answered the INVITE (timer B)


@dataclass
class _FakeCall:
    key: str
    sip_call_id: str
    direction: Direction
    remote_uri: str
    account_id: str | None
    connected: bool = False
    local_hold: bool = False
    remote_hold: bool = False
    muted: bool = False
    handles: list[asyncio.TimerHandle] = field(default_factory=list)


class FakeSipEngine:
    """:class:`softphone.sip.engine.SipEngine` without a network (see module docstring)."""

    def __init__(self, ring_delay: float = 0.0, answer_delay: float = 0.0) -> None:
        self.ring_delay = ring_delay
        self.answer_delay = answer_delay
        self.users: dict[str, str] = {}
        self.forbidden: set[str] = {"forbidden"}
        self.sent_dtmf: list[tuple[str, str, str]] = []
        self.transfers: list[tuple[str, str]] = []  # (call, target or replaces:<call>)
        self.bridge: AudioBridge | None = None
        self._subs: list[EventCallback] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._config: EngineConfig | None = None
        self._accounts: dict[str, tuple[AccountConfig, RegistrationState]] = {}
        self._calls: dict[str, _FakeCall] = {}
        self._conference: set[str] = set()
        self._ids = itertools.count(1)

    # -- lifecycle/events ---------------------------------------------------------------

    def subscribe(self, callback: EventCallback) -> Unsubscribe:
        self._subs.append(callback)

        def unsubscribe() -> None:
            with contextlib.suppress(ValueError):
                self._subs.remove(callback)

        return unsubscribe

    def _emit(self, ev: SipEvent) -> None:
        if self._loop is None:
            return
        self._loop.call_soon(self._dispatch, ev)

    def _dispatch(self, ev: SipEvent) -> None:
        for cb in list(self._subs):
            with contextlib.suppress(Exception):
                cb(ev)

    def _log(self, direction: str, call: _FakeCall | None, first_line: str) -> None:
        cfg = self._config
        if cfg is not None and cfg.log_messages:
            sid = call.sip_call_id if call else ""
            text = f"{first_line}\r\nCall-ID: {sid}\r\nContent-Length: 0\r\n"
            self._emit(SipMessageLogged(direction, sid, first_line, text))

    def _require(self) -> EngineConfig:
        if self._config is None:
            raise EngineStateError("SIP engine is not started")
        return self._config

    async def start(self, config: EngineConfig) -> None:
        if self._config is not None:
            raise EngineStateError("SIP engine already started")
        self._loop = asyncio.get_running_loop()
        self._config = config

    async def stop(self) -> None:
        if self._config is None:
            return
        for key in list(self._calls):
            self._end(key, CallEndCause.LOCAL_HANGUP, 200, "OK")
        for aid, (_acc, st) in list(self._accounts.items()):
            if st.state == RegistrationStatus.REGISTERED:
                self._set_reg(aid, RegistrationState(RegistrationStatus.UNREGISTERED, 200, "OK"))
        await asyncio.sleep(0)
        self._config = None

    def local_address(self, transport: str = "udp") -> tuple[str, int]:
        cfg = self._require()
        kind = check_transport(transport)
        for t in cfg.transports:
            if t.kind == kind:
                return (t.bind_address, t.port or 5060)
        raise UnsupportedTransportError(f"no {kind} transport configured")

    # -- accounts -----------------------------------------------------------------------

    def add_account(self, account: AccountConfig) -> str:
        cfg = self._require()
        if account.id in self._accounts:
            raise SipError(f"account {account.id!r} already exists")
        if account.transport not in {t.kind for t in cfg.transports}:
            raise UnsupportedTransportError(f"no {account.transport} transport configured")
        self._accounts[account.id] = (
            account,
            RegistrationState(RegistrationStatus.UNREGISTERED),
        )
        if account.register_on_add and account.registrar and self._loop is not None:
            self._loop.create_task(self.register(account.id))
        return account.id

    def _acc(self, account_id: str) -> AccountConfig:
        self._require()
        if account_id not in self._accounts:
            raise UnknownAccountError(f"no account {account_id!r}")
        return self._accounts[account_id][0]

    async def remove_account(self, account_id: str) -> None:
        self._acc(account_id)
        if self._accounts[account_id][1].state == RegistrationStatus.REGISTERED:
            await self.unregister(account_id)
        del self._accounts[account_id]

    def registration_state(self, account_id: str) -> RegistrationState:
        self._acc(account_id)
        return self._accounts[account_id][1]

    def _set_reg(self, account_id: str, st: RegistrationState) -> None:
        acc = self._accounts[account_id][0]
        self._accounts[account_id] = (acc, st)
        self._emit(RegistrationStateChanged(account_id, st.state, st.code, st.reason, st.expires))

    async def register(self, account_id: str) -> RegistrationState:
        acc = self._acc(account_id)
        if not acc.registrar:
            raise SipError(f"account {account_id!r} has no registrar")
        self._set_reg(account_id, RegistrationState(RegistrationStatus.REGISTERING))
        self._log("sent", None, f"REGISTER {acc.registrar} SIP/2.0")
        await asyncio.sleep(0)
        host = parse_uri(acc.registrar).host
        if host.endswith(".invalid"):
            st = RegistrationState(RegistrationStatus.FAILED, 408, "Request Timeout")
        elif acc.username in self.forbidden:
            st = RegistrationState(RegistrationStatus.FAILED, 403, "Forbidden")
        elif self.users and self.users.get(acc.username) != acc.password:
            st = RegistrationState(RegistrationStatus.FAILED, 401, "Unauthorized")
        else:
            st = RegistrationState(RegistrationStatus.REGISTERED, 200, "OK", acc.expires)
        self._set_reg(account_id, st)
        return st

    async def unregister(self, account_id: str) -> RegistrationState:
        self._acc(account_id)
        self._set_reg(account_id, RegistrationState(RegistrationStatus.UNREGISTERING))
        await asyncio.sleep(0)
        st = RegistrationState(RegistrationStatus.UNREGISTERED, 200, "OK")
        self._set_reg(account_id, st)
        return st

    # -- calls --------------------------------------------------------------------------

    def _call(self, call_id: str) -> _FakeCall:
        self._require()
        if call_id not in self._calls:
            raise UnknownCallError(f"no call {call_id!r}")
        return self._calls[call_id]

    def _later(self, call: _FakeCall, delay: float, fn: object, *args: object) -> None:
        assert self._loop is not None
        call.handles.append(self._loop.call_later(delay, fn, *args))  # type: ignore[arg-type]

    async def make_call(
        self,
        uri: str,
        account_id: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> str:
        cfg = self._require()
        parsed = parse_uri(uri)
        if parsed.transport not in {t.kind for t in cfg.transports}:
            raise UnsupportedTransportError(f"{uri!r} needs a {parsed.transport} transport")
        if account_id is not None:
            self._acc(account_id)
        if len(self._calls) >= cfg.max_calls:
            raise CallLimitError(f"already {len(self._calls)} calls (max {cfg.max_calls})")
        key = f"call-{next(self._ids)}"
        call = _FakeCall(key, uuid.uuid4().hex, Direction.OUTGOING, str(parsed), account_id)
        self._calls[key] = call
        self._log("sent", call, f"INVITE {parsed} SIP/2.0")
        self._emit(OutgoingCallStarted(key, call.sip_call_id, call.remote_uri, account_id))
        user = (parsed.user or "").lower()
        if user in _FINAL:
            code, reason = _FINAL[user]
            self._later(call, self.ring_delay, self._remote_final, key, code, reason)
        else:
            self._later(call, self.ring_delay, self._remote_ringing, key)
            if user != "noanswer":
                self._later(call, self.ring_delay + self.answer_delay, self._remote_answer, key)
        if cfg.no_answer_timeout > 0:
            self._later(call, cfg.no_answer_timeout, self._no_answer, key)
        return key

    def _remote_ringing(self, key: str) -> None:
        call = self._calls.get(key)
        if call is not None and not call.connected:
            self._log("received", call, "SIP/2.0 180 Ringing")
            self._emit(CallProgressed(key, 180, "Ringing", False))

    def _remote_answer(self, key: str) -> None:
        call = self._calls.get(key)
        if call is not None and not call.connected:
            self._log("received", call, "SIP/2.0 200 OK")
            self._connect(call)

    def _connect(self, call: _FakeCall) -> None:
        call.connected = True
        self._emit(CallMediaStateChanged(call.key, MediaState.ACTIVE, "PCMU/8000", False))
        self._emit(CallConnected(call.key))
        if self.bridge is not None:
            with contextlib.suppress(Exception):
                self.bridge.media_started()

    def _remote_final(self, key: str, code: int, reason: str) -> None:
        cause = {
            486: CallEndCause.BUSY,
            603: CallEndCause.DECLINED,
            404: CallEndCause.NOT_FOUND,
            480: CallEndCause.UNAVAILABLE,
            408: CallEndCause.NO_RESPONSE,
        }.get(code, CallEndCause.FAILED)
        self._log("received", self._calls.get(key), f"SIP/2.0 {code} {reason}")
        self._end(key, cause, code, reason)

    def _no_answer(self, key: str) -> None:
        call = self._calls.get(key)
        if call is not None and not call.connected:
            self._end(key, CallEndCause.NO_ANSWER, 487, "Request Terminated")

    def _end(self, key: str, cause: CallEndCause, code: int, reason: str) -> None:
        call = self._calls.pop(key, None)
        if call is None:
            return
        for h in call.handles:
            h.cancel()
        self._conference.discard(key)
        self._emit(CallEnded(key, cause, code, reason))
        if self.bridge is not None and not any(c.connected for c in self._calls.values()):
            with contextlib.suppress(Exception):
                self.bridge.media_stopped()

    async def answer(self, call_id: str, code: int = 200) -> None:
        call = self._call(call_id)
        if call.direction != Direction.INCOMING:
            raise SipError(f"call {call_id} is outgoing: nothing to answer")
        if not 100 < code < 300:
            raise SipError(f"answer code must be 1xx/2xx, got {code}")
        if code >= 200 and not call.connected:
            self._log("sent", call, f"SIP/2.0 {code} OK")
            self._connect(call)

    async def reject(self, call_id: str, code: int = 486) -> None:
        call = self._call(call_id)
        if call.direction != Direction.INCOMING or call.connected:
            raise SipError(f"call {call_id} is not an unanswered incoming call")
        if not 300 <= code < 700:
            raise SipError(f"reject code must be 3xx-6xx, got {code}")
        self._log("sent", call, f"SIP/2.0 {code} Rejected")
        self._end(call_id, CallEndCause.REJECTED, code, "Rejected")

    async def hangup(self, call_id: str) -> None:
        call = self._call(call_id)
        if call.connected:
            self._end(call_id, CallEndCause.LOCAL_HANGUP, 200, "OK")
        elif call.direction == Direction.OUTGOING:
            self._end(call_id, CallEndCause.CANCELLED, 487, "Request Terminated")
        else:
            self._end(call_id, CallEndCause.REJECTED, 603, "Decline")

    async def hold(self, call_id: str) -> None:
        call = self._call(call_id)
        if not call.connected:
            raise SipError(f"call {call_id} is not connected")
        if not call.local_hold:
            call.local_hold = True
            self._emit(CallHoldChanged(call_id, True, call.remote_hold))
            self._emit(CallMediaStateChanged(call_id, MediaState.LOCAL_HOLD, "PCMU/8000"))

    async def unhold(self, call_id: str) -> None:
        call = self._call(call_id)
        if call.local_hold:
            call.local_hold = False
            self._emit(CallHoldChanged(call_id, False, call.remote_hold))
            self._emit(CallMediaStateChanged(call_id, MediaState.ACTIVE, "PCMU/8000"))

    def set_mute(self, call_id: str, muted: bool) -> None:
        call = self._call(call_id)
        if call.muted != muted:
            call.muted = muted
            self._emit(CallMuteChanged(call_id, muted))

    async def send_dtmf(self, call_id: str, digits: str, method: str | None = None) -> None:
        cfg = self._require()
        call = self._call(call_id)
        if not digits or not _DTMF_DIGITS.match(digits):
            raise SipError(f"invalid DTMF digits {digits!r} (use 0-9 * # A-D)")
        try:
            how = DtmfMethod(method) if method is not None else cfg.dtmf_method
        except ValueError:
            raise SipError(f"unknown DTMF method {method!r}: use rfc4733 or info") from None
        if not call.connected:
            raise SipError(f"call {call_id} is not connected")
        for d in digits:
            self.sent_dtmf.append((call_id, d, how.value))

    async def transfer(self, call_id: str, target: str) -> None:
        """Records the REFER; a test reports the peer's NOTIFY with ``emit``."""
        if not self._call(call_id).connected:
            raise SipError(f"call {call_id} is not connected")
        parse_uri(target)
        self.transfers.append((call_id, target))

    async def transfer_attended(self, call_id: str, to_call_id: str) -> None:
        if call_id == to_call_id:
            raise SipError("a call cannot replace itself")
        for c in (call_id, to_call_id):
            if not self._call(c).connected:
                raise SipError(f"call {c} is not connected")
        self.transfers.append((call_id, f"replaces:{to_call_id}"))

    async def conference(self, call_ids: Iterable[str]) -> None:
        ids = list(dict.fromkeys(call_ids))
        for c in ids:
            if not self._call(c).connected:
                raise SipError(f"call {c} is not connected")
        for c in ids:
            await self.unhold(c)
        self._conference = set(ids)

    @property
    def conference_members(self) -> frozenset[str]:
        return frozenset(self._conference)

    def call_stats(self, call_id: str) -> CallStats:
        self._call(call_id)
        return CallStats("PCMU/8000", 1.0, 0.5, 0.0, estimate_mos(1.0, 0.5, 0.0))

    def active_calls(self) -> list[CallInfo]:
        return [
            CallInfo(
                c.key,
                c.sip_call_id,
                c.direction,
                c.remote_uri,
                c.account_id,
                c.connected,
                c.local_hold,
                c.remote_hold,
                c.muted,
            )
            for c in self._calls.values()
        ]

    def set_audio_bridge(self, bridge: AudioBridge | None) -> None:
        self._require()
        self.bridge = bridge

    # -- the simulated far end ----------------------------------------------------------

    def simulate_incoming_call(
        self,
        remote_uri: str,
        headers: Mapping[str, str] | None = None,
        account_id: str | None = None,
        sip_call_id: str | None = None,
    ) -> str | None:
        """An INVITE arrives; returns the call id (None when refused with 486 at the limit)."""
        cfg = self._require()
        uri = uri_of(remote_uri)
        parse_uri(uri)
        if len(self._calls) >= cfg.max_calls:
            self._log("sent", None, "SIP/2.0 486 Busy Here")
            limit = f"Busy Here: already {len(self._calls)} calls"
            self._emit(IncomingCallRefused(sip_call_id or "", uri, 486, limit, account_id))
            return None
        key = f"call-{next(self._ids)}"
        call = _FakeCall(key, sip_call_id or uuid.uuid4().hex, Direction.INCOMING, uri, account_id)
        self._calls[key] = call
        self._log("received", call, f"INVITE sip:{cfg.local_user}@127.0.0.1 SIP/2.0")
        self._emit(
            IncomingCallReceived(
                key,
                call.sip_call_id,
                uri,
                display_name_of(remote_uri),
                frozen_headers(headers),
                account_id,
            )
        )
        return key

    def simulate_remote_hangup(self, call_id: str) -> None:
        call = self._call(call_id)
        if call.connected:
            self._end(call_id, CallEndCause.REMOTE_HANGUP, 200, "OK")
        elif call.direction == Direction.INCOMING:
            self._end(call_id, CallEndCause.REMOTE_CANCELLED, 487, "Request Terminated")
        else:
            self._end(call_id, CallEndCause.FAILED, 500, "Server Internal Error")

    def simulate_remote_hold(self, call_id: str, on: bool) -> None:
        call = self._call(call_id)
        if call.remote_hold != on:
            call.remote_hold = on
            self._emit(CallHoldChanged(call_id, call.local_hold, on))
            state = MediaState.REMOTE_HOLD if on else MediaState.ACTIVE
            self._emit(CallMediaStateChanged(call_id, state, "PCMU/8000"))

    def simulate_dtmf(self, call_id: str, digits: str, method: str = "rfc4733") -> None:
        self._call(call_id)
        for d in digits:
            self._emit(DtmfReceived(call_id, d, method))
