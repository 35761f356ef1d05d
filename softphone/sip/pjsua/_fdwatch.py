"""What the asyncio loop watches so it polls PJSIP only when there is work: PJSIP's
listening sockets (poll as soon as one is readable) and PJSIP's timer heap (poll when
its earliest timer is due)."""

from __future__ import annotations

import ctypes
from typing import Any

from softphone.sip.sockets import own_inet_sockets


def socket_fds_bound_to(ports: set[int]) -> list[int]:
    """File descriptors of this process's sockets bound to one of ``ports`` (POSIX)."""
    return [fd for fd, port in own_inet_sockets() if port in ports]


class _TimeVal(ctypes.Structure):
    _fields_ = [("sec", ctypes.c_long), ("msec", ctypes.c_long)]


class TimerClock:
    """Milliseconds until PJSIP's next timer (retransmissions, transaction timeouts,
    registration refresh...), read from pjlib's timer heap through ctypes (~2 us).

    Valid between ``libInit`` and ``libDestroy`` of the endpoint, on the thread that
    polls it. :func:`timer_clock` returns None where the wheel does not export the
    pjlib symbols: the engine then polls at a fixed interval, as before."""

    def __init__(self, lib: Any) -> None:
        endpt_of = lib.pjsua_get_pjsip_endpt
        endpt_of.restype = ctypes.c_void_p
        endpt_of.argtypes = []
        heap_of = lib.pjsip_endpt_get_timer_heap
        heap_of.restype = ctypes.c_void_p
        heap_of.argtypes = [ctypes.c_void_p]
        endpt = endpt_of()
        heap = heap_of(endpt) if endpt else None
        if not heap:
            raise OSError("PJSIP endpoint has no timer heap (library not initialised)")
        self._heap = ctypes.c_void_p(heap)
        self._earliest = lib.pj_timer_heap_earliest_time
        self._earliest.restype = ctypes.c_int
        self._earliest.argtypes = [ctypes.c_void_p, ctypes.POINTER(_TimeVal)]
        self._tick = lib.pj_gettickcount
        self._tick.restype = ctypes.c_int
        self._tick.argtypes = [ctypes.POINTER(_TimeVal)]
        self._due = _TimeVal()
        self._now = _TimeVal()
        self._due_ref = ctypes.byref(self._due)
        self._now_ref = ctypes.byref(self._now)
        self._offset = 0.0  # pjlib tick seconds minus the caller's clock
        self._reads = 0  # next_due calls until the offset is measured again

    def ms_until_next(self) -> int | None:
        """Milliseconds until the earliest timer (<= 0: due now); None: no timer."""
        if self._earliest(self._heap, self._due_ref) != 0:
            return None
        self._tick(self._now_ref)
        due, now = self._due, self._now
        return (due.sec - now.sec) * 1000 + (due.msec - now.msec)

    def next_due(self, now: float) -> float | None:
        """When (on the clock that says ``now``, in seconds) to poll so that the
        earliest timer has expired by pjlib's clock (1 ms margin); None: no timer.
        One ctypes call: the offset between pjlib's tick count and ``now``'s clock
        (both monotonic) is measured every 256 calls."""
        due = self._due
        if self._earliest(self._heap, self._due_ref) != 0:
            return None
        self._reads -= 1
        if self._reads <= 0:
            self._tick(self._now_ref)
            self._offset = self._now.sec + self._now.msec / 1000 - now
            self._reads = 256
        return due.sec + due.msec / 1000 - self._offset + 0.001


def timer_clock(module_file: str) -> TimerClock | None:
    """A :class:`TimerClock` on the loaded pjsua2 extension ``module_file``, or None."""
    try:
        # PyDLL: these calls take microseconds and never block, so keep the GIL (a
        # CDLL call drops and re-takes it, a hand-over to a waiting audio thread).
        return TimerClock(ctypes.PyDLL(module_file))
    except (OSError, AttributeError):
        return None
