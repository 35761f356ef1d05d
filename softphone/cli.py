"""Command line: ``softphone [options] [command]``.

With no command the app window opens. Each sub-command lives in the module that owns
its feature and registers itself here through ``_COMMANDS``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence

from softphone import APP_NAME, __version__

# (name, module, help): the module exposes ``add_arguments(parser)`` and ``run(args) -> int``.
# The control API's commands are inserted after "run" from its command table.
_COMMANDS: list[tuple[str, str, str]] = [
    ("run", "softphone.app", "open the phone window (the default)"),
    ("scenario", "softphone.control.cli_scenario", "run a scenario file against running phones"),
    ("testline", "softphone.sip.pjsua.testline", "run the echo test line (the app starts it)"),
    ("apns-emulator", "softphone.apns.cli", "run the local APNs emulator"),
    ("send-push", "softphone.apns.push_cli", "send a VoIP push (emulator or real APNs)"),
    ("push-lab", "softphone.lab.cli", "run the Kamailio push wake-up lab (RFC 8599)"),
]


def _all_commands() -> list[tuple[str, str, str]]:
    from softphone.control.cli import command_help

    control = [(name, "softphone.control.cli", text) for name, text in command_help()]
    return [_COMMANDS[0], *control, *_COMMANDS[1:]]


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser for every sub-command; with ``only``, just that sub-command's
    options are loaded (the others' modules, e.g. the APNs stack, are not imported)."""
    parser = argparse.ArgumentParser(
        prog="softphone",
        description=f"{APP_NAME}: the iPhone call experience on the desktop "
        "(CallKit/PushKit emulation, real SIP calls).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--profile",
        default=os.environ.get("SOFTPHONE_PROFILE", "default"),
        help="profile name: separate settings, recents and logs (default: %(default)s)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    static = {name for name, _, _ in _COMMANDS}
    for name, module, help_text in _COMMANDS if only in static else _all_commands():
        p = sub.add_parser(name, help=help_text, description=help_text)
        if only is None or name == only:
            _load(module, "add_arguments")(p)
        p.set_defaults(_module=module)
    return parser


def _load(module: str, attr: str) -> Callable[..., object]:
    fn = getattr(importlib.import_module(module), attr)
    if not callable(fn):
        raise TypeError(f"{module}.{attr} is not callable")
    return fn


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``softphone`` console script and ``python -m softphone``."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    rest = _command_args(args_list)
    # No sub-command word first means the phone itself: telling needs no control-command
    # table (whose imports would come before the window).
    if not rest or rest[0].startswith("-"):
        names = {name for name, _, _ in _COMMANDS}
    else:
        names = {name for name, _, _ in _all_commands()}
    if not any(a in names for a in args_list) and not any(
        a in ("-h", "--help", "--version") for a in args_list
    ):
        args_list = [*_global_args(args_list), "run", *_command_args(args_list)]
    rest = _command_args(args_list)
    # Only the chosen command's module loads: the phone starts without the others' imports.
    args = build_parser(rest[0] if rest and rest[0] in names else None).parse_args(args_list)
    module = getattr(args, "_module", "softphone.app")
    result = _load(module, "run")(args)
    return int(result) if isinstance(result, int) else 0


def _global_args(argv: list[str]) -> list[str]:
    out: list[str] = []
    it = iter(argv)
    for a in it:
        if a == "--profile":
            out += [a, next(it, "default")]
        elif a.startswith("--profile="):
            out.append(a)
    return out


def _command_args(argv: list[str]) -> list[str]:
    out: list[str] = []
    skip = False
    for a in argv:
        if skip:
            skip = False
        elif a == "--profile":
            skip = True
        elif not a.startswith("--profile="):
            out.append(a)
    return out
