"""APNs hardening through the front door: ``softphone send-push`` to a phone's embedded
emulator and the control API's ``push`` answer with Apple's statuses and reasons."""

from __future__ import annotations

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
