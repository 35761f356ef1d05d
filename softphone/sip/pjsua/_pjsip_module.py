"""ctypes shapes of PJSIP's ``pj_str_t`` and ``pjsip_module``, for the small modules the
engine registers on the wheel's endpoint (the request guard, requests outside a call)."""

from __future__ import annotations

import ctypes


class PjStr(ctypes.Structure):
    """``pj_str_t`` (pjlib/types.h)."""

    _fields_ = [("ptr", ctypes.c_char_p), ("slen", ctypes.c_ssize_t)]


#: ``pj_bool_t (*on_rx_request)(pjsip_rx_data *rdata)``
RxCallback = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p)


class PjsipModule(ctypes.Structure):
    """``pjsip_module`` (pjsip/sip_module.h)."""

    _fields_ = [
        ("prev", ctypes.c_void_p),
        ("next", ctypes.c_void_p),
        ("name", PjStr),
        ("id", ctypes.c_int),
        ("priority", ctypes.c_int),
        ("load", ctypes.c_void_p),
        ("start", ctypes.c_void_p),
        ("stop", ctypes.c_void_p),
        ("unload", ctypes.c_void_p),
        ("on_rx_request", RxCallback),
        ("on_rx_response", ctypes.c_void_p),
        ("on_tx_request", ctypes.c_void_p),
        ("on_tx_response", ctypes.c_void_p),
        ("on_tsx_state", ctypes.c_void_p),
    ]
