"""PJSIP's conference bridge run by a sound device's callback (``pjsua_set_no_snd_dev``).

With a native sound device PJSIP's ``pjmedia_snd_port`` does this: the device's
callback puts the captured frame into the conference's port 0 (through its adaptive
delay buffer, PJSIP's own capture/playback drift compensation) and asks port 0 for the
frame to play, which runs the whole bridge once (decode, mix, encode, send). The wheel
has no sound device on Linux, so a PortAudio callback calls the same two functions here
through ctypes. Measured (``python -m benchmarks audio``): this replaced PJSIP's
null-device clock thread plus two Python conference-port callbacks per 20 ms.

While no device runs the clock, PJSIP's null device clocks the conference: calls still
send and receive RTP (silence), exactly as before a device existed.
"""

from __future__ import annotations

import ctypes
import threading
from typing import Any

_PJ_SUCCESS = 0
_FRAME_TYPE_AUDIO = 1  # PJMEDIA_FRAME_TYPE_AUDIO
_THREAD_DESC_LONGS = 64  # PJ_THREAD_DESC_SIZE


class _Frame(ctypes.Structure):
    """``pjmedia_frame`` (pjmedia/frame.h)."""

    _fields_ = [
        ("type", ctypes.c_int),
        ("buf", ctypes.c_void_p),
        ("size", ctypes.c_size_t),
        ("timestamp", ctypes.c_uint64),
        ("bit_info", ctypes.c_uint32),
    ]


class ConferenceClock:
    """Implements ``softphone.sip.media.MediaClock`` on pjsua's conference port 0.

    ``lib`` is the pjsua2 extension loaded with ``ctypes.CDLL``: every call drops the
    GIL, so a device thread waiting on a PJSIP lock never blocks a thread holding that
    lock and waiting for the GIL (PJSIP's log writer calls Python)."""

    def __init__(self, lib: Any, frame_samples: int) -> None:
        self.frame_samples = frame_samples
        self._bytes = frame_samples * 2
        self._set_no_dev = lib.pjsua_set_no_snd_dev
        self._set_no_dev.restype = ctypes.c_void_p
        self._set_no_dev.argtypes = []
        self._set_null_dev = lib.pjsua_set_null_snd_dev
        self._set_null_dev.restype = ctypes.c_int
        self._set_null_dev.argtypes = []
        self._check_idle = lib.pjsua_check_snd_dev_idle
        self._check_idle.restype = None
        self._check_idle.argtypes = []
        self._put = lib.pjmedia_port_put_frame
        self._get = lib.pjmedia_port_get_frame
        for fn in (self._put, self._get):
            fn.restype = ctypes.c_int
            fn.argtypes = [ctypes.c_void_p, ctypes.POINTER(_Frame)]
        self._registered = lib.pj_thread_is_registered
        self._registered.restype = ctypes.c_int
        self._registered.argtypes = []
        self._register = lib.pj_thread_register
        self._register.restype = ctypes.c_int
        self._register.argtypes = [ctypes.c_char_p, ctypes.c_void_p, ctypes.c_void_p]
        self._descs: list[Any] = []  # pjlib keeps a pointer into each until its thread ends
        self._mic = _Frame(_FRAME_TYPE_AUDIO, None, self._bytes, 0, 0)
        self._spk = _Frame(_FRAME_TYPE_AUDIO, None, self._bytes, 0, 0)
        self._mic_ref = ctypes.byref(self._mic)
        self._spk_ref = ctypes.byref(self._spk)
        self._lock = threading.Lock()  # exchange vs attach/detach/close
        self._port: int | None = None  # conference port 0 while attached
        self._closed = False
        self.exchanges = 0
        self.errors = 0

    @property
    def attached(self) -> bool:
        return self._port is not None

    def attach(self) -> None:
        with self._lock:
            if self._closed or self._port is not None:
                return
            self._ensure_registered()
            port = self._set_no_dev()
            if not port:
                raise RuntimeError("PJSIP has no conference port 0 (library not running)")
            self._port = port

    def detach(self) -> None:
        with self._lock:
            self._detach()

    def close(self) -> None:
        """The engine is stopping or changing bridges: PJSIP's null clock again, and
        :meth:`exchange` is a no-op from now on."""
        with self._lock:
            self._detach()
            self._closed = True

    def _detach(self) -> None:
        if self._port is None:
            return
        self._port = None
        self._ensure_registered()
        self._set_null_dev()
        # As after a call: with no call left, pjsua closes the null device after its
        # idle time instead of clocking an empty conference forever.
        self._check_idle()

    def exchange(self, mic: int, speaker: int) -> bool:
        with self._lock:
            port = self._port
            if port is None:
                return False
            if not self._registered():  # a new device thread (idents are reused)
                self._ensure_registered()
            spk_frame = self._spk
            self._mic.buf = mic  # type and size stay as made: put_frame reads only
            self._put(port, self._mic_ref)
            spk_frame.buf = speaker
            spk_frame.size = self._bytes
            status = self._get(port, self._spk_ref)
            self.exchanges += 1
        if status != _PJ_SUCCESS:
            self.errors += 1
            return False
        return spk_frame.type == _FRAME_TYPE_AUDIO

    def _ensure_registered(self) -> None:
        """pjlib asserts on calls from threads it does not know (PortAudio's, a worker's)."""
        if self._registered():
            return
        desc = (ctypes.c_long * _THREAD_DESC_LONGS)()
        handle = ctypes.c_void_p()
        name = f"sp-{threading.get_ident() % 100000}".encode()
        if self._register(name, desc, ctypes.byref(handle)) != _PJ_SUCCESS:
            raise RuntimeError("pj_thread_register failed")
        self._descs.append(desc)
