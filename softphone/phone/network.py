"""Network loss on demand: this phone's sockets are blackholed with nftables (Linux).

Every packet to or from a local port of this process (PJSIP's SIP transports and TCP
connections, each call's RTP/RTCP, the embedded APNs channel) is dropped in the kernel,
so the phone really loses its network: registrations time out, RTP stops both ways,
the peers see it too. The control API's port stays reachable so a script can restore
the network. It needs ``nft`` and CAP_NET_ADMIN (root); without them the injection is
refused with a message saying so.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterable

from softphone.sip.sockets import own_inet_sockets

log = logging.getLogger(__name__)

MODES = ("silent", "down")
"""``silent``: packets vanish (a dead Wi-Fi); ``down``: sending fails at once (no route)."""


class NetworkLossError(Exception):
    """The network cannot be cut here (not Linux, no nftables, no CAP_NET_ADMIN)."""


def process_ports(exclude: Iterable[int] = ()) -> set[int]:
    """Local TCP/UDP ports of this process's IPv4/IPv6 sockets."""
    skip = set(exclude)
    return {port for _fd, port in own_inet_sockets() if port not in skip}


def _ruleset(table: str, mode: str) -> str:
    match = "meta l4proto { tcp, udp }"
    chains = [
        "  chain in {",
        "    type filter hook input priority -10; policy accept;",
        f"    {match} th dport @ports drop",
        f"    {match} th sport @ports drop",
        "  }",
    ]
    if mode == "down":  # our sends fail with EPERM at once, as with no route
        chains += [
            "  chain out {",
            "    type filter hook output priority -10; policy accept;",
            f"    {match} th sport @ports drop",
            "  }",
        ]
    body = "\n".join(["  set ports { type inet_service; }", *chains])
    return f"table inet {table} {{\n{body}\n}}\n"


class NetworkLoss:
    """Cuts and restores this phone's network (a QA fault; mirrors no Apple API)."""

    def __init__(
        self,
        ports: Callable[[], set[int]],
        *,
        nft: str = "nft",
        refresh_interval: float = 0.5,
    ) -> None:
        self._ports = ports
        self._nft = nft
        self._refresh_interval = refresh_interval
        self.table = f"softphone_{os.getpid()}"
        self.mode: str | None = None
        self.since: float | None = None
        self.blocked: set[int] = set()
        self._refresher: asyncio.Task[None] | None = None

    @property
    def active(self) -> bool:
        return self.mode is not None

    def _check(self) -> str:
        if not sys.platform.startswith("linux"):
            raise NetworkLossError(f"network loss needs Linux nftables (this is {sys.platform})")
        path = shutil.which(self._nft)
        if path is None:
            raise NetworkLossError(
                "network loss needs nftables: install it (Debian/Ubuntu: apt install nftables)"
            )
        return path

    async def _run(self, *args: str, script: str | None = None) -> None:
        proc = await asyncio.create_subprocess_exec(
            self._check(),
            *args,
            stdin=subprocess.PIPE if script is not None else subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        _, err = await proc.communicate(script.encode() if script is not None else None)
        if proc.returncode != 0:
            text = err.decode(errors="replace").strip().splitlines()
            detail = text[-1] if text else f"exit {proc.returncode}"
            if "not permitted" in detail.lower() or "permission" in detail.lower():
                raise NetworkLossError(
                    "network loss needs CAP_NET_ADMIN to change nftables rules: run the "
                    f"phone as root (nft said: {detail})"
                )
            raise NetworkLossError(f"nft {' '.join(args)} failed: {detail}")

    async def cut(self, mode: str = "silent") -> set[int]:
        """Drop every packet of this phone's ports until :meth:`restore`; returns them."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        if self.active:
            raise NetworkLossError(f"the network is already cut ({self.mode})")
        ports = self._ports()
        await self._run("-f", "-", script=_ruleset(self.table, mode))
        self.mode, self.since, self.blocked = mode, time.monotonic(), set()
        try:
            await self._add(ports)
        except NetworkLossError:
            await self.restore()
            raise
        self._refresher = asyncio.get_running_loop().create_task(self._refresh())
        log.warning("network cut (%s): ports %s", mode, sorted(self.blocked))
        return set(self.blocked)

    async def _add(self, ports: set[int]) -> None:
        new = ports - self.blocked
        if not new:
            return
        items = ", ".join(str(p) for p in sorted(new))
        await self._run("add", "element", "inet", self.table, "ports", f"{{ {items} }}")
        self.blocked |= new

    async def _refresh(self) -> None:
        """Sockets opened while the network is down (a new call's RTP) are cut too."""
        while self.active:
            await asyncio.sleep(self._refresh_interval)
            try:
                await self._add(self._ports())
            except NetworkLossError as exc:
                log.warning("network loss: %s", exc)

    async def restore(self) -> float:
        """Give the network back; returns how long it was cut (seconds)."""
        if self._refresher is not None:
            self._refresher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._refresher
            self._refresher = None
        lasted = time.monotonic() - self.since if self.since is not None else 0.0
        if self.mode is not None:
            self.mode = None
            await self._run("delete", "table", "inet", self.table)
            log.warning("network restored after %.1f s", lasted)
        self.since, self.blocked = None, set()
        return lasted

    def restore_now(self) -> None:
        """Synchronous restore for process exit (never leave rules behind)."""
        if self.mode is None:
            return
        self.mode = None
        path = shutil.which(self._nft)
        if path is not None:
            with contextlib.suppress(OSError, subprocess.SubprocessError):
                subprocess.run(
                    [path, "delete", "table", "inet", self.table],
                    check=False,
                    capture_output=True,
                    timeout=5,
                )
