"""Find PJSIP's listening sockets so the asyncio loop can poll as soon as one is readable."""

from __future__ import annotations

import os
import socket


def socket_fds_bound_to(ports: set[int], limit: int = 4096) -> list[int]:
    """File descriptors of this process's sockets bound to one of ``ports`` (POSIX)."""
    try:
        candidates = [int(n) for n in os.listdir("/proc/self/fd")]
    except OSError:
        candidates = list(range(3, limit))
    found = []
    for fd in candidates:
        try:
            s = socket.socket(fileno=fd)
        except OSError:
            continue
        try:
            name = s.getsockname()
            if isinstance(name, tuple) and len(name) >= 2 and name[1] in ports:
                found.append(fd)
        except OSError:
            pass
        finally:
            s.detach()
    return found
