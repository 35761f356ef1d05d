"""Shutdown benchmark: SIGTERM to process exit of a headless phone (``python -m softphone
--headless``), idle and after calls, in one run.

Rows: an idle phone (the reference); after a SIPp call that ended; after a call to the
built-in echo line (its helper process stops too); during a call (the phone hangs it
up). Target (issue 16): <= 2 s after calls; each shown as a ratio to the idle phone.

``python -m benchmarks shutdown`` (``--rounds N``, default 3).
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET_S = 2.0


def _stop_s(phone: object) -> float:
    proc = phone.process  # type: ignore[attr-defined]
    start = time.monotonic()
    proc.terminate()
    proc.wait(30)
    took = time.monotonic() - start
    if proc.returncode != 0:
        raise RuntimeError(f"phone exited {proc.returncode} after SIGTERM")
    return took


async def _idle(home: Path, n: int) -> float:
    from softphone.testing import start_phone

    return _stop_s(start_phone(home, f"idle{n}"))


async def _after_sipp_call(home: Path, n: int) -> float:
    from softphone.testing import start_phone
    from tests.sip import scenarios as sc
    from tests.sip.helpers import start_sipp

    phone = start_phone(home, f"sipp{n}")
    sipp = await start_sipp(sc.uac(pause_ms=500), home, phone.state()["sip"]["udp"])
    await asyncio.to_thread(phone.wait_for, "call.incoming", 10)
    phone.answer()
    await sipp.expect_success()
    await asyncio.to_thread(phone.wait_for, "call.ended", 10)
    return _stop_s(phone)


async def _after_echo_call(home: Path, n: int) -> float:
    from softphone.testing import start_phone

    phone = start_phone(home, f"echo{n}")
    phone.call("echo")
    await asyncio.to_thread(phone.wait_for, "call.connected", 15)
    await asyncio.sleep(1.0)  # a second of audio through the echo line
    phone.hangup()
    await asyncio.to_thread(phone.wait_for, "call.ended", 10)
    return _stop_s(phone)


async def _during_call(home: Path, n: int) -> float:
    from softphone.testing import start_phone

    phone = start_phone(home, f"live{n}")
    phone.call("echo")
    await asyncio.to_thread(phone.wait_for, "call.connected", 15)
    return _stop_s(phone)


ROWS: tuple[tuple[str, Callable[[Path, int], Awaitable[float]]], ...] = (
    ("idle phone", _idle),
    ("after a SIPp call", _after_sipp_call),
    ("after an echo-line call", _after_echo_call),
    ("during an echo-line call", _during_call),
)


async def _measure(rounds: int) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {name: [] for name, _ in ROWS}
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        for n in range(rounds):  # rows interleaved: load changes hit every row alike
            for name, run in ROWS:
                out[name].append(await run(home, n))
    return out


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks shutdown")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)
    if shutil.which("sipp") is None:
        print("sipp is not installed (Debian sip-tester)")
        return 2
    sys.path.insert(0, str(REPO))
    results = asyncio.run(_measure(args.rounds))
    idle = statistics.median(results["idle phone"])
    print(f"{'SIGTERM -> exit':<26} {'median':>8} {'max':>8}  ratio to idle   target")
    status = 0
    for name, values in results.items():
        med, worst = statistics.median(values), max(values)
        ok = name == "idle phone" or worst <= TARGET_S
        status |= 0 if ok else 1
        verdict = "" if name == "idle phone" else f"<= {TARGET_S:g} s " + ("ok" if ok else "MISSED")
        print(f"{name:<26} {med:>7.2f}s {worst:>7.2f}s  {med / idle:>5.2f}x          {verdict}")
    return status
