"""The local control API: JSON over HTTP on 127.0.0.1, bearer-token authenticated.

``POST /v1/<command>`` with a JSON object of parameters; the commands are listed in
``GET /v1/openapi.json`` (token required too). Every error is JSON ``{"error": {"code",
"message"}}`` with a meaningful status (400, 401, 404, 405, 408, 409, 421, 500); the
phone is never affected by a bad request. Hardening: the ``Host`` header must name this
server (``127.0.0.1:<port>`` or ``localhost:<port>``: no DNS rebinding), a connection
that does not send a whole request within :data:`HEADER_TIMEOUT` is closed, at most
:data:`MAX_CONNECTIONS` are open at once, and bodies are capped (size, nesting, NaN).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import secrets
import weakref
from collections.abc import Mapping
from typing import Any, Protocol

from aiohttp import web

from softphone import validation
from softphone.control._commands import BY_NAME
from softphone.control._errors import (
    ControlError,
    InvalidParamsError,
    MisdirectedError,
    UnauthorizedError,
    UnknownCommandError,
)
from softphone.control._openapi import openapi_document
from softphone.control._validate import validate_params

log = logging.getLogger(__name__)
MAX_BODY = 64 * 1024
#: Seconds a connection may take to send a request's headers (and stay idle between two).
HEADER_TIMEOUT = 10.0
#: Seconds a request's body may take to arrive.
BODY_TIMEOUT = 10.0
#: Open connections at most; more are closed at once.
MAX_CONNECTIONS = 64

__all__ = ["ControlServer", "ControlTarget", "validate_params"]


class ControlTarget(Protocol):
    """What the API drives: the phone. Raises :class:`ControlError` subclasses."""

    async def execute(self, command: str, params: Mapping[str, Any]) -> dict[str, Any]: ...


class _Refused(asyncio.Protocol):
    """A connection beyond :data:`MAX_CONNECTIONS`: closed as soon as it is made."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        transport.close()


class _Counted(asyncio.Protocol):
    """aiohttp's protocol for one connection, counted in ``open`` from its creation (an
    accept burst cannot overshoot the cap) until the connection is lost."""

    def __init__(self, inner: asyncio.Protocol, open_set: weakref.WeakSet[_Counted]) -> None:
        self._inner = inner
        self._open = open_set
        open_set.add(self)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._inner.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        self._inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self._inner.eof_received()

    def pause_writing(self) -> None:
        self._inner.pause_writing()

    def resume_writing(self) -> None:
        self._inner.resume_writing()

    def connection_lost(self, exc: Exception | None) -> None:
        self._open.discard(self)
        self._inner.connection_lost(exc)


def _json(body: Any, status: int = 200) -> web.Response:
    return web.json_response(body, status=status, dumps=validation.dumps)


class ControlServer:
    """Serves :class:`ControlTarget` on ``host:port`` (port 0 picks a free one)."""

    def __init__(
        self, target: ControlTarget, host: str = "127.0.0.1", port: int = 0, token: str = ""
    ) -> None:
        if host not in ("127.0.0.1", "localhost"):
            raise ValueError("the control API listens on loopback only (127.0.0.1)")
        self.target = target
        self.host = host
        self.port = port
        self.token = token or secrets.token_urlsafe(24)
        self.header_timeout = HEADER_TIMEOUT
        self.max_connections = MAX_CONNECTIONS
        self._runner: web.AppRunner | None = None
        self._server: asyncio.AbstractServer | None = None
        self._open: weakref.WeakSet[_Counted] = weakref.WeakSet()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        app = web.Application(client_max_size=MAX_BODY, middlewares=[self._errors])
        app.router.add_get("/v1/openapi.json", self._openapi)
        app.router.add_route("*", "/v1/{command}", self._command)
        # aiohttp's keep-alive timer also runs from the connection's start: a client that
        # never completes its headers is closed after it.
        self._runner = web.AppRunner(
            app, access_log=None, keepalive_timeout=self.header_timeout, handle_signals=False
        )
        await self._runner.setup()
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(self._protocol, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        log.info("control API on %s", self.url)

    def _protocol(self) -> asyncio.BaseProtocol:
        assert self._runner is not None and self._runner.server is not None
        if len(self._open) >= self.max_connections:
            log.warning("control API: %d connections open, refusing another", self.max_connections)
            return _Refused()
        return _Counted(self._runner.server(), self._open)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def _check_host(self, request: web.Request) -> None:
        host = request.headers.get("Host", "").strip().lower()
        if host not in (f"127.0.0.1:{self.port}", f"localhost:{self.port}"):
            raise MisdirectedError(
                f"Host must be 127.0.0.1:{self.port} or localhost:{self.port}, got {host!r}"
            )

    @web.middleware
    async def _errors(self, request: web.Request, handler: Any) -> web.StreamResponse:
        try:
            self._check_host(request)  # before anything else (DNS rebinding)
            response: web.StreamResponse = await handler(request)
            return response
        except ControlError as exc:
            return _json(exc.to_json(), status=exc.status)
        except web.HTTPRequestEntityTooLarge:
            return _json(
                InvalidParamsError(f"the request body is larger than {MAX_BODY} bytes").to_json(),
                status=400,
            )
        except web.HTTPException as exc:
            body = {"error": {"code": "http_error", "message": exc.reason}}
            return _json(body, status=exc.status)
        except Exception as exc:  # the phone keeps running whatever a command does
            log.exception("control command failed")
            body = {"error": {"code": "internal", "message": f"{type(exc).__name__}: {exc}"}}
            return _json(body, status=500)

    async def _openapi(self, request: web.Request) -> web.Response:
        self._check_token(request)
        return _json(openapi_document(self.url))

    async def _command(self, request: web.Request) -> web.Response:
        self._check_token(request)
        command = BY_NAME.get(request.match_info["command"])
        if command is None:
            raise UnknownCommandError(f"unknown command '{request.match_info['command']}'")
        if request.method != "POST":
            raise web.HTTPMethodNotAllowed(request.method, ["POST"])
        params = validate_params(command, await _json_body(request))
        result = await self.target.execute(command.name, params)
        return _json({"ok": True, "result": result})

    def _check_token(self, request: web.Request) -> None:
        header = request.headers.get("Authorization", "")
        scheme, _, given = header.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            given.strip().encode(), self.token.encode()
        ):
            raise UnauthorizedError("missing or wrong token (Authorization: Bearer <token>)")


async def _json_body(request: web.Request) -> object:
    try:
        raw = await asyncio.wait_for(request.read(), BODY_TIMEOUT)
    except asyncio.TimeoutError:
        raise InvalidParamsError(
            f"the request body did not arrive within {BODY_TIMEOUT:g} s"
        ) from None
    if not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except RecursionError:
        raise InvalidParamsError(
            f"the request body nests deeper than {validation.MAX_JSON_DEPTH} levels"
        ) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidParamsError(f"the request body is not valid JSON: {exc}") from exc
    try:
        validation.check_json(value, finite=False)  # numbers: each parameter's own check
    except ValueError as exc:
        raise InvalidParamsError(str(exc)) from None
    return value
