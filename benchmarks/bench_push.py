"""VoIP push benchmarks (``python -m benchmarks push``).

* Throughput: aioapns (one HTTP/2 connection, 100 concurrent streams) against the APNs
  emulator running as its own process; reference: the same pushes sent one at a time.
  Target >= 1000 pushes/s.
* Push-to-ring latency: the emulator receives the POST -> the device channel delivers it
  -> PKPushRegistry hands it to the app delegate, which reports the call. Median and p99
  over 200 pushes; target median <= 30 ms, p99 <= 100 ms on loopback.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from softphone.apns.emulator import DeviceChannelClient
from softphone.apns.payloads import compose
from softphone.apns.sender import ApnsCredentials, ApnsSender, EmulatorEndpoint
from softphone.pushkit import (
    AppState,
    EmulatedDevice,
    LoopClock,
    PKPushPayload,
    PKPushRegistry,
    PKPushType,
)

TEAM, KID, BUNDLE = "ABCDE12345", "BENCHKEY01", "com.example.softphone"
REPO = Path(__file__).resolve().parents[1]


async def _start_emulator(state: Path) -> tuple[asyncio.subprocess.Process, dict[str, Any]]:
    code = "import sys; from softphone.apns.cli import main; sys.exit(main(sys.argv[1:]))"
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        code,
        "--state-dir",
        str(state),
        "--create-key",
        f"{TEAM}:{KID}",
        "--quiet",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
        cwd=REPO,
    )
    assert proc.stdout is not None
    info = json.loads(await asyncio.wait_for(proc.stdout.readline(), 60))

    async def drain() -> None:  # the emulator logs every request on stdout
        assert proc.stdout is not None
        while await proc.stdout.read(1 << 16):
            pass

    asyncio.get_running_loop().create_task(drain())
    return proc, info


def _cpu_seconds(pid: int) -> float:
    """utime + stime of a process (Linux /proc), to report CPU per push independent of load."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def _throughput(sender: ApnsSender, token: str, n: int, concurrency: int) -> float:
    payload = compose("flexisip", "Bench", "call")
    gate = asyncio.Semaphore(concurrency)
    failures = 0

    async def one() -> None:
        nonlocal failures
        async with gate:
            if not (await sender.send_voip(token, payload)).ok:
                failures += 1

    start = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(n)))
    elapsed = time.perf_counter() - start
    if failures:
        raise RuntimeError(f"{failures} pushes failed")
    return n / elapsed


async def _latency(
    info: dict[str, Any], sender: ApnsSender, n: int
) -> tuple[list[float], list[float]]:
    loop = asyncio.get_running_loop()
    server_to_ring: list[float] = []
    send_to_ring: list[float] = []
    sent_at: dict[str, float] = {}
    received: dict[str, float] = {}
    rang = asyncio.Event()

    class App:
        def did_update_push_credentials(self, *a: Any) -> None: ...
        def did_invalidate_push_token(self, *a: Any) -> None: ...
        def did_receive_incoming_push(
            self,
            registry: PKPushRegistry,
            payload: PKPushPayload,
            type: PKPushType,
            completion: Callable[[], None],
        ) -> None:
            now_wall, now = time.time(), time.perf_counter()
            call = payload.call
            assert call is not None
            registry.reported_call(call.call_id)
            registry.call_ended(call.call_id)
            completion()
            server_to_ring.append((now_wall - received.pop(call.call_id)) * 1000)
            send_to_ring.append((now - sent_at.pop(call.call_id)) * 1000)
            rang.set()

    device = EmulatedDevice(LoopClock(loop), AppState.suspended)
    registry = PKPushRegistry(delegate=App(), desired_push_types=[PKPushType.voip], device=device)
    token = registry.push_token_for(PKPushType.voip)
    assert token is not None

    def on_push(msg: dict[str, Any]) -> None:
        received[msg["payload"]["call-id"]] = msg["received_at"]
        registry.receive_push(msg["payload"], push_id=msg["apns_id"], sent_at=msg["received_at"])

    client = DeviceChannelClient.for_emulator(info, on_push)
    await client.connect()
    await client.register(token.hex(), BUNDLE, "sandbox")
    try:
        for i in range(n):
            rang.clear()
            call_id = f"lat-{i}"
            sent_at[call_id] = time.perf_counter()
            result = await sender.send_voip(token.hex(), compose("flexisip", "Bench", call_id))
            if not result.ok:
                raise RuntimeError(f"push failed: {result}")
            await asyncio.wait_for(rang.wait(), 5)
            device.suspend()  # next push wakes the app again
    finally:
        await client.close()
    return server_to_ring, send_to_ring


async def _main(n_throughput: int, n_latency: int) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        proc, info = await _start_emulator(Path(tmp))
        try:
            endpoint = EmulatorEndpoint(info["host"], info["sandbox_port"], Path(info["ca_path"]))
            creds = ApnsCredentials(Path(info["keys"][KID]), KID, TEAM)
            token = "be" * 32
            device = DeviceChannelClient.for_emulator(info, lambda _m: None)
            await device.connect()
            await device.register(token, BUNDLE, "sandbox")
            sender = ApnsSender(BUNDLE, creds, "sandbox", endpoint, timeout=30, retries=0)
            await _throughput(sender, token, 200, 100)  # warm-up: connection, JWT
            sequential = await _throughput(sender, token, max(200, n_throughput // 10), 1)
            emu_cpu0, cli_cpu0 = _cpu_seconds(proc.pid), time.process_time()
            concurrent = await _throughput(sender, token, n_throughput, 100)
            emu_ms = (_cpu_seconds(proc.pid) - emu_cpu0) / n_throughput * 1000
            cli_ms = (time.process_time() - cli_cpu0) / n_throughput * 1000
            await device.close()
            server_ms, client_ms = await _latency(info, sender, n_latency)
            await sender.close()
        finally:
            proc.terminate()
            await asyncio.wait_for(proc.wait(), 20)
    print(f"throughput, aioapns -> emulator (TLS, HTTP/2), {n_throughput} pushes:")
    print(
        f"  100 concurrent streams: {concurrent:8.0f} pushes/s  (target >= 1000: "
        f"{'OK' if concurrent >= 1000 else 'MISSED'})"
    )
    ratio = concurrent / sequential
    print(
        f"  CPU per push: emulator {emu_ms:.3f} ms, aioapns client {cli_ms:.3f} ms -> "
        f"capacity with one free core each: {1000 / max(emu_ms, cli_ms):.0f} pushes/s "
        f"(load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )
    print(f"  sequential reference:   {sequential:8.0f} pushes/s  (ratio {ratio:.1f}x)")
    for name, values in (
        ("emulator POST -> app delegate (ring)", server_ms),
        ("sender call -> app delegate (ring)", client_ms),
    ):
        med, p99 = statistics.median(values), _pct(values, 0.99)
        verdict = "OK" if med <= 30 and p99 <= 100 else "MISSED"
        print(
            f"latency {name}, {len(values)} pushes: median {med:.2f} ms, p99 {p99:.2f} ms, "
            f"max {max(values):.2f} ms ({verdict}: median <= 30, p99 <= 100)"
        )
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks push")
    parser.add_argument("--pushes", type=int, default=3000, help="throughput pushes")
    parser.add_argument("--latency-pushes", type=int, default=200)
    args = parser.parse_args(argv)
    return asyncio.run(_main(args.pushes, args.latency_pushes))


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
