"""This process's own IP sockets, found through its file descriptors (POSIX)."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator


def own_inet_sockets(limit: int = 4096) -> Iterator[tuple[int, int]]:
    """``(fd, local port)`` of each bound IPv4/IPv6 socket of this process (Linux lists
    ``/proc/self/fd``; elsewhere descriptors 3..``limit`` are tried)."""
    try:
        candidates = [int(n) for n in os.listdir("/proc/self/fd")]
    except OSError:
        candidates = list(range(3, limit))
    for fd in candidates:
        try:
            sock = socket.socket(fileno=fd)
        except OSError:
            continue
        try:
            if sock.family in (socket.AF_INET, socket.AF_INET6):
                port = sock.getsockname()[1]
                if port:
                    yield fd, int(port)
        except OSError:
            pass
        finally:
            sock.detach()
