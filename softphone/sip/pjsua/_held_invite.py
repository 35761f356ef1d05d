"""The simulated caller's "push server": it holds the caller's INVITE back while the
phone is woken by a VoIP push, then lets it through (as Flexisip or Kamailio's tsilo
hold a call for a sleeping phone). Plain sockets, no pjsua2: the test line routes the
call through :attr:`HeldInvite.proxy_uri` and pumps the socket from its loop."""

from __future__ import annotations

import re
import socket

_ROUTE = re.compile(rb"^Route[ \t]*:[^\r\n]*\r\n", re.IGNORECASE | re.MULTILINE)
#: Packets kept while the INVITE is held (its retransmissions, a CANCEL).
_MAX_HELD = 32


def caller_id_uri(display: str, port: int) -> str:
    """``"Alice Smith" <sip:alice.smith@127.0.0.1:PORT>``: the From of the simulated caller
    (quotes and backslashes dropped from the name, its user part made of safe characters)."""
    name = "".join(ch for ch in display if ch.isprintable() and ch not in '"\\').strip()[:64]
    user = "".join(ch if ch.isalnum() else "." for ch in name.lower()).strip(".") or "caller"
    return f'"{name or "Caller"}" <sip:{user[:32]}@127.0.0.1:{port}>'


def _target(uri: str) -> tuple[str, int]:
    """host and port of a ``sip:user@host:port`` URI (UDP; port 5060 when absent)."""
    rest = uri.split(":", 1)[-1].split(";", 1)[0].split(">", 1)[0]
    host_port = rest.split("@", 1)[-1]
    host, _, port = host_port.partition(":")
    if not host or (port and not port.isdigit()):
        raise ValueError(f"cannot send to {uri!r}")
    return host, int(port or 5060)


class HeldInvite:
    """A loopback UDP hop between the caller and the phone: what the caller sends through
    it is kept until :meth:`release`, then passed on (Route headers naming the hop
    removed, as a proxy hands a request on); what the phone sends back to it (responses
    go to the address a request came from, RFC 3581) goes to the caller at ``back_port``."""

    def __init__(self, uri: str, back_port: int) -> None:
        self.target = _target(uri)
        self.back = ("127.0.0.1", back_port)
        self.call_id = ""
        self.released = False
        self._held: list[bytes] = []
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.setblocking(False)
        host, port = self._sock.getsockname()
        self.proxy_uri = f"sip:{host}:{port};lr"

    def pump(self) -> None:
        """Take what arrived; pass it on once released."""
        while True:
            try:
                data, source = self._sock.recvfrom(65535)
            except (BlockingIOError, OSError):
                return
            if source[:2] == self.target:
                self._send(data, self.back)
                continue
            data = _ROUTE.sub(b"", data)
            if self.released:
                self._send(data, self.target)
            elif data not in self._held and len(self._held) < _MAX_HELD:
                self._held.append(data)  # a retransmission is passed on once, as a proxy does

    def release(self) -> None:
        """Let the held INVITE (and everything after it) through to the phone."""
        self.released = True
        held, self._held = self._held, []
        for data in held:
            self._send(data, self.target)
        self.pump()

    def _send(self, data: bytes, to: tuple[str, int]) -> None:
        try:
            self._sock.sendto(data, to)
        except OSError:
            pass  # the phone is gone: the caller's transaction times out, as over a network

    def close(self) -> None:
        self._sock.close()
