"""A push gateway for SIP proxies (RFC 8599): the proxy posts the push parameters it
took from a REGISTER Contact, the gateway sends the VoIP push through APNs (or the
emulator).

Request (``POST /push``, JSON, as sent by ``resources/lab/kamailio-push.cfg``)::

    {"pn-provider": "apns", "pn-prid": "<hex token>:voip",
     "pn-param": "<TeamID>.<BundleID>.voip", "call-id": "...",
     "from-uri": "sip:bob@...", "display-name": "Bob", "to-user": "alice"}

The push payload is the Flexisip/Linphone format (``call-id`` matches the INVITE, so the
phone can pair the push with the INVITE that follows).
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

log = logging.getLogger(__name__)
_TOKEN_RE = re.compile(r"^[0-9a-fA-F]{64}$")
_PARAM_RE = re.compile(
    r"^(?P<team>[A-Z0-9]{10})\.(?P<bundle>[A-Za-z0-9.-]+?)(?:\.(?P<svc>voip|remote))?$"
)


class PushParamsError(ValueError):
    """RFC 8599 push parameters that cannot be turned into an APNs VoIP push."""


@dataclass(frozen=True)
class ApnsTarget:
    """Where a VoIP push goes: the device token, the topic and the team."""

    token: str
    topic: str
    team_id: str
    bundle_id: str


def parse_pn_params(provider: str, prid: str, param: str) -> ApnsTarget:
    """Turn ``pn-provider``/``pn-prid``/``pn-param`` into an APNs VoIP target.

    ``pn-prid`` may list several tokens (``T1:voip&T2:remote``): the ``voip`` one is used.
    ``pn-param`` is ``<TeamID>.<BundleID>[.voip]`` (or ``...voip&remote``).
    """
    if provider != "apns":
        raise PushParamsError(f"pn-provider {provider!r} is not supported (only apns)")
    tokens = dict(_split_service(part) for part in prid.split("&") if part)
    token = tokens.get("voip") or tokens.get("")
    if token is None:
        raise PushParamsError(f"pn-prid {prid!r} has no VoIP token")
    if not _TOKEN_RE.match(token):
        raise PushParamsError(f"pn-prid token {token!r} is not 64 hex digits")
    first_param = param.split("&")[0]
    match = _PARAM_RE.match(first_param)
    if match is None:
        raise PushParamsError(f"pn-param {param!r} is not <TeamID>.<BundleID>.voip")
    bundle = match["bundle"]
    return ApnsTarget(token.lower(), f"{bundle}.voip", match["team"], bundle)


def _split_service(part: str) -> tuple[str, str]:
    token, _, service = part.partition(":")
    return service, token


def flexisip_payload(call_id: str, from_uri: str, display_name: str) -> dict[str, Any]:
    """The Flexisip/Linphone VoIP push payload for one call."""
    return {
        "aps": {},
        "call-id": call_id,
        "from-uri": from_uri,
        "display-name": display_name,
        "uuid": str(uuid.uuid4()),
        "send-time": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
        "pn_ttl": 30,
    }


SendVoip = Callable[[ApnsTarget, dict[str, Any]], Awaitable[Any]]


class PushGateway:
    """An HTTP server on 127.0.0.1 that turns proxy requests into VoIP pushes."""

    def __init__(self, send: SendVoip, host: str = "127.0.0.1", port: int = 0) -> None:
        self._send = send
        self.host = host
        self.port = port
        self.requests: list[dict[str, Any]] = []
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/push"

    async def start(self) -> None:
        app = web.Application(client_max_size=16 * 1024)
        app.router.add_post("/push", self._push)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        sockets = getattr(site._server, "sockets", None) or []
        if sockets:
            self.port = sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _push(self, request: web.Request) -> web.Response:
        try:
            body = json.loads(await request.read())
            if not isinstance(body, dict):
                raise PushParamsError("the body must be a JSON object")
            target = parse_pn_params(
                str(body.get("pn-provider", "")),
                str(body.get("pn-prid", "")),
                str(body.get("pn-param", "")),
            )
        except (ValueError, PushParamsError) as exc:
            self.requests.append({"error": str(exc)})
            return web.json_response({"error": str(exc)}, status=400)
        payload = flexisip_payload(
            str(body.get("call-id", "")),
            str(body.get("from-uri", "")),
            str(body.get("display-name", "")),
        )
        result = await self._send(target, payload)
        status = int(getattr(result, "status", 0))
        answer = {
            "status": status,
            "reason": getattr(result, "reason", ""),
            "apns-id": getattr(result, "apns_id", ""),
        }
        self.requests.append({"request": body, "target": target, "result": answer})
        log.info("push for %s -> %s", body.get("to-user"), answer)
        return web.json_response(answer, status=200 if status == 200 else 502)
