"""The phone side of the device channel: register a token, receive pushes."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

__all__ = ["DeviceChannelClient", "DeviceChannelError"]


class DeviceChannelError(RuntimeError):
    """The emulator refused a command (the reason says why)."""


class DeviceChannelClient:
    """Connects one Softphone to the emulator; ``on_push(message)`` hears each push
    (``message["payload"]`` is the APNs payload, ``message["apns_id"]`` its id)."""

    def __init__(
        self,
        host: str,
        port: int,
        on_push: Callable[[dict[str, Any]], None],
        secret: str = "",
    ) -> None:
        self.host = host
        self.port = port
        self.on_push = on_push
        self.secret = secret  # the emulator's device channel secret (EmulatorInfo)
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._task: asyncio.Task[None] | None = None
        self._acks: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._lock = asyncio.Lock()

    async def connect(self, timeout: float = 5.0) -> None:
        self._reader, self._writer = await asyncio.wait_for(
            asyncio.open_connection(self.host, self.port, limit=1 << 20), timeout
        )
        self._task = asyncio.create_task(self._read_loop())

    @classmethod
    def for_emulator(
        cls, info: Mapping[str, Any], on_push: Callable[[dict[str, Any]], None]
    ) -> DeviceChannelClient:
        """A client for the emulator described by ``info.json`` (its secret file is read)."""
        secret = Path(str(info["device_secret_file"])).read_text().strip()
        return cls(str(info["host"]), int(info["device_port"]), on_push, secret)

    async def register(
        self,
        token: str,
        topic: str,
        environment: str = "sandbox",
        timeout: float = 5.0,
        push_type: str = "voip",
    ) -> None:
        """Apple: the device's token becomes known to APNs for ``topic`` (bundle id);
        ``push_type`` voip is a PushKit token (``<bundle>.voip``), alert a remote one."""
        await self._command(
            {
                "op": "register",
                "token": token,
                "topic": topic,
                "environment": environment,
                "push_type": push_type,
            },
            timeout,
        )

    async def unregister(
        self, token: str, environment: str = "sandbox", timeout: float = 5.0
    ) -> None:
        """The app is removed: APNs answers 410 Unregistered for this token afterwards."""
        await self._command(
            {"op": "unregister", "token": token, "environment": environment}, timeout
        )

    async def _command(self, msg: dict[str, Any], timeout: float) -> dict[str, Any]:
        if self._writer is None:
            raise DeviceChannelError("not connected")
        async with self._lock:
            self._writer.write(json.dumps({**msg, "secret": self.secret}).encode() + b"\n")
            await self._writer.drain()
            answer = await asyncio.wait_for(self._acks.get(), timeout)
        if answer.get("op") == "error":
            raise DeviceChannelError(str(answer.get("reason")))
        return answer

    async def _read_loop(self) -> None:
        assert self._reader is not None
        while True:
            line = await self._reader.readline()
            if not line:
                await self._acks.put({"op": "error", "reason": "connection closed"})
                return
            try:
                msg = json.loads(line)
            except ValueError:
                continue
            if isinstance(msg, dict) and msg.get("op") == "push":
                self.on_push(msg)
            elif isinstance(msg, dict):
                await self._acks.put(msg)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(Exception):
                await self._writer.wait_closed()
        self._writer = None
