"""Automation: a local control API (JSON over HTTP, loopback, token) and its client."""

from __future__ import annotations

from softphone.control._commands import BY_NAME, COMMANDS, Command, Param
from softphone.control._errors import (
    ConflictError,
    ControlError,
    InvalidParamsError,
    NotFoundError,
    PushRefusedError,
    UnauthorizedError,
    UnknownCommandError,
    WaitTimeoutError,
)
from softphone.control._openapi import openapi_document
from softphone.control.client import ControlClient, ControlClientError

__all__ = [
    "BY_NAME",
    "COMMANDS",
    "Command",
    "ConflictError",
    "ControlClient",
    "ControlClientError",
    "ControlError",
    "InvalidParamsError",
    "NotFoundError",
    "Param",
    "PushRefusedError",
    "UnauthorizedError",
    "UnknownCommandError",
    "WaitTimeoutError",
    "openapi_document",
]
