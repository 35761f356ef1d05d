"""Network loss on demand: this phone's sockets are blackholed with nftables (Linux).

Every packet to or from a local port of this process (PJSIP's SIP transports and TCP
connections, each call's RTP/RTCP, the embedded APNs channel) is dropped in the kernel,
so the phone really loses its network: registrations time out, RTP stops both ways,
the peers see it too. The control API's port stays reachable so a script can restore
the network. It needs ``nft`` and CAP_NET_ADMIN (root); without them the injection is
refused with a message saying so.

Nothing outlives the phone, even after ``kill -9``: the table is named for the process
(``softphone_<pid>``) and every phone removes, when it starts, the tables of processes
that are gone; each blocked port is a set element with a timeout
(:data:`ELEMENT_TIMEOUT`) that the running phone re-arms, so a dead phone's cut heals
by itself meanwhile.
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

TABLE_PREFIX = "softphone_"
#: Seconds a blocked port stays blocked unless its phone re-arms it (a dead phone cannot).
ELEMENT_TIMEOUT = 10.0
#: How often a running phone re-arms its blocked ports.
REARM_INTERVAL = 3.0

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
    ports = f"  set ports {{ type inet_service; flags timeout; timeout {ELEMENT_TIMEOUT:g}s; }}"
    body = "\n".join([ports, *chains])
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
        self.table = f"{TABLE_PREFIX}{os.getpid()}"
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

    async def _run(self, *args: str, script: str | None = None) -> str:
        proc = await asyncio.create_subprocess_exec(
            self._check(),
            *args,
            stdin=subprocess.PIPE if script is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        out, err = await proc.communicate(script.encode() if script is not None else None)
        if proc.returncode != 0:
            text = err.decode(errors="replace").strip().splitlines()
            detail = text[-1] if text else f"exit {proc.returncode}"
            if "not permitted" in detail.lower() or "permission" in detail.lower():
                raise NetworkLossError(
                    "network loss needs CAP_NET_ADMIN to change nftables rules: run the "
                    f"phone as root (nft said: {detail})"
                )
            raise NetworkLossError(f"nft {' '.join(args)} failed: {detail}")
        return out.decode(errors="replace")

    async def remove_stale(self) -> list[str]:
        """Delete the tables of phones that died without restoring (``kill -9``); quietly
        does nothing without nftables or root. Returns the tables removed."""
        try:
            listing = await self._run("list", "tables", "inet")
        except NetworkLossError:
            return []
        removed = []
        for table in stale_tables(listing):
            try:
                await self._run("delete", "table", "inet", table)
            except NetworkLossError as exc:  # another phone removed it first
                log.debug("stale nftables table %s: %s", table, exc)
                continue
            log.warning("removed nftables table %s left by a phone that died", table)
            removed.append(table)
        return removed

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
        """Sockets opened while the network is down (a new call's RTP) are cut too, and
        the ports are re-armed before their elements time out."""
        loop = asyncio.get_running_loop()
        rearm_at = loop.time() + REARM_INTERVAL
        while self.active:
            await asyncio.sleep(self._refresh_interval)
            try:
                await self._add(self._ports())
                if loop.time() >= rearm_at and self.blocked:
                    await self._rearm()
                    rearm_at = loop.time() + REARM_INTERVAL
            except NetworkLossError as exc:
                log.warning("network loss: %s", exc)

    async def _rearm(self) -> None:
        """Give every blocked port a fresh timeout, in one transaction (no gap)."""
        items = ", ".join(str(p) for p in sorted(self.blocked))
        script = (
            f"flush set inet {self.table} ports\n"
            f"add element inet {self.table} ports {{ {items} }}\n"
        )
        await self._run("-f", "-", script=script)

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


def stale_tables(listing: str) -> list[str]:
    """Names in ``nft list tables`` output of phones' tables whose process is gone."""
    stale = []
    for line in listing.splitlines():
        words = line.split()
        if len(words) != 3 or words[:2] != ["table", "inet"]:
            continue
        name = words[2]
        pid = name.removeprefix(TABLE_PREFIX)
        if name.startswith(TABLE_PREFIX) and pid.isdigit() and not _alive(int(pid)):
            stale.append(name)
    return stale


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True
