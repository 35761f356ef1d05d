"""CLI commands that drive a running Softphone through its control API.

``softphone [--profile P] call sip:bob@127.0.0.1``, ``answer``, ``decline``, ``hold``,
``mute``, ``dtmf 1234#``, ``hangup``, ``push``, ``state``, ``wait-for call.connected``.
Each prints the JSON result; errors go to stderr with a non-zero exit status (2 for a
bad request, 3 when the phone refuses, 4 when no phone is running).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from softphone.control.client import ControlClient, ControlClientError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of one control command; the command is the last word of ``parser.prog``."""
    name = parser.prog.split()[-1]
    if name == "call":
        parser.add_argument("to", help="number, sip: URI or user@host")
        parser.add_argument("--account", help="account id (default: the first)")
    if name in ("answer", "decline", "hangup", "hold", "mute", "dtmf"):
        parser.add_argument("--call", help="call UUID (default: the current call)")
    if name in ("hold", "mute", "lock", "dnd"):
        parser.add_argument("--off", action="store_true", help="turn it off again")
    if name == "inject":
        parser.add_argument("fault", help="fault name (see the README's Fault injection)")
        parser.add_argument(
            "--option",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="a fault option (VALUE is parsed as JSON when it can be)",
        )
    if name == "export":
        parser.add_argument("path", help="file to write: .json or .html")
    if name == "dtmf":
        parser.add_argument("digits", help="0-9 * # A-D, ',' soft pause, ';' hard pause")
    if name == "push":
        parser.add_argument(
            "--preset",
            default="generic",
            choices=("quickblox", "sinch", "stream", "flexisip", "twilio", "generic"),
        )
        parser.add_argument("--caller", default="Softphone test", help="caller name or number")
        parser.add_argument("--payload", help="a JSON object to send as is")
    if name == "wait-for":
        parser.add_argument("event", help="e.g. call.incoming, call.connected, call.ended")
        parser.add_argument("--timeout", type=float, default=10.0)
    parser.set_defaults(_control=name)


def params_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """The API parameters of the parsed command line."""
    name = args._control
    params: dict[str, Any] = {}
    for key in ("to", "account", "call", "digits", "event", "timeout", "preset", "caller"):
        value = getattr(args, key, None)
        if value is not None:
            params[key] = value
    if name in ("hold", "mute", "lock", "dnd"):
        params["on"] = not args.off
    if name == "inject":
        params["fault"] = args.fault
        options: dict[str, Any] = {}
        for item in args.option:
            key, sep, raw = item.partition("=")
            if not sep or not key:
                raise ControlClientError(400, "invalid_params", f"--option {item!r}: use KEY=VALUE")
            try:
                options[key] = json.loads(raw)
            except ValueError:
                options[key] = raw
        if options:
            params["options"] = options
    if name == "export":
        params["path"] = str(args.path)
    if name == "push" and args.payload:
        try:
            params["payload"] = json.loads(args.payload)
        except ValueError as exc:
            raise ControlClientError(
                400, "invalid_params", f"--payload is not JSON: {exc}"
            ) from exc
        params.pop("preset", None)
    return params


def run(args: argparse.Namespace) -> int:
    """Send the command to the phone running with ``--profile``; print the result."""
    try:
        client = ControlClient.for_profile(args.profile)
        result = client.request(args._control, **params_from_args(args))
    except ControlClientError as exc:
        print(f"softphone {args._control}: {exc.message} ({exc.code})", file=sys.stderr)
        if exc.status == 0:
            return 4
        return 2 if exc.status in (400, 404) else 3
    print(json.dumps(result, indent=2, sort_keys=True))
    return 0
