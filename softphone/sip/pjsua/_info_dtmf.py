"""SIP INFO DTMF that PJSIP does not decode itself: ``application/dtmf`` (the body is the
digit). PJSIP decodes ``application/dtmf-relay`` (``Signal=``) into ``onDtmfDigit`` and
answers it; any other in-dialog INFO nobody answers gets "500 Unhandled by dialog
usages". This reads ``application/dtmf`` from the call's transaction events (pjsua2
``Call.onCallTsxState``) and answers it 200 through PJSIP's own ``pjsip_dlg_respond``
(pjsua2 has no call for answering a request inside a dialog)."""

from __future__ import annotations

import ctypes
import functools
import logging
import re
from typing import Any

import pjsua2 as pj

log = logging.getLogger(__name__)

_DIGIT = re.compile(r"^[0-9*#A-Da-d]$")


def info_dtmf_digit(prm: Any) -> str | None:
    """The digit of a just-received in-dialog ``INFO`` with ``application/dtmf``, or None
    (any other transaction event, or a body that is not one DTMF digit)."""
    event = prm.e
    if event.type != pj.PJSIP_EVENT_TSX_STATE:
        return None
    tsx = event.body.tsxState.tsx
    if tsx.role != pj.PJSIP_ROLE_UAS or tsx.method != "INFO":
        return None
    if tsx.state != pj.PJSIP_TSX_STATE_TRYING or event.body.tsxState.type != pj.PJSIP_EVENT_RX_MSG:
        return None
    rdata = event.body.tsxState.src.rdata
    digit = digit_from_message(str(rdata.wholeMsg))
    if digit is not None:
        answer_ok(rdata.pjRxData)
    return digit


def answer_ok(rx_data: Any) -> None:
    """Answer the received in-dialog request ``rx_data`` (a ``pjsip_rx_data*``) with 200."""
    lib = _pjsip()
    rdata = ctypes.c_void_p(int(rx_data))
    dialog = lib.pjsip_rdata_get_dlg(rdata)
    tsx = lib.pjsip_rdata_get_tsx(rdata)
    # pjsip_dlg_respond asserts (and aborts) unless the request's transaction belongs to
    # that dialog: otherwise leave the answer to PJSIP.
    if not dialog or not tsx or lib.pjsip_tsx_get_dlg(tsx) != dialog:
        log.info("INFO outside its dialog's transaction: left to PJSIP")
        return
    status = lib.pjsip_dlg_respond(dialog, rdata, 200, None, None, None)
    if status != 0:
        log.warning("could not answer an INFO with 200 (status %s)", status)


@functools.cache
def _pjsip() -> ctypes.CDLL:
    """The PJSIP C functions inside the pjsua2 extension module (already loaded)."""
    from pjsua2 import _pjsua2

    lib = ctypes.CDLL(_pjsua2.__file__)
    for name in ("pjsip_rdata_get_dlg", "pjsip_rdata_get_tsx", "pjsip_tsx_get_dlg"):
        getattr(lib, name).argtypes = [ctypes.c_void_p]
        getattr(lib, name).restype = ctypes.c_void_p
    lib.pjsip_dlg_respond.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int]
    lib.pjsip_dlg_respond.argtypes += [ctypes.c_void_p] * 3
    lib.pjsip_dlg_respond.restype = ctypes.c_int
    return lib


def digit_from_message(message: str) -> str | None:
    """The digit in a whole SIP INFO message with ``Content-Type: application/dtmf``."""
    head, sep, body = message.replace("\r\n", "\n").partition("\n\n")
    if not sep or not head.startswith("INFO "):
        return None
    ctype = ""
    for line in head.split("\n")[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() in ("content-type", "c"):
            ctype = value.split(";", 1)[0].strip().lower()
    digit = body.strip()
    if ctype != "application/dtmf" or not _DIGIT.match(digit):
        return None
    return digit.upper()
