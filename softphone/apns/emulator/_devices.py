"""The device channel: each running Softphone connects over loopback TCP, registers its
token (+ topic, environment) and receives its pushes as JSON lines.

Messages (one JSON object per line)::

    device -> emulator  {"op": "register", "token": "<hex>", "topic": "<bundle id>",
                         "environment": "sandbox"|"production",
                         "push_type": "voip"|"alert", "secret": "<channel secret>"}
                        {"op": "unregister", "token": ..., "environment": ..., "secret": ...}
    emulator -> device  {"op": "registered"|"unregistered", "token": ...}
                        {"op": "error", "reason": "..."}
                        {"op": "push", "apns_id": ..., "payload": {...}, ...}

Every command carries the emulator's channel secret (``device-channel.secret`` in its
state dir, mode 0600): a local process that cannot read it can neither register a
phone's token (and take its pushes) nor unregister it. A wrong secret closes the
connection. A token belongs to the connection that registered it while that connection
is open: another one cannot take it over or unregister it.

Pushes for a registered token whose device is not connected are stored until it
reconnects, unless expired (``apns-expiration``; 0 means "now or never").
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections import deque
from collections.abc import Callable
from typing import Any

from ._core import ApnsCore, Environment, Push

log = logging.getLogger(__name__)

__all__ = ["DeviceChannelServer"]

MAX_LINE = 64 * 1024
MAX_STORED = 100
MAX_DELIVERED = 1000
_REFUSED = "not authorized: wrong or missing device channel secret"


class DeviceChannelServer:
    """Loopback TCP server for devices; :meth:`deliver` is the core's delivery hook."""

    def __init__(self, core: ApnsCore, clock: Callable[[], float], secret: str) -> None:
        if not secret:
            raise ValueError("the device channel needs a secret")
        self.core = core
        self.clock = clock
        self.secret = secret
        self._secret = secret.encode()
        self._writers: dict[tuple[Environment, str], asyncio.StreamWriter] = {}
        self._stored: dict[tuple[Environment, str], list[Push]] = {}
        self._server: asyncio.base_events.Server | None = None
        self.delivered: deque[Push] = deque(maxlen=MAX_DELIVERED)  # the latest, for tests
        self.delivery_listeners: list[Callable[[Push], None]] = []
        self._tasks: set[asyncio.Task[Any]] = set()

    async def start(self, host: str, port: int) -> int:
        self._server = await asyncio.start_server(self._client, host, port, limit=MAX_LINE)
        return int(self._server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        self._writers.clear()
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None

    def connected(self, token: str, environment: Environment) -> bool:
        return (environment, token.lower()) in self._writers

    def deliver(self, push: Push) -> None:
        key = (push.environment, push.token)
        writer = self._writers.get(key)
        if writer is None or writer.is_closing():
            if push.expiration == 0:
                log.info("push %s dropped: device offline and apns-expiration 0", push.apns_id)
                return
            stored = self._stored.setdefault(key, [])
            if push.collapse_id:
                stored[:] = [p for p in stored if p.collapse_id != push.collapse_id]
            stored.append(push)
            del stored[:-MAX_STORED]
            return
        self._send(writer, push)

    def _send(self, writer: asyncio.StreamWriter, push: Push) -> None:
        writer.write(json.dumps(push.to_json()).encode() + b"\n")
        self.delivered.append(push)
        for listener in list(self.delivery_listeners):
            listener(push)

    def _flush_stored(self, key: tuple[Environment, str], writer: asyncio.StreamWriter) -> None:
        now = self.clock()
        for push in self._stored.pop(key, []):
            if push.expiration and push.expiration < now:
                log.info("stored push %s expired before the device came back", push.apns_id)
                continue
            self._send(writer, push)

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        mine: set[tuple[Environment, str]] = set()
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            while True:
                try:
                    line = await reader.readline()
                except (ValueError, asyncio.LimitOverrunError):
                    self._reply(writer, {"op": "error", "reason": "line too long"})
                    break
                if not line:
                    break
                answer = self._command(line, writer, mine)
                self._reply(writer, answer)
                await writer.drain()
                if answer.get("reason") == _REFUSED:
                    break
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            if task is not None:
                self._tasks.discard(task)
            for key in mine:
                if self._writers.get(key) is writer:
                    del self._writers[key]
            writer.close()

    def _command(
        self, line: bytes, writer: asyncio.StreamWriter, mine: set[tuple[Environment, str]]
    ) -> dict[str, Any]:
        try:
            msg = json.loads(line)
        except ValueError:
            return {"op": "error", "reason": "not JSON"}
        if not isinstance(msg, dict):
            return {"op": "error", "reason": "not a JSON object"}
        op = msg.get("op")
        if op not in ("register", "unregister"):
            return {"op": "error", "reason": f"unknown op {op!r}"}
        secret = msg.get("secret")
        if not isinstance(secret, str) or not hmac.compare_digest(secret.encode(), self._secret):
            log.warning("device channel: a command without the right secret was refused")
            return {"op": "error", "reason": _REFUSED}
        token = str(msg.get("token", "")).lower()
        env = msg.get("environment", "sandbox")
        owner = self._writers.get((env, token))
        if owner is not None and owner is not writer and not owner.is_closing():
            return {"op": "error", "reason": f"token {token[:8]}... belongs to another device"}
        try:
            if op == "register":
                push_type = msg.get("push_type", "voip")
                if push_type not in ("voip", "alert"):
                    raise ValueError(f"push_type {push_type!r} is not voip or alert")
                record = self.core.register_device(
                    token, str(msg.get("topic", "")), env, voip=push_type == "voip"
                )
                key = (record.environment, record.token)
                self._writers[key] = writer
                mine.add(key)
                self._flush_stored(key, writer)
                return {"op": "registered", "token": record.token, "environment": env}
            self.core.unregister_device(token, env)
            return {"op": "unregistered", "token": token, "environment": env}
        except ValueError as exc:
            return {"op": "error", "reason": str(exc)}

    @staticmethod
    def _reply(writer: asyncio.StreamWriter, msg: dict[str, Any]) -> None:
        if not writer.is_closing():
            writer.write(json.dumps(msg).encode() + b"\n")
