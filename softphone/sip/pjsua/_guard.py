"""A PJSIP module in front of the transaction layer that refuses requests PJSIP mishandles.

The pjsua2 wheel is built with assertions on, and some remote input reaches one of them
and aborts the process, or exhausts its 64-socket I/O queue. This module (registered
through ctypes on symbols the wheel exports, priority between the transport and the
transaction layer) sees every request as raw text first and answers, statelessly, those
that break a rule of RFC 3261 that PJSIP does not check:

- a Content-Length larger than the body the datagram carries (RFC 3261 18.3: 400);
- a CSeq method that is not the request's method (RFC 3261 8.1.1.5: 400);
- an offer with more media streams than a call uses (each one makes PJSIP open two
  sockets at once, before the application hears of the call: 488);
- a REFER inside a call that is not answered yet (403): PJSIP 2.15's answer to it asserts
  (``pjsip_dlg_respond``) and aborts;
- a flood of new INVITEs (503): each opens two sockets per media stream before anyone
  can refuse it, and PJSIP keeps a closed socket's I/O queue slot for 500 ms, so INVITEs
  refused at once still fill the wheel's 64 slots; new calls may open at most
  ``SOCKET_BUDGET`` sockets per half second (e.g. 32 one-stream calls a second).

A refused ACK is dropped (an ACK is never answered). The rules are pure functions of
the message text (:func:`refusal`), tested on their own and through a real phone.
"""

from __future__ import annotations

import collections
import ctypes
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from softphone.sip.pjsua._pjsip_module import PjsipModule, PjStr, RxCallback

log = logging.getLogger(__name__)

#: Media streams an offer may carry (audio, and room for video).
MAX_OFFER_MEDIA = 2
#: Media sockets new calls may open per ``SOCKET_WINDOW`` seconds (PJSIP's slot reuse delay).
SOCKET_BUDGET = 32
SOCKET_WINDOW = 0.5
_PRIORITY = 12  # after the transport layer (8), before the transaction layer (16)
# rdata->msg_info.msg_buf is found by its shape on the first request: the first pointer
# past the packet buffer that points back at that buffer (which starts within the first
# _PACKET_WITHIN bytes: after tp_info and the timestamp), followed by the message length.
_PACKET_WITHIN = 1024
_SCAN_LIMIT = 65536

_CLEN = re.compile(rb"^(?:content-length|l)[ \t]*:[ \t]*(\S*)[ \t]*$", re.I | re.M)
_CSEQ = re.compile(rb"^cseq[ \t]*:[ \t]*\d+[ \t]+(\S+)", re.I | re.M)
_MEDIA = re.compile(rb"^m=", re.M)
_TO_TAG = re.compile(rb"^(?:to|t)[ \t]*:[^\r\n]*;[ \t]*tag=", re.I | re.M)


@dataclass(frozen=True)
class Refusal:
    """How to answer a request the guard refuses."""

    status: int
    reason: str


def refusal(message: bytes) -> Refusal | None:
    """The answer for a raw SIP request that must not reach PJSIP, or None to pass it.

    ``message`` is the whole datagram (or one framed TCP message).
    """
    head, sep, body = message.partition(b"\r\n\r\n")
    if not sep:
        return None  # PJSIP's parser refuses it already
    method = head.split(b" ", 1)[0]
    clens = _CLEN.findall(head)
    if clens and clens[-1].isdigit() and int(clens[-1]) > len(body):
        return Refusal(400, "Content-Length larger than the message body")
    cseq = _CSEQ.search(head)
    if cseq is not None and cseq.group(1) != method:
        return Refusal(400, "CSeq method does not match the request method")
    if body and len(_MEDIA.findall(body)) > MAX_OFFER_MEDIA:
        return Refusal(488, f"Too many media streams (more than {MAX_OFFER_MEDIA})")
    return None


def new_call_sockets(message: bytes) -> int:
    """Sockets PJSIP opens for this request before the app hears of it: two per media
    stream of a new INVITE (outside any dialog: its To has no tag; a delayed offer gets
    one audio stream), else 0."""
    head, _, body = message.partition(b"\r\n\r\n")
    if not head.startswith(b"INVITE ") or _TO_TAG.search(head) is not None:
        return 0
    return 2 * min(max(1, len(_MEDIA.findall(body))), MAX_OFFER_MEDIA)


class SocketBudget:
    """At most ``budget`` sockets opened in any ``window`` seconds (``clock`` injectable)."""

    def __init__(
        self,
        budget: int = SOCKET_BUDGET,
        window: float = SOCKET_WINDOW,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._budget, self._window, self._clock = budget, window, clock
        self._spent: collections.deque[tuple[float, int]] = collections.deque()
        self._total = 0

    def admit(self, sockets: int) -> bool:
        now = self._clock()
        while self._spent and now - self._spent[0][0] >= self._window:
            self._total -= self._spent.popleft()[1]
        if self._total + sockets > self._budget:
            return False
        self._spent.append((now, sockets))
        self._total += sockets
        return True


_FLOOD = Refusal(503, "Too many new calls at once")
_EARLY_REFER = Refusal(403, "REFER before the call is answered")


def _early_refer(msg: bytes, confirmed: Callable[[str], bool]) -> bool:
    """A REFER inside a dialog whose call is not answered yet."""
    head = msg.partition(b"\r\n\r\n")[0]
    return (
        head.startswith(b"REFER ")
        and _TO_TAG.search(head) is not None
        and not confirmed(_header(_CALL_ID, head))
    )


class RequestGuard:
    """Registers the guard module on the running pjsua endpoint; ``close()`` removes it.

    ``on_refused(first_line, refusal, call_id, caller_uri)`` hears each refusal (on the
    SIP thread, inside PJSIP: it must only queue work); ``confirmed(call_id)`` says
    whether the call with that SIP Call-ID has been answered."""

    def __init__(
        self,
        lib: Any,
        on_refused: Callable[[str, Refusal, str, str], None],
        confirmed: Callable[[str], bool] = lambda call_id: True,
    ) -> None:
        self._lib = lib
        self._on_refused = on_refused
        self._msg_buf_offset: int | None = None
        self._packet_offset = 0
        self._budget = SocketBudget()
        self._confirmed = confirmed
        self._name = ctypes.create_string_buffer(b"mod-softphone-guard")
        self._module = PjsipModule()
        self._module.name = PjStr(ctypes.cast(self._name, ctypes.c_char_p), 19)
        self._module.id = -1
        self._module.priority = _PRIORITY
        self._callback = RxCallback(self._on_rx_request)  # kept: PJSIP holds the pointer
        self._module.on_rx_request = self._callback
        get_endpt = lib.pjsua_get_pjsip_endpt
        get_endpt.restype = ctypes.c_void_p
        get_endpt.argtypes = []
        self._endpt = get_endpt()
        self._respond = lib.pjsip_endpt_respond_stateless
        self._respond.restype = ctypes.c_int
        self._respond.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int,
                                  ctypes.POINTER(PjStr), ctypes.c_void_p, ctypes.c_void_p]
        register = lib.pjsip_endpt_register_module
        register.restype = ctypes.c_int
        register.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
        status = register(self._endpt, ctypes.byref(self._module))
        if status != 0:
            raise OSError(f"pjsip_endpt_register_module failed ({status})")
        self.active = True

    def close(self) -> None:
        """Unregister (before the endpoint is destroyed)."""
        if not self.active:
            return
        self.active = False
        unregister = self._lib.pjsip_endpt_unregister_module
        unregister.restype = ctypes.c_int
        unregister.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
        unregister(self._endpt, ctypes.byref(self._module))

    def _message(self, rdata: int) -> bytes | None:
        """``rdata->msg_info.msg_buf``/``len``; the offset is found once by its shape."""
        if self._msg_buf_offset is None:
            found = self._find_msg_buf(rdata)
            if found is None:
                log.warning("SIP request guard off: rx data layout not recognised")
                self.close()
                return None
            self._msg_buf_offset, self._packet_offset = found
        off = self._msg_buf_offset
        buf = ctypes.c_void_p.from_address(rdata + off).value or 0
        length = ctypes.c_int.from_address(rdata + off + 8).value
        if not rdata + self._packet_offset <= buf < rdata + off:
            return None
        if not 0 < length <= rdata + off - buf:
            return None
        return ctypes.string_at(buf, length)

    @staticmethod
    def _find_msg_buf(rdata: int) -> tuple[int, int] | None:
        """(offset of msg_info.msg_buf, offset of pkt_info.packet) in ``pjsip_rx_data``."""
        for off in range(_PACKET_WITHIN, _SCAN_LIMIT, 8):
            v = (ctypes.c_void_p.from_address(rdata + off).value or 0) - rdata
            if 64 <= v < _PACKET_WITHIN:
                length = ctypes.c_int.from_address(rdata + off + 8).value
                if 0 < length <= off - v and ctypes.string_at(rdata + v, 1).isalpha():
                    return off, v
        return None

    def _on_rx_request(self, rdata: int | None) -> int:
        try:
            if not rdata or not self.active:
                return 0
            msg = self._message(rdata)
            if msg is None:
                return 0
            answer = refusal(msg)
            if answer is None and _early_refer(msg, self._confirmed):
                answer = _EARLY_REFER
            if answer is None:
                sockets = new_call_sockets(msg)
                if sockets and not self._budget.admit(sockets):
                    answer = _FLOOD
            if answer is None:
                return 0
            first = msg.split(b"\r\n", 1)[0].decode(errors="replace")
            if not first.startswith("ACK "):
                text = answer.reason.encode()
                self._respond(self._endpt, rdata, answer.status,
                              ctypes.byref(PjStr(text, len(text))), None, None)
            self._on_refused(first, answer, _header(_CALL_ID, msg), _header(_FROM, msg))
            return 1
        except BaseException:  # an exception here would abort the process
            try:
                log.exception("SIP request guard failed")
            except BaseException:
                pass
            return 0


_CALL_ID = re.compile(rb"^(?:call-id|i)[ \t]*:[ \t]*(\S+)", re.I | re.M)
_FROM = re.compile(rb"^(?:from|f)[ \t]*:[^<\r\n]*<([^>\r\n]*)>", re.I | re.M)


def _header(pattern: re.Pattern[bytes], msg: bytes) -> str:
    m = pattern.search(msg)
    return m.group(1).decode(errors="replace") if m else ""
