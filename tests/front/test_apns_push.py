"""APNs hardening through the front door: ``softphone send-push`` to a phone's embedded
emulator and the control API's ``push`` answer with Apple's statuses and reasons."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from softphone.control.client import ControlClientError
from softphone.settings import profile_paths
from softphone.testing import RunningPhone
from tests.apns.conftest import flood_h2

TEAM, KID = "FRONTTEAM1", "FRONTKEY01"
BUNDLE = "com.example.softphone"  # the phone's default [push] bundle_id


def _cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SOFTPHONE_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "softphone", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _send_push(
    home: Path, apns_dir: Path, token: str, *extra: str
) -> subprocess.CompletedProcess[str]:
    return _cli(
        home,
        "send-push",
        "--state-dir", str(apns_dir),
        "--token", token,
        "--topic", BUNDLE,
        "--key-file", str(apns_dir / "keys" / f"AuthKey_{KID}.p8"),
        "--key-id", KID,
        "--team-id", TEAM,
        "--retries", "0",
        *extra,
    )  # fmt: skip


@pytest.mark.covers("readme:send-push", "readme:voip push wake-up")
def test_alert_push_to_the_phones_voip_token_is_refused_and_never_rings(
    softphone: Callable[..., RunningPhone], tmp_path: Path
) -> None:
    """An alert push with the bare bundle id to a VoIP token: 400 DeviceTokenNotForTopic
    shown by send-push, no call; the same push as voip rings."""
    home = tmp_path / "softphone-home"
    apns_dir = profile_paths("phone1", root=home).data_dir / "apns"
    made = _cli(home, "apns-emulator", "--state-dir", str(apns_dir),
                "--create-key", f"{TEAM}:{KID}", "--once", "--quiet")  # fmt: skip
    assert made.returncode == 0, made.stderr
    phone = softphone("phone1")
    token = phone.state()["push"]["token"]
    refused = _send_push(home, apns_dir, token, "--push-type", "alert", "--caller", "Mallory")
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert refused.stdout.startswith("400 DeviceTokenNotForTopic"), refused.stdout
    rings = _send_push(home, apns_dir, token, "--caller", "Bob")
    assert rings.returncode == 0 and rings.stdout.startswith("200 OK"), rings.stdout
    event = phone.wait_for("call.incoming", timeout=10)
    assert "Bob" in json.dumps(event) and "Mallory" not in json.dumps(event)
    assert len(phone.state()["calls"]) == 1


@pytest.mark.covers("readme:push command")
def test_oversize_push_through_the_control_api_is_413_payload_too_large(
    softphone: Callable[..., RunningPhone],
) -> None:
    """``push`` with a payload over 5120 bytes: 413 with Apple's reason, nothing rings,
    and the phone still takes the next push."""
    phone = softphone()
    with pytest.raises(ControlClientError) as refused:
        phone.push(payload={"from-uri": "sip:big@example.org", "filler": "x" * 6000})
    assert refused.value.status == 413 and "PayloadTooLarge" in refused.value.message
    assert phone.state()["calls"] == []
    with pytest.raises(ControlClientError) as empty:
        phone.push(payload={"filler": "x" * 20000})
    assert empty.value.status == 413
    sent = phone.push(preset="flexisip", caller="After")
    assert sent["status"] == 200
    event = phone.wait_for("call.incoming", timeout=10)
    assert "After" in json.dumps(event)


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


FLOOD_GROWTH_MB = 40  # 3 x 1,000 streams x 64 KB held open took +195 MB before the cap


@pytest.mark.covers("readme:voip push wake-up")
def test_stream_flood_on_the_phones_apns_emulator_keeps_memory_bounded(
    softphone: Callable[..., RunningPhone],
) -> None:
    """3 connections x 1,000 never-ending 64 KB streams against the phone's embedded
    emulator (its info.json): the phone's RSS grows less than FLOOD_GROWTH_MB, it still
    takes a push and has no stuck call."""
    phone = softphone()
    data_dir = profile_paths(phone.profile, root=phone.log_path.parent).data_dir
    info = json.loads((data_dir / "apns" / "info.json").read_text())
    before = _rss_mb(phone.process.pid)

    async def flood() -> list[dict[str, int]]:
        conns = [
            await flood_h2(info["host"], info["sandbox_port"], Path(info["ca_path"]))
            for _ in range(3)
        ]
        for writer, _ in conns:
            writer.close()
        return [seen for _, seen in conns]

    seen = asyncio.run(flood())
    grown = _rss_mb(phone.process.pid) - before
    print(f"phone RSS {before:.0f} MB, +{grown:.1f} MB after the flood; {seen}")
    assert grown < FLOOD_GROWTH_MB, f"RSS grew {grown:.0f} MB"
    assert phone.process.poll() is None
    assert phone.push(preset="flexisip", caller="After flood")["status"] == 200
    assert "After flood" in json.dumps(phone.wait_for("call.incoming", timeout=10))
    assert len(phone.state()["calls"]) == 1
