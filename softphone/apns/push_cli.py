"""``softphone send-push``: compose a VoIP push from a preset and send it with aioapns to
the emulator, APNs sandbox or APNs production; prints status, reason, apns-id.

Real APNs needs an Apple developer team's .p8 key (--key-file/--key-id/--team-id) or a
provider certificate (--cert-file), the app's bundle id (--topic) and the device's VoIP
token from the app; --sandbox for development builds, --production for TestFlight/App Store.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from .cli import default_state_dir
from .payloads import PRESETS, compose
from .sender import ApnsCredentials, ApnsSender, EmulatorEndpoint, SenderError

__all__ = ["add_arguments", "main", "run"]


def add_arguments(p: argparse.ArgumentParser) -> None:
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--emulator",
        action="store_const",
        dest="target",
        const="emulator",
        help="send to the local APNs emulator (default)",
    )
    where.add_argument(
        "--sandbox",
        action="store_const",
        dest="target",
        const="sandbox",
        help="send to Apple's sandbox (development) APNs",
    )
    where.add_argument(
        "--production",
        action="store_const",
        dest="target",
        const="production",
        help="send to Apple's production APNs",
    )
    p.set_defaults(target="emulator")
    p.add_argument("--token", required=True, help="the device's VoIP push token (64 hex digits)")
    p.add_argument(
        "--topic", required=True, help="the app's bundle id (.voip is added for voip pushes)"
    )
    p.add_argument(
        "--push-type",
        choices=["voip", "alert", "background"],
        default="voip",
        help="apns-push-type (default: %(default)s; a VoIP token takes voip only)",
    )
    p.add_argument("--preset", choices=sorted(PRESETS), default="flexisip")
    p.add_argument("--caller", default="Alice", help="caller name shown on the call screen")
    p.add_argument("--call-id", default=None, help="call id (default: a new UUID)")
    p.add_argument("--handle", default="", help="caller handle (SIP URI, number, user id)")
    p.add_argument("--payload-json", default=None, help="a raw JSON payload instead of a preset")
    p.add_argument("--key-file", type=Path, help="APNs auth key (.p8)")
    p.add_argument("--key-id", default="")
    p.add_argument("--team-id", default="")
    p.add_argument("--cert-file", type=Path, help="provider certificate + key (PEM)")
    p.add_argument(
        "--emulator-env",
        choices=["sandbox", "production"],
        default="sandbox",
        help="which emulator endpoint (default: %(default)s)",
    )
    p.add_argument(
        "--state-dir",
        type=Path,
        default=None,
        help="the emulator's state dir (its info.json gives host/port/CA)",
    )
    p.add_argument("--ttl", type=int, default=None, help="seconds until apns-expiration")
    p.add_argument("--collapse-id", default=None)
    p.add_argument("--timeout", type=float, default=10.0)
    p.add_argument("--retries", type=int, default=2)
    p.add_argument("--json", action="store_true", help="print the result as JSON")


def _payload(args: argparse.Namespace) -> dict[str, Any]:
    if args.payload_json is not None:
        value = json.loads(args.payload_json)
        if not isinstance(value, dict):
            raise ValueError("--payload-json must be a JSON object")
        return value
    return compose(args.preset, args.caller, args.call_id, args.handle)


def run(args: argparse.Namespace) -> int:
    try:
        payload = _payload(args)
        creds = ApnsCredentials(args.key_file, args.key_id, args.team_id, args.cert_file)
        emulator = None
        environment = args.target
        if args.target == "emulator":
            environment = args.emulator_env
            info_path = (args.state_dir or default_state_dir()) / "info.json"
            if not info_path.is_file():
                raise SenderError(
                    f"no running emulator ({info_path} missing): start "
                    "`softphone apns-emulator` or give --state-dir"
                )
            info = json.loads(info_path.read_text())
            port = info["sandbox_port"] if environment == "sandbox" else info["production_port"]
            emulator = EmulatorEndpoint(info["host"], int(port), Path(info["ca_path"]))
        sender = ApnsSender(args.topic, creds, environment, emulator, args.timeout, args.retries)
    except (ValueError, SenderError, OSError, KeyError) as exc:
        print(f"send-push: {exc}", file=sys.stderr)
        return 2
    result = asyncio.run(
        _send(sender, args.token, payload, args.ttl, args.collapse_id, args.push_type)
    )
    if args.json:
        print(json.dumps({**result.to_json(), "payload": payload}))
    else:
        where = f"{args.target}" + (f" ({environment})" if args.target == "emulator" else "")
        print(f"{result.status or 'no answer'} {result.reason or 'OK'} via {where}")
        print(f"apns-id: {result.apns_id}")
        if result.unique_id:
            print(f"apns-unique-id: {result.unique_id}")
        if result.timestamp is not None:
            print(f"timestamp: {result.timestamp}")
    return 0 if result.ok else 1


async def _send(
    sender: ApnsSender,
    token: str,
    payload: dict[str, Any],
    ttl: int | None,
    collapse: str | None,
    push_type: str = "voip",
) -> Any:
    try:
        priority = 5 if push_type == "background" else 10  # Apple: background takes 5
        return await sender.send(
            token, payload, push_type=push_type, priority=priority, ttl=ttl, collapse_id=collapse
        )
    finally:
        await sender.close()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="softphone send-push", description=__doc__)
    add_arguments(parser)
    return run(parser.parse_args(argv))
