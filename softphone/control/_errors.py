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


class PushRefusedError(ControlError):
    """APNs (or the emulator) refused a push: 413 for PayloadTooLarge, 400 for Apple's
    other refusals, 502 when it failed (5xx) or did not answer; ``reason`` is Apple's."""

    code = "push_refused"

    def __init__(self, apns_status: int, reason: str) -> None:
        super().__init__(f"APNs answered {apns_status or 'nothing'}: {reason}")
        self.apns_status = apns_status
        self.reason = reason
        self.status = 413 if apns_status == 413 else 400 if 400 <= apns_status < 500 else 502
