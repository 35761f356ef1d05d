"""``softphone push-lab``: start the RFC 8599 push wake-up lab on loopback.

Kamailio (``resources/lab/kamailio-push.cfg``: tsilo + http_client) holds an INVITE for a
phone that registered with ``pn-*`` Contact parameters and calls the push gateway; the
gateway sends the VoIP push through aioapns to the APNs emulator, whose device channel
delivers it to the registered phone. Prints the addresses as JSON, runs until Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from softphone.resources import resource_path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sip-port", type=int, default=5060, help="Kamailio's UDP port")
    parser.add_argument("--state-dir", type=Path, help="emulator keys/certs (default: temp)")
    parser.add_argument("--team-id", default="LABTEAM001", help="the emulator's APNs team id")
    parser.add_argument("--key-id", default="LABKEY0001", help="the emulator's APNs key id")
    parser.add_argument("--wake-timeout-ms", type=int, default=15000)


def run(args: argparse.Namespace) -> int:
    kamailio = shutil.which("kamailio") or shutil.which("kamailio", path="/usr/sbin:/sbin")
    if kamailio is None:
        print("push-lab: kamailio is not installed (Debian: kamailio kamailio-utils-modules)")
        return 2
    return asyncio.run(_lab(args, kamailio))


async def _lab(args: argparse.Namespace, kamailio: str) -> int:
    from softphone.apns.emulator import ApnsEmulator
    from softphone.apns.sender import ApnsCredentials, ApnsSender, EmulatorEndpoint
    from softphone.lab.push_gateway import ApnsTarget, PushGateway

    state = args.state_dir or Path(tempfile.mkdtemp(prefix="softphone-lab-"))
    emulator = ApnsEmulator(state)
    info = await emulator.start()
    key = emulator.create_key(args.team_id, args.key_id)
    senders: dict[str, ApnsSender] = {}

    async def send(target: ApnsTarget, payload: dict[str, Any]) -> Any:
        if target.bundle_id not in senders:
            senders[target.bundle_id] = ApnsSender(
                target.bundle_id,
                ApnsCredentials(key, args.key_id, args.team_id),
                "sandbox",
                EmulatorEndpoint(info.host, info.sandbox_port, info.ca_path),
            )
        return await senders[target.bundle_id].send_voip(target.token, payload)

    gateway = PushGateway(send)
    await gateway.start()
    cfg = resource_path("lab", "kamailio-push.cfg")
    proc = subprocess.Popen(
        [
            kamailio, "-f", str(cfg), "-DD", "-E", "-l", f"udp:127.0.0.1:{args.sip_port}",
            "-Y", str(state), "-P", str(state / "kamailio.pid"),
            "-A", f'PUSH_GATEWAY="{gateway.url}"', "-A", f"WAKE_TIMEOUT_MS={args.wake_timeout_ms}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=open(state / "kamailio.log", "wb"),  # noqa: SIM115 - lives as long as the lab
    )  # fmt: skip
    print(
        json.dumps(
            {
                "kamailio": f"sip:127.0.0.1:{args.sip_port}",
                "push_gateway": gateway.url,
                "apns_emulator": info.to_json(),
                "team_id": args.team_id,
                "key_id": args.key_id,
                "key_file": str(key),
                "logs": str(state),
            },
            indent=2,
        ),
        flush=True,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    try:
        while not stop.is_set() and proc.poll() is None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.5)
        if proc.poll() is not None:
            print(f"push-lab: kamailio exited; see {state / 'kamailio.log'}", file=sys.stderr)
            return 1
        return 0
    finally:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(10)
        for sender in senders.values():
            await sender.close()
        await gateway.stop()
        await emulator.stop()
