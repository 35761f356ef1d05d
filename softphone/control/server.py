"""The local control API: JSON over HTTP on 127.0.0.1, bearer-token authenticated.

``POST /v1/<command>`` with a JSON object of parameters; the commands are listed in
``GET /v1/openapi.json``. Every error is JSON ``{"error": {"code", "message"}}`` with
a meaningful status (400, 401, 404, 405, 408, 409, 500); the phone is never affected by
a bad request.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
import secrets
from collections.abc import Mapping
from typing import Any, Protocol

from aiohttp import web

from softphone.control._commands import BY_NAME, Command, Param
from softphone.control._errors import (
    ControlError,
    InvalidParamsError,
    UnauthorizedError,
    UnknownCommandError,
)
from softphone.control._openapi import openapi_document

log = logging.getLogger(__name__)
MAX_BODY = 64 * 1024
_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "boolean": (bool,),
    "number": (int, float),
    "integer": (int,),
    "object": (dict,),
}


class ControlTarget(Protocol):
    """What the API drives: the phone. Raises :class:`ControlError` subclasses."""

    async def execute(self, command: str, params: Mapping[str, Any]) -> dict[str, Any]: ...


def validate_params(command: Command, params: object) -> dict[str, Any]:
    """Check ``params`` against the command's table; raise :class:`InvalidParamsError`."""
    if not isinstance(params, dict):
        raise InvalidParamsError("the request body must be a JSON object")
    unknown = sorted(set(params) - set(command.params))
    if unknown:
        raise InvalidParamsError(f"unknown parameter(s) for {command.name}: {', '.join(unknown)}")
    for name, spec in command.params.items():
        if name not in params:
            if spec.required:
                raise InvalidParamsError(f"{command.name} needs parameter '{name}'")
            continue
        value = params[name]
        ok_types = _JSON_TYPES[spec.type]
        if not isinstance(value, ok_types) or (
            spec.type in ("number", "integer") and isinstance(value, bool)
        ):
            raise InvalidParamsError(f"'{name}' must be a {spec.type}, got {json.dumps(value)}")
        _check_value(name, spec, value)
    return dict(params)


def _check_value(name: str, spec: Param, value: Any) -> None:
    if spec.enum and value not in spec.enum:
        raise InvalidParamsError(f"'{name}' must be one of {', '.join(spec.enum)}")
    if spec.pattern and not re.fullmatch(spec.pattern, value):
        raise InvalidParamsError(f"'{name}' has an invalid format: {value!r}")
    if spec.max_length and len(value) > spec.max_length:
        raise InvalidParamsError(f"'{name}' is longer than {spec.max_length} characters")
    if spec.type in ("number", "integer") and not spec.minimum <= value <= spec.maximum:
        raise InvalidParamsError(f"'{name}' must be between {spec.minimum:g} and {spec.maximum:g}")


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
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        app = web.Application(client_max_size=MAX_BODY, middlewares=[self._errors])
        app.router.add_get("/v1/openapi.json", self._openapi)
        app.router.add_route("*", "/v1/{command}", self._command)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        if sockets:
            self.port = sockets[0].getsockname()[1]
        log.info("control API on %s", self.url)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @web.middleware
    async def _errors(self, request: web.Request, handler: Any) -> web.StreamResponse:
        try:
            response: web.StreamResponse = await handler(request)
            return response
        except ControlError as exc:
            return web.json_response(exc.to_json(), status=exc.status)
        except web.HTTPException as exc:
            body = {"error": {"code": "http_error", "message": exc.reason}}
            return web.json_response(body, status=exc.status)
        except Exception as exc:  # the phone keeps running whatever a command does
            log.exception("control command failed")
            body = {"error": {"code": "internal", "message": f"{type(exc).__name__}: {exc}"}}
            return web.json_response(body, status=500)

    async def _openapi(self, request: web.Request) -> web.Response:
        return web.json_response(openapi_document(self.url))

    async def _command(self, request: web.Request) -> web.Response:
        self._check_token(request)
        command = BY_NAME.get(request.match_info["command"])
        if command is None:
            raise UnknownCommandError(f"unknown command '{request.match_info['command']}'")
        if request.method != "POST":
            raise web.HTTPMethodNotAllowed(request.method, ["POST"])
        params = validate_params(command, await _json_body(request))
        result = await self.target.execute(command.name, params)
        return web.json_response({"ok": True, "result": result})

    def _check_token(self, request: web.Request) -> None:
        header = request.headers.get("Authorization", "")
        scheme, _, given = header.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            given.strip().encode(), self.token.encode()
        ):
            raise UnauthorizedError("missing or wrong token (Authorization: Bearer <token>)")


async def _json_body(request: web.Request) -> object:
    raw = await request.read()
    if not raw.strip():
        return {}
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidParamsError(f"the request body is not valid JSON: {exc}") from exc
