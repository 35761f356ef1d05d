"""Calls pjsua2 makes on its own (REFER, Replaces, 3xx): the engine owns every one.

Left alone, pjsua2 dials a REFER's target, answers an INVITE with ``Replaces`` and
follows redirects through the *old* ``Call`` object (the new call shares its user data):
the new call is invisible and, once the engine frees the old object, a callback reaches
freed memory. Here each such call gets its own ``Call`` object and takes over the engine
key (so the CallKit call keeps its UUID); the old leg is *retired*: kept alive, out of
``active_calls``, until PJSIP reports it disconnected.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import re
from typing import TYPE_CHECKING, Any

import pjsua2 as pj

from softphone.sip.errors import SipError
from softphone.sip.events import (
    CallRedirected,
    CallTransferProgress,
    CallTransferred,
    CallTransferRefused,
    Direction,
)
from softphone.sip.pjsua._objects import Call
from softphone.sip.uri import display_name_of, uri_of

if TYPE_CHECKING:
    from softphone.sip.pjsua._engine import PjsuaEngine, _CallState

log = logging.getLogger(__name__)

#: Seconds a retired leg may linger after its successor connected before we BYE it
#: (RFC 5589: the transferor normally ends it once our NOTIFY 200 arrived).
RETIRE_GRACE = 1.0


class DialogSurface:
    """Transfer (``onCallTransferRequest``/``Status``), replace (``onCallReplaceRequest``/
    ``onCallReplaced``) and redirect (``onCallRedirected``) for one engine."""

    def __init__(self, engine: PjsuaEngine) -> None:
        self.engine = engine
        self._retired: dict[str, Call] = {}  # old legs, by their retired key
        self._pending: dict[str, Call] = {}  # replace request -> its new Call, by old key
        self._takeovers: set[str] = set()  # keys whose current leg replaced an older one
        self._redirects: dict[str, list[str]] = {}
        self._refused_redirect: dict[str, str] = {}
        self._seq = itertools.count(1)

    # -- being transferred -------------------------------------------------------------

    def _accepting(self) -> bool:
        cfg = self.engine._config
        return cfg is None or cfg.accept_transfers

    def on_transfer_request(self, call: Call, prm: Any) -> None:
        """Apple has no API for this; a VoIP app follows the REFER and updates the
        call (``CXCallUpdate``). pjsua2: ``onCallTransferRequest``."""
        st = self.engine._calls.get(call.key)
        target = str(prm.dstUri)
        if st is None or st.call is not call:
            prm.statusCode = 481
            return
        if not self._accepting():
            prm.statusCode = 603
            self.engine._emit(
                CallTransferRefused(st.key, uri_of(target), 603, "transfers are turned off")
            )
            return
        if not st.connected:
            prm.statusCode = 491
            return
        new = Call(self.engine, call.account)
        prm.newCall = new  # pjsua2 points the new call's user data at it
        self._take_over(st, new, Direction.OUTGOING, target, "refer")

    def on_replace_request(self, call: Call, prm: Any) -> None:
        """An INVITE with ``Replaces`` for ``call``. pjsua2: ``onCallReplaceRequest``."""
        st = self.engine._calls.get(call.key)
        if st is None or st.call is not call:
            prm.statusCode = 481
            return
        if not self._accepting():
            prm.statusCode = 603
            prm.reason = "Decline"
            self.engine._emit(
                CallTransferRefused(st.key, "", 603, "transfers are turned off (Replaces)")
            )
            return
        new = Call(self.engine, call.account)
        prm.newCall = new
        self._pending[st.key] = new

    def on_replaced(self, call: Call, prm: Any) -> None:
        """PJSIP answered the replacing INVITE and will BYE ``call``.
        pjsua2: ``onCallReplaced``."""
        st = self.engine._calls.get(call.key)
        new = self._pending.pop(call.key, None) if st is not None else None
        if st is None or new is None:
            return
        remote = ""
        with contextlib.suppress(Exception):
            info = new.getInfo()
            new.info = info
            remote = str(info.remoteUri)
        new_st = self._take_over(st, new, Direction.INCOMING, remote, "replaces")
        new_st.ringing_sent = True
        new_st.answered = st.connected  # PJSIP answered 200 (or repeated our 1xx)
        with contextlib.suppress(Exception):
            new_st.sip_call_id = str(new.info.callIdString)

    def _take_over(
        self, st: _CallState, new: Call, direction: Direction, remote: str, how: str
    ) -> _CallState:
        from softphone.sip.pjsua._engine import _CallState

        engine = self.engine
        old = st.call
        key = st.key
        old.key = f"{key}~{next(self._seq)}"
        self._retired[old.key] = old
        engine._disconnect_media(st)
        st.audio = None
        st.media_active = False
        st.call = None
        if st.timer is not None:
            st.timer.cancel()
        new.key = key
        new_st = _CallState(key, new, direction, st.account_id, uri_of(remote) if remote else "")
        new_st.muted = st.muted
        engine._calls[key] = new_st
        self._takeovers.add(key)
        engine._update_media_on()
        engine._emit(
            CallTransferred(key, new_st.remote_uri, display_name_of(remote), how, st.remote_uri)
        )
        return new_st

    def is_retired(self, call: Call) -> bool:
        return call.key in self._retired

    def leg_disconnected(self, call: Call) -> None:
        """A retired leg ended (BYE answered by PJSIP): drop our last reference."""
        self._retired.pop(call.key, None)

    def leg_connected(self, st: _CallState) -> None:
        """The current leg of ``st.key`` connected: end the legs it replaced soon."""
        if st.key in self._takeovers and self.engine._loop is not None:
            self.engine._loop.call_later(RETIRE_GRACE, self._end_retired, st.key)

    def call_ended(self, key: str) -> None:
        """The engine's call ``key`` is over: so are its retired legs."""
        self._takeovers.discard(key)
        self._redirects.pop(key, None)
        self._end_retired(key)

    def _end_retired(self, key: str) -> None:
        for rkey, call in list(self._retired.items()):
            if rkey.split("~", 1)[0] == key:
                with contextlib.suppress(Exception):
                    if call.isActive():
                        call.hangup(pj.CallOpParam(True))

    def end_reason(self, key: str, reason: str) -> str:
        return self._refused_redirect.pop(key, reason)

    def hangup_all(self) -> None:
        for key in {k.split("~", 1)[0] for k in self._retired}:
            self._end_retired(key)

    def clear(self) -> None:
        self._retired.clear()
        self._pending.clear()
        self._takeovers.clear()

    @property
    def retired_count(self) -> int:
        return len(self._retired)

    # -- transferring ------------------------------------------------------------------

    async def transfer(self, call_id: str, target: str) -> None:
        st = self.engine._call(call_id)
        if not st.connected:
            raise SipError(f"call {call_id} is not connected: nothing to transfer")
        try:
            st.call.xfer(str(uri_of(target)), pj.CallOpParam(True))
        except pj.Error as exc:
            raise SipError(f"cannot transfer {call_id}: {_text(exc)}") from exc

    async def transfer_attended(self, call_id: str, to_call_id: str) -> None:
        if call_id == to_call_id:
            raise SipError("a call cannot be transferred to itself")
        st = self.engine._call(call_id)
        dest = self.engine._call(to_call_id)
        for one in (st, dest):
            if not one.connected:
                raise SipError(f"call {one.key} is not connected")
        try:
            st.call.xferReplaces(dest.call, pj.CallOpParam(True))
        except pj.Error as exc:
            raise SipError(f"cannot transfer {call_id} to {to_call_id}: {_text(exc)}") from exc

    def on_transfer_status(self, call: Call, prm: Any) -> None:
        """The peer's NOTIFY about our REFER. pjsua2: ``onCallTransferStatus``."""
        st = self.engine._calls.get(call.key)
        if st is None:
            return
        code = int(prm.statusCode)
        final = bool(prm.finalNotify) or code >= 200
        self.engine._emit(CallTransferProgress(st.key, code, str(prm.reason), final))
        prm.cont = not final

    # -- redirects ---------------------------------------------------------------------

    def on_redirected(self, call: Call, prm: Any) -> int:
        """A 3xx to our INVITE. pjsua2: ``onCallRedirected``."""
        st = self.engine._calls.get(call.key)
        if st is None:
            return int(pj.PJSIP_REDIRECT_STOP)
        target = _full_target(str(prm.targetUri), prm)
        cfg = self.engine._config
        limit = cfg.max_redirects if cfg is not None else 5
        seen = self._redirects.setdefault(st.key, [st.remote_uri])
        why = ""
        if limit == 0:
            why = "redirects are turned off (calls.max_redirects = 0)"
        elif target in seen:
            why = f"redirect loop: {target} was already tried"
        elif len(seen) > limit:
            why = f"more than {limit} redirects (calls.max_redirects)"
        if why:
            self._refused_redirect[st.key] = f"redirect to {target} not followed: {why}"
            self.engine._emit(CallRedirected(st.key, target, False, why))
            return int(pj.PJSIP_REDIRECT_STOP)
        seen.append(target)
        previous, st.remote_uri = st.remote_uri, target
        self.engine._emit(CallRedirected(st.key, target, True, f"redirected from {previous}"))
        return int(pj.PJSIP_REDIRECT_ACCEPT_REPLACE)


_CONTACT_URI = re.compile(r"(?im)^(?:contact|m)\s*:(.*)$")


def _full_target(printed: str, prm: Any) -> str:
    """The 3xx Contact PJSIP follows: it prints targets as in a To header, without the
    port, so take the matching URI from the response itself."""
    target = uri_of(printed)
    with contextlib.suppress(Exception):
        msg = str(prm.e.body.tsxState.src.rdata.wholeMsg)
        want = target.split(";", 1)[0]
        for line in _CONTACT_URI.findall(msg):
            for raw in re.findall(r"<([^>]+)>", line) or [line.split(";", 1)[0]]:
                candidate = uri_of(raw.strip())
                host = candidate.split(";", 1)[0]
                if host == want or host.rsplit(":", 1)[0] == want:
                    return candidate
    return target


def _text(exc: BaseException) -> str:
    info = getattr(exc, "info", None)
    if callable(info):
        with contextlib.suppress(Exception):
            return str(info())
    return str(getattr(exc, "reason", None) or exc)
