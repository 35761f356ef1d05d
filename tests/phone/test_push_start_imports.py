"""A started phone with the embedded APNs emulator has not loaded ``cryptography``, PyJWT
or h2 (certificates cached in the state dir are served by ``ssl`` from their PEM files;
JWT checks, HTTP/2 and the phone's provider key wait for the first push), and a push still
rings it. Run in a fresh interpreter: other tests' imports would hide a regression."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from softphone.apns.emulator._certs import ensure_server_certs

pytestmark = pytest.mark.integration

HEAVY = ("cryptography", "OpenSSL", "jwt", "aioapns", "h2")

SCRIPT = """
import asyncio, json, sys
from pathlib import Path

from softphone.phone.runtime import PhoneRuntime
from softphone.settings import Settings
from softphone.sip.pjsua import create_engine

HEAVY = json.loads(sys.argv[2])


def loaded():
    return sorted({m.split(".")[0] for m in sys.modules} & set(HEAVY))


async def main():
    phone = PhoneRuntime(
        create_engine(), Settings(), push_dir=Path(sys.argv[1]), with_test_line=False
    )
    await phone.start()
    try:
        assert phone.push is not None, phone.problems
        after_start = loaded()
        sent = await phone.control.execute("push", {"preset": "flexisip", "caller": "Alice"})
        incoming = await phone.control.execute(
            "wait-for", {"event": "call.incoming", "timeout": 10}
        )
        print(json.dumps({
            "after_start": after_start,
            "status": sent["status"],
            "via": incoming["data"]["via"],
            "name": incoming["data"]["name"],
            "after_push": loaded(),
        }))
    finally:
        await phone.stop()


asyncio.run(main())
"""


def test_a_started_phone_has_not_loaded_cryptography_and_a_push_still_rings(
    tmp_path: Path,
) -> None:
    push_dir = tmp_path / "apns"
    ensure_server_certs(push_dir)  # an earlier run made them (a first run still has to)
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(push_dir), json.dumps(HEAVY)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["after_start"] == []
    assert result["status"] == 200
    assert (result["via"], result["name"]) == ("push", "Alice")
    # the first push loads them (sender, JWT): the check above can see them
    assert {"cryptography", "jwt", "h2"} <= set(result["after_push"])
