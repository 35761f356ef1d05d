"""Errors of the control API, each with its HTTP status and a stable code."""

from __future__ import annotations


class ControlError(Exception):
    """A command that could not be carried out; ``status`` is the HTTP status."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_json(self) -> dict[str, dict[str, str]]:
        return {"error": {"code": self.code, "message": self.message}}


class InvalidParamsError(ControlError):
    """Malformed JSON, a missing or unknown parameter, or a value of the wrong type."""

    status = 400
    code = "invalid_params"


class UnauthorizedError(ControlError):
    """A missing or wrong token."""

    status = 401
    code = "unauthorized"


class UnknownCommandError(ControlError):
    """No such command."""

    status = 404
    code = "unknown_command"


class NotFoundError(ControlError):
    """The command names something that does not exist (e.g. an unknown call)."""

    status = 404
    code = "not_found"


class ConflictError(ControlError):
    """The command does not fit the phone's state (e.g. answer with no ringing call)."""

    status = 409
    code = "conflict"


class WaitTimeoutError(ControlError):
    """``wait-for`` did not see the event in time."""

    status = 408
    code = "timeout"


class MisdirectedError(ControlError):
    """The ``Host`` header does not name this server (a DNS-rebinding page, a proxy)."""

    status = 421
    code = "misdirected"
