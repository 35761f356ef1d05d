"""Two headless Softphones (separate processes and profiles) registered to Kamailio with
digest auth, driven by a scenario file through the control API: the CI proof that the
whole app (CLI, settings, secrets, SIP, CallKit, control API) works together."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from softphone.settings import (
    AccountSettings,
    EncryptedFileSecretStore,
    Settings,
    SettingsStore,
    profile_paths,
)
from tests.sip.kamailio import USERS, AuthKamailio

pytestmark = pytest.mark.integration
PASSPHRASE = "ci-passphrase"

#: A phone process; faulthandler leaves its Python stack in the log if PJSIP crashes.
PHONE = [sys.executable, "-X", "faulthandler", "-m", "softphone"]


def _env(home: Path) -> dict[str, str]:
    return {
        **os.environ,
        "SOFTPHONE_HOME": str(home),
        "SOFTPHONE_SECRETS_PASSPHRASE": PASSPHRASE,
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "QT_QPA_PLATFORM": "offscreen",
    }


def _profile(home: Path, name: str, user: str, port: int) -> None:
    paths = profile_paths(name, root=home).ensure()
    account = AccountSettings(
        id="main",
        uri=f"sip:{user}@127.0.0.1:{port}",
        registrar=f"sip:127.0.0.1:{port}",
        username=user,
        display_name=user.title(),
    )
    SettingsStore(paths).save(Settings(accounts=(account,)))
    EncryptedFileSecretStore(paths.secrets_file, PASSPHRASE).set("sip:main", USERS[user])


def _state(home: Path, profile: str) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-m", "softphone", "--profile", profile, "state"],
        env=_env(home),
        capture_output=True,
        text=True,
        timeout=30,
    )
    if out.returncode != 0:
        return {}
    data: dict[str, object] = json.loads(out.stdout)
    return data


@pytest.fixture
def phones(tmp_path: Path) -> Iterator[tuple[Path, AuthKamailio]]:
    kamailio = AuthKamailio(tmp_path)
    home = tmp_path / "home"
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for name, user in (("a", "alice"), ("b", "bob")):
            _profile(home, name, user, kamailio.port)
            log = open(tmp_path / f"phone-{name}.log", "wb")  # noqa: SIM115
            procs.append(
                subprocess.Popen(
                    [*PHONE, "--profile", name, "--headless"],
                    env=_env(home),
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        deadline = time.monotonic() + 60
        for name in ("a", "b"):
            while True:
                state = _state(home, name)
                regs = state.get("registrations") if state else None
                if isinstance(regs, dict) and regs.get("main", {}).get("state") == "registered":
                    break
                if time.monotonic() > deadline:
                    logs = (tmp_path / f"phone-{name}.log").read_text(errors="replace")
                    raise AssertionError(f"phone {name} did not register: {state}\n{logs[-3000:]}")
                time.sleep(0.3)
        yield home, kamailio
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        kamailio.stop()


def test_a_scenario_drives_two_registered_phones(
    phones: tuple[Path, AuthKamailio], tmp_path: Path
) -> None:
    home, kamailio = phones
    scenario = tmp_path / "call.toml"
    scenario.write_text(
        f"""
name = "alice calls bob through Kamailio"
[phones]
a = "a"
b = "b"

[[steps]]
phone = "a"
do = "call"
to = "sip:bob@127.0.0.1:{kamailio.port}"

[[steps]]
phone = "b"
expect = "call.incoming"
timeout = 10

[[steps]]
phone = "a"
expect = "call.ringing"

[[steps]]
phone = "b"
do = "answer"

[[steps]]
phone = "a"
expect = "call.connected"

[[steps]]
phone = "a"
do = "dtmf"
digits = "42#"

[[steps]]
phone = "b"
expect = "dtmf.received"

[[steps]]
phone = "b"
do = "answer"
expect_error = "conflict"

[[steps]]
phone = "a"
do = "hangup"

[[steps]]
phone = "b"
expect = "call.ended"
"""
    )
    report = tmp_path / "report.json"
    ran = subprocess.run(
        [sys.executable, "-m", "softphone", "scenario", str(scenario), "--json", str(report)],
        env=_env(home),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    result = json.loads(report.read_text())
    assert result["passed"] is True
    assert len(result["steps"]) == 10
    secrets = (profile_paths("a", root=home).config_dir / "secrets.enc").read_bytes()
    assert USERS["alice"].encode() not in secrets
