"""The control API's commands: one table drives validation, the OpenAPI schema and the CLI."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Param:
    """One parameter: its JSON type (string, boolean, number, object), required or not."""

    type: str
    help: str
    required: bool = False
    enum: tuple[str, ...] = ()
    pattern: str = ""
    max_length: int = 0

    def schema(self) -> dict[str, Any]:
        s: dict[str, Any] = {"type": self.type, "description": self.help}
        if self.enum:
            s["enum"] = list(self.enum)
        if self.pattern:
            s["pattern"] = self.pattern
        if self.max_length:
            s["maxLength"] = self.max_length
        if self.type == "number":
            s["minimum"] = 0
            s["maximum"] = 3600
        return s


@dataclass(frozen=True)
class Command:
    """A control command: POST /v1/<name> with a JSON object of ``params``."""

    name: str
    summary: str
    params: Mapping[str, Param] = field(default_factory=dict)


_CALL = Param("string", "call UUID; default: the current call", pattern=r"^[0-9a-fA-F-]{36}$")
_ON = Param("boolean", "true to turn on, false to turn off", required=True)

COMMANDS: tuple[Command, ...] = (
    Command("state", "the device, calls and registrations as JSON"),
    Command(
        "call",
        "place an outgoing call (a number, sip: URI or user@host)",
        {
            "to": Param("string", "number or SIP URI", required=True, max_length=512),
            "account": Param("string", "account id; default: the first", max_length=64),
        },
    ),
    Command("answer", "answer the ringing call", {"call": _CALL}),
    Command("decline", "decline the ringing call", {"call": _CALL}),
    Command("hangup", "end a call", {"call": _CALL}),
    Command("hold", "put a call on hold or resume it", {"call": _CALL, "on": _ON}),
    Command("mute", "mute or unmute the microphone", {"call": _CALL, "on": _ON}),
    Command(
        "dtmf",
        "send DTMF digits (0-9, *, #, A-D; ',' soft pause, ';' hard pause)",
        {
            "call": _CALL,
            "digits": Param(
                "string", "the digits", required=True, pattern=r"^[0-9A-Da-d*#,;]{1,64}$"
            ),
        },
    ),
    Command("lock", "lock or unlock the emulated device", {"on": _ON}),
    Command("dnd", "turn Do Not Disturb on or off", {"on": _ON}),
    Command(
        "push",
        "deliver a VoIP push to this phone (through the APNs emulator)",
        {
            "payload": Param("object", "the push payload (JSON object)"),
            "preset": Param(
                "string",
                "build the payload from a preset",
                enum=("quickblox", "sinch", "stream", "flexisip", "twilio", "generic"),
            ),
            "caller": Param("string", "caller name or number for the preset", max_length=256),
        },
    ),
    Command(
        "wait-for",
        "wait until an event happens (e.g. call.incoming, call.connected, call.ended)",
        {
            "event": Param("string", "event name", required=True, max_length=64),
            "timeout": Param("number", "seconds to wait (default 10)"),
        },
    ),
    Command(
        "export",
        "export the session (CallKit timeline, SIP ladder, push log) to a JSON or HTML file",
        {
            "path": Param("string", "file (.json or .html)", required=True, max_length=4096),
            "format": Param("string", "json or html (default: suffix)", enum=("json", "html")),
        },
    ),
    Command(
        "inject",
        "inject a fault or scenario (see the README's fault list)",
        {
            "fault": Param("string", "fault name", required=True, max_length=64),
            "options": Param("object", "fault options"),
        },
    ),
)

BY_NAME: dict[str, Command] = {c.name: c for c in COMMANDS}
