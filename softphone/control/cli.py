"""CLI commands that drive a running Softphone through its control API.

``softphone [--profile P] call sip:bob@127.0.0.1``, ``answer``, ``decline``, ``hold``,
``mute``, ``dtmf 1234#``, ``hangup``, ``swap``, ``recents --missed``, ``audio-devices``,
``state``, ``wait-for call.connected`` ... one sub-command per entry of the command table
(:data:`softphone.control.COMMANDS`), its options generated from the table's parameters:
a required parameter is positional (a required boolean ``on`` is ``--off``), an optional
one is ``--name`` (a boolean one a flag, ``--no-name`` when it defaults to true). Each
prints the JSON result; errors go to stderr with a non-zero exit status (2 for a bad
request, 3 when the phone refuses, 4 when no phone is running).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from softphone.control._commands import BY_NAME, COMMANDS, Param
from softphone.control.client import ControlClient, ControlClientError

_ARG_TYPES: dict[str, type] = {"string": str, "number": float, "integer": int}


def command_help() -> list[tuple[str, str]]:
    """(name, help) of every control sub-command, in the table's order."""
    return [(c.name, c.help) for c in COMMANDS]


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _add_param(parser: argparse.ArgumentParser, name: str, spec: Param) -> None:
    if spec.type == "boolean":
        if spec.required:  # "on": on unless --off
            parser.add_argument("--off", action="store_true", help="turn it off again")
        elif spec.cli_default is True:  # on unless --no-NAME
            parser.add_argument(
                "--no-" + name.replace("_", "-"), dest=name, action="store_false", help=spec.help
            )
        else:
            parser.add_argument(_flag(name), dest=name, action="store_true", help=spec.help)
        return
    if spec.type == "object":
        if name == "options":
            parser.add_argument(
                "--option",
                dest="options",
                action="append",
                default=[],
                metavar="KEY=VALUE",
                help="an option (VALUE is parsed as JSON when it can be)",
            )
        else:
            parser.add_argument(_flag(name), dest=name, help=f"{spec.help}: a JSON object")
        return
    kwargs: dict[str, Any] = {"type": _ARG_TYPES[spec.type], "help": spec.help}
    if spec.enum:
        kwargs["choices"] = spec.enum
    if spec.required:
        parser.add_argument(name, **kwargs)
    else:
        parser.add_argument(_flag(name), dest=name, default=spec.cli_default, **kwargs)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of one control command; the command is the last word of ``parser.prog``."""
    name = parser.prog.split()[-1]
    for param, spec in BY_NAME[name].params.items():
        _add_param(parser, param, spec)
    parser.set_defaults(_control=name)


def _object(name: str, raw: Any) -> dict[str, Any]:
    if name == "options":
        options: dict[str, Any] = {}
        for item in raw:
            key, sep, text = item.partition("=")
            if not sep or not key:
                raise ControlClientError(400, "invalid_params", f"--option {item!r}: use KEY=VALUE")
            try:
                options[key] = json.loads(text)
            except ValueError:
                options[key] = text
        return options
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise ControlClientError(400, "invalid_params", f"--{name} is not JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise ControlClientError(400, "invalid_params", f"--{name} must be a JSON object")
    return value


def params_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """The API parameters of the parsed command line."""
    name = args._control
    params: dict[str, Any] = {}
    for param, spec in BY_NAME[name].params.items():
        if spec.type == "boolean":
            if spec.required:
                params[param] = not args.off
            elif spec.cli_default is True:
                if getattr(args, param, True) is False:
                    params[param] = False
            elif getattr(args, param, False):
                params[param] = True
            continue
        value = getattr(args, param, None)
        if value is None or (spec.type == "object" and not value):
            continue
        params[param] = _object(param, value) if spec.type == "object" else value
    if name == "export" and "path" in params:  # relative to the user's directory
        params["path"] = os.path.abspath(os.path.expanduser(params["path"]))
    if name == "push" and "payload" in params:  # a payload is sent as is, without a preset
        params.pop("preset", None)
    return params


def run(args: argparse.Namespace) -> int:
    """Send the command to the phone running with ``--profile``; print the result."""
    try:
        params = params_from_args(args)
        client = ControlClient.for_profile(args.profile)
        result = client.request(args._control, **params)
    except ControlClientError as exc:
        print(f"softphone {args._control}: {exc.message} ({exc.code})", file=sys.stderr)
        if exc.status == 0:
            return 4
        return 2 if exc.status in (400, 404) else 3
    print(json.dumps(result, indent=2, sort_keys=True))
    return 0
