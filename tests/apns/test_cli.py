"""``softphone apns-emulator`` and ``softphone send-push`` as real processes."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from softphone.apns import push_cli
from softphone.apns.emulator import DeviceChannelClient

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.integration
TOKEN = "5a" * 32


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO)}


async def _run_module(fn: str, *args: str) -> asyncio.subprocess.Process:
    code = f"import sys; from softphone.apns.{fn} import main; sys.exit(main(sys.argv[1:]))"
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        code,
        *args,
        env=_env(),
        cwd=REPO,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_emulator_process_and_send_push_cli(tmp_path: Path) -> None:
    state = tmp_path / "emu"
    emu = await _run_module(
        "cli", "--state-dir", str(state), "--create-key", "ABCDE12345:KEYID00001"
    )
    try:
        assert emu.stdout is not None
        info = json.loads(await asyncio.wait_for(emu.stdout.readline(), 30))
        key_file = info["keys"]["KEYID00001"]
        got: list[dict[str, Any]] = []
        device = DeviceChannelClient.for_emulator(info, got.append)
        await device.connect()
        await device.register(TOKEN, "com.example.softphone", "sandbox")
        try:
            send = await _run_module(
                "push_cli",
                "--emulator",
                "--state-dir",
                str(state),
                "--token",
                TOKEN,
                "--topic",
                "com.example.softphone",
                "--preset",
                "quickblox",
                "--caller",
                "Alice",
                "--key-file",
                key_file,
                "--key-id",
                "KEYID00001",
                "--team-id",
                "ABCDE12345",
                "--json",
            )
            out, err = await asyncio.wait_for(send.communicate(), 60)
            assert send.returncode == 0, err.decode()
            result = json.loads(out)
            assert result["status"] == 200 and result["unique_id"]
            for _ in range(100):
                if got:
                    break
                await asyncio.sleep(0.02)
            assert got[0]["payload"]["contactIdentifier"] == "Alice"
            assert got[0]["apns_id"] == result["apns_id"]
            # a bad token: APNs's answer, exit 1
            bad = await _run_module(
                "push_cli",
                "--state-dir",
                str(state),
                "--token",
                "ee" * 32,
                "--topic",
                "com.example.softphone",
                "--key-file",
                key_file,
                "--key-id",
                "KEYID00001",
                "--team-id",
                "ABCDE12345",
            )
            out, _ = await asyncio.wait_for(bad.communicate(), 60)
            assert bad.returncode == 1 and b"400 BadDeviceToken" in out
        finally:
            await device.close()
    finally:
        emu.terminate()
        await asyncio.wait_for(emu.wait(), 20)
    assert not (state / "info.json").exists()


def test_send_push_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["--token", TOKEN, "--topic", "com.x"]
    assert push_cli.main([*base, "--state-dir", str(tmp_path)]) == 2
    assert "no running emulator" in capsys.readouterr().err
    assert push_cli.main([*base, "--sandbox"]) == 2
    assert "key-file" in capsys.readouterr().err
    assert push_cli.main([*base, "--sandbox", "--payload-json", "[1]"]) == 2
    assert "JSON object" in capsys.readouterr().err
