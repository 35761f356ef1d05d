"""``softphone apns-emulator``: run the APNs emulator standalone (several phones can share it).

Prints one JSON line with the endpoints (and writes it to ``<state-dir>/info.json`` for
``softphone send-push --emulator``), then serves until interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import sys
from pathlib import Path

from platformdirs import user_state_dir

from .emulator import ApnsEmulator
from .emulator._files import write_private

__all__ = ["add_arguments", "default_state_dir", "main", "run"]


def default_state_dir() -> Path:
    return Path(user_state_dir("softphone")) / "apns-emulator"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1", help="loopback address (default: %(default)s)")
    p.add_argument("--port", type=int, default=0, help="sandbox endpoint port (0: any free)")
    p.add_argument("--production-port", type=int, default=0, help="production endpoint port")
    p.add_argument("--device-port", type=int, default=0, help="device channel port")
    p.add_argument("--state-dir", type=Path, default=None, help="CA, keys, info.json")
    p.add_argument(
        "--create-key",
        action="append",
        default=[],
        metavar="TEAMID:KEYID",
        help="create and register an ES256 .p8 provider key (repeatable)",
    )
    p.add_argument(
        "--client-cert",
        action="append",
        default=[],
        metavar="BUNDLE_ID",
        help="issue a provider client certificate for a bundle id (repeatable)",
    )
    p.add_argument("--sandbox-only", action="store_true", help="issued certs are sandbox-only")
    p.add_argument("--quiet", action="store_true", help="do not print each request")
    p.add_argument("--once", action="store_true", help="print the info and exit (setup only)")


def run(args: argparse.Namespace) -> int:
    state_dir: Path = args.state_dir or default_state_dir()
    try:
        emulator = ApnsEmulator(
            state_dir, args.host, args.port, args.production_port, args.device_port
        )
        keys = {}
        for spec in args.create_key:
            team, sep, kid = spec.partition(":")
            if not sep or not team or not kid:
                raise ValueError(f"--create-key wants TEAMID:KEYID, got {spec!r}")
            keys[kid] = str(emulator.create_key(team, kid))
        certs = {
            b: str(emulator.issue_client_certificate(b, args.sandbox_only))
            for b in args.client_cert
        }
    except (ValueError, OSError) as exc:
        print(f"apns-emulator: {exc}", file=sys.stderr)
        return 2
    return asyncio.run(_serve(emulator, state_dir, keys, certs, args.once, args.quiet))


async def _serve(
    emulator: ApnsEmulator,
    state_dir: Path,
    keys: dict[str, str],
    certs: dict[str, str],
    once: bool,
    quiet: bool = False,
) -> int:
    try:
        info = await emulator.start()
    except OSError as exc:
        print(f"apns-emulator: cannot listen: {exc}", file=sys.stderr)
        return 1
    doc = {**info.to_json(), "state_dir": str(state_dir), "keys": keys, "client_certs": certs}
    write_private(state_dir / "info.json", json.dumps(doc, indent=2))
    print(json.dumps(doc), flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    if not quiet:
        emulator.subscribe(
            lambda r: print(
                json.dumps(
                    {
                        "request": r.path,
                        "env": r.environment,
                        "status": r.status,
                        "reason": r.reason,
                        "apns_id": r.apns_id,
                    }
                ),
                flush=True,
            )
        )
    try:
        if not once:
            await stop.wait()
    finally:
        await emulator.stop()
        (state_dir / "info.json").unlink(missing_ok=True)
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="softphone apns-emulator", description=__doc__)
    add_arguments(parser)
    return run(parser.parse_args(argv))
