"""Requests outside a call, and offers the phone cannot serve.

pjsua2 answers MESSAGE 200 (and drops it unless asked), runs a presence server that
accepts any SUBSCRIBE, and leaves REGISTER unanswered. A phone is none of those
servers: a small PJSIP module (registered through ctypes, between the dialog layer and
pjsua's own modules) answers REGISTER, PUBLISH and SUBSCRIBE with 405, MESSAGE with 405
when messages are off, and OPTIONS with what the phone really does (RFC 3261 11.2).
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from softphone.sip.events import IncomingCallRefused, MessageReceived
from softphone.sip.pjsua._pjsip_module import PjsipModule, PjStr, RxCallback
from softphone.sip.pjsua._wire import refused_event
from softphone.sip.uri import display_name_of, uri_of

if TYPE_CHECKING:
    from softphone.sip.pjsua._objects import Account

log = logging.getLogger(__name__)

_MODULE_PRIORITY = 60  # after the dialog layer (32, 48), before pjsua's modules (64)
_METHOD = re.compile(rb"^Request msg ([A-Z]+)/")
_ALLOW = "INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, UPDATE, PRACK, REFER, NOTIFY"
_ACCEPT = "application/sdp, application/dtmf-relay, message/sipfrag"
_SUPPORTED = "replaces, 100rel, timer, norefersub"
_AUDIO_LINE = re.compile(r"(?m)^m=audio +\d+ +\S+ +([0-9 ]+)\s*$")
_RTPMAP = re.compile(r"(?m)^a=rtpmap: *(\d+) +([A-Za-z0-9_.-]+)/")
_STATIC_PT = {0: "PCMU", 3: "GSM", 8: "PCMA", 9: "G722", 10: "L16", 11: "L16"}
#: Codecs the pjsua2 wheel carries (DESIGN.md).
WHEEL_CODECS = frozenset({"PCMU", "PCMA", "G722", "GSM", "SPEEX", "ILBC", "L16"})


def _str(text: str) -> PjStr:
    raw = text.encode()
    return PjStr(ctypes.c_char_p(raw), len(raw))


def offer_problem(sdp: str, codecs: frozenset[str] = WHEEL_CODECS) -> str:
    """Why an SDP offer cannot be answered by this engine, or "" when it can."""
    if not sdp.strip():
        return ""
    sessions = re.findall(r"(?m)^c=IN +(IP[46]) ", sdp)
    if sessions and "IP4" not in sessions:
        return "IPv6 media is not supported by this build of PJSIP (offer has only IP6)"
    audio = _AUDIO_LINE.search(sdp)
    if audio is None:
        return ""
    names = {int(pt): name.upper() for pt, name in _RTPMAP.findall(sdp)}
    offered = []
    for pt_text in audio.group(1).split():
        pt = int(pt_text)
        offered.append(names.get(pt) or _STATIC_PT.get(pt, f"pt{pt}"))
    if offered and not any(name in codecs for name in offered):
        return f"no common codec (offered {', '.join(offered)})"
    return ""


class OutOfDialog:
    """The phone's answers to requests outside calls (MESSAGE, REGISTER, SUBSCRIBE,
    PUBLISH, OPTIONS) and to offers it cannot serve."""

    def __init__(self, emit: Any, accept_messages: bool = True) -> None:
        self._emit = emit
        self.accept_messages = accept_messages
        self._lib: Any = None
        self._module: PjsipModule | None = None
        self._keep: list[Any] = []
        self._pool = 0
        self._allow405 = 0
        self._options = 0

    # -- the PJSIP module --------------------------------------------------------------

    def install(self, lib: Any) -> None:
        """Register the module on the running endpoint (after ``libStart``)."""
        self._lib = lib
        lib.pjsua_get_pjsip_endpt.restype = ctypes.c_void_p
        lib.pjsua_pool_create.restype = ctypes.c_void_p
        lib.pjsua_pool_create.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_size_t]
        lib.pjsip_generic_string_hdr_create.restype = ctypes.c_void_p
        lib.pjsip_generic_string_hdr_create.argtypes = [ctypes.c_void_p] + [
            ctypes.POINTER(PjStr)
        ] * 2
        lib.pjsip_rx_data_get_info.restype = ctypes.c_char_p
        lib.pjsip_rx_data_get_info.argtypes = [ctypes.c_void_p]
        lib.pjsip_endpt_respond_stateless.argtypes = [
            ctypes.c_void_p,
            ctypes.c_void_p,
            ctypes.c_int,
            ctypes.POINTER(PjStr),
            ctypes.c_void_p,
            ctypes.c_void_p,
        ]
        lib.pjsip_endpt_register_module.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
        self._pool = lib.pjsua_pool_create(b"softphone-ood", 1024, 1024)
        allow = _ALLOW + (", MESSAGE" if self.accept_messages else "")
        accept = _ACCEPT + (", text/plain" if self.accept_messages else "")
        self._allow405 = self._header_list([("Allow", allow)])
        self._options = self._header_list(
            [("Allow", allow), ("Accept", accept), ("Supported", _SUPPORTED)]
        )
        callback = RxCallback(self._on_rx_request)
        name = b"mod-softphone-out-of-dialog"
        module = PjsipModule()
        module.name = PjStr(ctypes.c_char_p(name), len(name))
        module.id = -1
        module.priority = _MODULE_PRIORITY
        module.on_rx_request = callback
        self._keep += [callback, name]
        self._module = module
        status = lib.pjsip_endpt_register_module(
            lib.pjsua_get_pjsip_endpt(), ctypes.addressof(module)
        )
        if status != 0:
            log.error("cannot register the out-of-dialog module (status %d)", status)

    def _header_list(self, headers: list[tuple[str, str]]) -> int:
        """A PJSIP header list (a list head and generic string headers) in our pool."""
        head = ctypes.create_string_buffer(64)
        self._keep.append(head)
        head_at = ctypes.addressof(head)
        prev = head_at
        for name, value in headers:
            n, v = _str(name), _str(value)
            self._keep.append((n, v))
            hdr = self._lib.pjsip_generic_string_hdr_create(
                self._pool, ctypes.byref(n), ctypes.byref(v)
            )
            ctypes.c_void_p.from_address(prev + ctypes.sizeof(ctypes.c_void_p)).value = hdr
            ctypes.c_void_p.from_address(hdr).value = prev
            prev = hdr
        ctypes.c_void_p.from_address(prev + ctypes.sizeof(ctypes.c_void_p)).value = head_at
        ctypes.c_void_p.from_address(head_at).value = prev
        return head_at

    def _on_rx_request(self, rdata: int) -> int:
        try:
            info = self._lib.pjsip_rx_data_get_info(rdata) or b""
            found = _METHOD.match(info)
            method = found.group(1).decode() if found else ""
            if method in ("REGISTER", "PUBLISH", "SUBSCRIBE") or (
                method == "MESSAGE" and not self.accept_messages
            ):
                self._respond(rdata, 405, "Method Not Allowed", self._allow405)
                return 1
            if method == "OPTIONS":
                self._respond(rdata, 200, "OK", self._options)
                return 1
        except BaseException:
            with contextlib.suppress(BaseException):
                log.exception("out-of-dialog request handling failed")
        return 0

    def _respond(self, rdata: int, code: int, text: str, headers: int) -> None:
        reason = _str(text)
        self._lib.pjsip_endpt_respond_stateless(
            self._lib.pjsua_get_pjsip_endpt(), rdata, code, ctypes.byref(reason), headers, None
        )

    def close(self) -> None:
        """Forget the pool (freed with PJSIP's caching pool at ``libDestroy``)."""
        if self._lib is not None and self._pool:
            with contextlib.suppress(Exception):
                self._lib.pj_pool_release.argtypes = [ctypes.c_void_p]
                self._lib.pj_pool_release(self._pool)
        self._pool = 0

    # -- pjsua2 callbacks --------------------------------------------------------------

    def on_message(self, acc: Account, prm: Any) -> None:
        """pjsua2: ``Account.onInstantMessage`` (PJSIP already answered 200)."""
        sender = str(prm.fromUri)
        self._emit(
            MessageReceived(
                uri_of(sender),
                display_name_of(sender),
                str(prm.msgBody),
                str(prm.contentType),
                acc.account_id,
            )
        )

    def on_subscribe(self, prm: Any) -> None:
        """pjsua2: ``Account.onIncomingSubscribe``: no presence server here."""
        prm.code = 405
        prm.reason = "Method Not Allowed"

    def on_rejected_call(self, prm: Any) -> None:
        """pjsua2: ``Endpoint.onRejectedIncomingCall``: PJSIP refused an INVITE itself
        (e.g. 488, no common codec) before any call existed."""
        self._emit(refused_event(prm))

    def refuse_offer(
        self, refuse: Callable[[int, str], None], sip_call_id: str, remote: str, invite: str
    ) -> bool:
        """Refuse an INVITE whose offer this engine cannot answer (488), before it rings;
        ``refuse(status, reason)`` sends the answer (after pjsua2's callback returns)."""
        _head, sep, body = invite.partition("\r\n\r\n")
        problem = offer_problem(body if sep else invite.partition("\n\n")[2])
        if not problem:
            return False
        refuse(488, "Not Acceptable Here")
        self._emit(IncomingCallRefused(sip_call_id, uri_of(remote), 488, problem))
        return True
