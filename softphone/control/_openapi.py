"""The OpenAPI 3 document of the control API, generated from the command table."""

from __future__ import annotations

from typing import Any

from softphone import __version__
from softphone.control._commands import COMMANDS, Command

_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
        }
    },
}


def _operation(cmd: Command) -> dict[str, Any]:
    required = [n for n, p in cmd.params.items() if p.required]
    body: dict[str, Any] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {n: p.schema() for n, p in cmd.params.items()},
    }
    if required:
        body["required"] = required
    err = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    return {
        "post": {
            "operationId": cmd.name.replace("-", "_"),
            "summary": cmd.summary,
            "security": [{"bearer": []}],
            "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
            "responses": {
                "200": {
                    "description": "done",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["ok", "result"],
                                "properties": {"ok": {"type": "boolean"}, "result": {}},
                            }
                        }
                    },
                },
                **{
                    str(s): {"description": d, "content": err}
                    for s, d in (
                        (400, "invalid parameters"),
                        (401, "missing or wrong token"),
                        (404, "unknown call or command"),
                        (408, "wait-for timed out"),
                        (409, "not possible in the phone's state"),
                        (421, "the Host header does not name this server"),
                        (500, "internal error"),
                    )
                },
            },
        }
    }


def openapi_document(server_url: str) -> dict[str, Any]:
    """The whole OpenAPI 3.0 document."""
    return {
        "openapi": "3.0.3",
        "info": {"title": "Softphone control API", "version": __version__},
        "servers": [{"url": server_url}],
        "paths": {f"/v1/{c.name}": _operation(c) for c in COMMANDS},
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Error": _ERROR},
        },
    }
