"""The control API's commands: one table drives validation, the OpenAPI schema and the CLI."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Param:
    """One parameter: its JSON type (string, boolean, number, integer, object), required
    or not. On the command line a required parameter is positional (a required boolean
    ``on`` is the ``--off`` flag), an optional one is ``--name``; ``cli_default`` is the
    value the CLI sends when the option is not given."""

    type: str
    help: str
    required: bool = False
    enum: tuple[str, ...] = ()
    pattern: str = ""
    max_length: int = 0
    minimum: float = 0
    maximum: float = 3600
    cli_default: Any = None

    def schema(self) -> dict[str, Any]:
        s: dict[str, Any] = {"type": self.type, "description": self.help}
        if self.enum:
            s["enum"] = list(self.enum)
        if self.pattern:
            s["pattern"] = self.pattern
        if self.max_length:
            s["maxLength"] = self.max_length
        if self.type in ("number", "integer"):
            s["minimum"] = self.minimum
            s["maximum"] = self.maximum
        return s


@dataclass(frozen=True)
class Command:
    """A control command: POST /v1/<name> with a JSON object of ``params``."""

    name: str
    summary: str
    params: Mapping[str, Param] = field(default_factory=dict)
    #: The ``softphone <name> --help`` line (default: the summary).
    cli_help: str = ""

    @property
    def help(self) -> str:
        return self.cli_help or self.summary


_UUID = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
_CALL = Param("string", "call UUID; default: the current call", pattern=_UUID)
_ON = Param("boolean", "true to turn on, false to turn off", required=True)
_RINGING = Param(
    "string", "call UUID of the ringing call; default: the ringing call", pattern=_CALL.pattern
)
_ROLES = ("microphone", "speaker", "ringer")

COMMANDS: tuple[Command, ...] = (
    Command(
        "state",
        "the device, calls and registrations as JSON",
        cli_help="print the running phone's state as JSON",
    ),
    Command(
        "call",
        "place an outgoing call (a number, sip: URI or user@host)",
        {
            "to": Param("string", "number or SIP URI", required=True, max_length=512),
            "account": Param("string", "account id; default: the first", max_length=64),
        },
        cli_help="place a call from the running phone",
    ),
    Command("answer", "answer the ringing call", {"call": _CALL}),
    Command("decline", "decline the ringing call", {"call": _CALL}),
    Command("hangup", "end a call", {"call": _CALL}, "end the current (or given) call"),
    Command(
        "hold",
        "put a call on hold or resume it",
        {"call": _CALL, "on": _ON},
        "hold (or --off: resume) a call",
    ),
    Command(
        "mute",
        "mute or unmute the microphone",
        {"call": _CALL, "on": _ON},
        "mute (or --off: unmute) the microphone",
    ),
    Command(
        "dtmf",
        "send DTMF digits (0-9, *, #, A-D; ',' soft pause, ';' hard pause)",
        {
            "call": _CALL,
            "digits": Param(
                "string", "the digits", required=True, pattern=r"^[0-9A-Da-d*#,;]{1,64}$"
            ),
            "method": Param(
                "string",
                "rfc4733 (RTP telephone-events) or info (SIP INFO); default: settings' dtmf_method",
                enum=("rfc4733", "info"),
            ),
        },
        "send DTMF digits",
    ),
    Command(
        "transfer",
        "transfer a call: blind (to) or attended (replaces: our other call takes its place)",
        {
            "call": _CALL,
            "to": Param("string", "number or SIP URI (blind transfer)", max_length=512),
            "replaces": Param(
                "string",
                "UUID of our other call: its peer takes this call over (attended transfer)",
                pattern=_CALL.pattern,
            ),
        },
        "transfer the current (or given) call --to URI, or --replaces OTHER_CALL",
    ),
    Command(
        "lock",
        "lock or unlock the emulated device",
        {"on": _ON},
        "lock (or --off: unlock) the emulated iPhone",
    ),
    Command(
        "dnd", "turn Do Not Disturb on or off", {"on": _ON}, "turn Do Not Disturb on (or --off)"
    ),
    Command(
        "push",
        "deliver a VoIP push to this phone (through the APNs emulator)",
        {
            "payload": Param("object", "the push payload (JSON object)"),
            "preset": Param(
                "string",
                "build the payload from a preset",
                enum=("quickblox", "sinch", "stream", "flexisip", "twilio", "generic"),
                cli_default="generic",
            ),
            "caller": Param(
                "string",
                "caller name or number for the preset",
                max_length=256,
                cli_default="Softphone test",
            ),
            "call": Param(
                "boolean",
                "the simulated caller follows the push with its INVITE (default true; "
                "false: the push alone, to test a missing INVITE)",
                cli_default=True,
            ),
        },
        "deliver a VoIP push to the running phone (the simulated caller's INVITE follows "
        "unless --no-call)",
    ),
    Command(
        "wait-for",
        "wait until an event happens (e.g. call.incoming, call.connected, call.ended)",
        {
            "event": Param("string", "event name", required=True, max_length=64),
            "timeout": Param("number", "seconds to wait (default 10)", cli_default=10.0),
        },
        "wait until an event happens (exit 0) or time out (exit 3)",
    ),
    Command(
        "export",
        "export the session (CallKit timeline, SIP ladder, push log) to a JSON or HTML file",
        {
            "path": Param("string", "file (.json or .html)", required=True, max_length=4096),
            "format": Param("string", "json or html (default: suffix)", enum=("json", "html")),
        },
        "export the session (timeline, SIP ladder, push log) as JSON or HTML",
    ),
    Command(
        "inject",
        "inject a fault or scenario (see the README's fault list)",
        {
            "fault": Param("string", "fault name", required=True, max_length=64),
            "options": Param("object", "fault options"),
        },
        "inject a fault or scenario into the running phone",
    ),
    # -- call waiting and several calls (the call screen's buttons) -------------------------
    Command(
        "hold-and-accept",
        "call waiting, Hold & Accept: hold the active call(s) and answer the ringing one",
        {"call": _RINGING},
    ),
    Command(
        "end-and-accept",
        "call waiting, End & Accept: end the active call(s) (or the held ones) and answer",
        {
            "call": _RINGING,
            "held": Param("boolean", "end the held call(s) instead of the active one(s)"),
        },
    ),
    Command("swap", "Swap: hold the active call (or conference) and resume the held one"),
    Command("merge", "Merge Calls: join the active and the held call into one conference"),
    Command(
        "unmerge",
        "Private: split a call out of the conference; the rest goes on hold",
        {"call": Param("string", "call UUID of the member", required=True, pattern=_CALL.pattern)},
    ),
    # -- Recents and Contacts (the tabs) ----------------------------------------------------
    Command(
        "recents",
        "the Recents list as the tab shows it (grouped, newest first)",
        {
            "missed": Param("boolean", "only missed calls (the Missed filter)"),
            "search": Param("string", "only rows matching a name, number or URI", max_length=256),
            "limit": Param(
                "integer", "at most this many rows (default 50)", minimum=1, maximum=1000
            ),
        },
    ),
    Command(
        "contacts",
        "the Contacts list, by name",
        {"search": Param("string", "only contacts matching this text", max_length=256)},
    ),
    Command(
        "contact-add",
        "add a contact (a name with a phone number and/or a SIP URI)",
        {
            "name": Param("string", "the name", required=True, max_length=256),
            "number": Param("string", "a phone number", max_length=64),
            "uri": Param("string", "a SIP URI (sip:user@host)", max_length=512),
        },
    ),
    Command(
        "contact-remove",
        "remove a contact by its id (see contacts)",
        {"id": Param("integer", "the contact id", required=True, minimum=1, maximum=2**53)},
    ),
    # -- Settings (the Settings page) --------------------------------------------------------
    Command("settings", "the phone's settings (as saved in its profile; no secrets)"),
    Command(
        "settings-set",
        "change settings as the Settings page does (codecs, transport, DTMF, push, audio, "
        "accounts)",
        {
            "changes": Param(
                "object",
                'e.g. {"codecs": [{"name": "PCMA", "enabled": true}], "transport": "tcp", '
                '"dtmf_method": "info", '
                '"push": {"environment": "production"}, "accounts": [{"id": "main", '
                '"enabled": false}], "audio": {"input": "default"}}',
                required=True,
            ),
        },
    ),
    Command(
        "block",
        "Block this Caller (or unblock): the call directory refuses the number with 603",
        {
            "number": Param("string", "a phone number", required=True, max_length=64),
            "on": Param("boolean", "true to block, false to unblock", required=True),
        },
    ),
    # -- audio devices (the in-call audio picker, Settings > Audio) -------------------------
    Command("audio-devices", "the microphones and speakers, and which is chosen for each role"),
    Command(
        "audio-select",
        "choose the microphone, speaker or ringer device (saved like Settings > Audio)",
        {
            "role": Param("string", "which device to choose", required=True, enum=_ROLES),
            "device": Param(
                "string",
                "a device id from audio-devices, or 'default'",
                required=True,
                max_length=512,
            ),
        },
    ),
)

BY_NAME: dict[str, Command] = {c.name: c for c in COMMANDS}
