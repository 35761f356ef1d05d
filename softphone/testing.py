"""pytest fixtures for QA teams: run headless Softphones and drive them from tests.

Enable with ``pytest -p softphone.testing`` (or ``pytest_plugins = ["softphone.testing"]``
in a conftest.py), then::

    def test_ivr(softphone):
        phone = softphone()                      # a headless phone, its own profile
        phone.call("sip:ivr@pbx.example.com")
        phone.wait_for("call.connected", timeout=10)
        phone.dtmf("1234#")
        phone.wait_for("call.ended", timeout=30)  # the IVR hung up

``softphone(settings_toml=...)`` starts a phone with its own ``settings.toml`` (e.g. an
account on your PBX); ``phone.state()`` is the JSON state, and every control command
is a method of :class:`softphone.control.ControlClient`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from softphone.control.client import ControlClient, ControlClientError, endpoint_file
from softphone.settings import profile_paths


class RunningPhone(ControlClient):
    """A ControlClient bound to a headless phone process this fixture started."""

    process: subprocess.Popen[bytes]
    profile: str
    log_path: Path


def start_phone(
    home: Path,
    profile: str,
    *,
    settings_toml: str | None = None,
    timeout: float = 30.0,
    extra_env: dict[str, str] | None = None,
) -> RunningPhone:
    """Start ``softphone --profile PROFILE --headless`` under ``home`` and wait for its API."""
    paths = profile_paths(profile, root=home).ensure()
    if settings_toml is not None:
        paths.settings_file.write_text(settings_toml)
    env = {
        **os.environ,
        "SOFTPHONE_HOME": str(home),
        "QT_QPA_PLATFORM": "offscreen",
        **(extra_env or {}),
    }
    log_path = home / f"{profile}.log"
    log = open(log_path, "wb")  # noqa: SIM115 - owned by the process
    proc = subprocess.Popen(
        # faulthandler: a crash in PJSIP leaves its Python stack in the log
        [
            sys.executable,
            "-X",
            "faulthandler",
            "-m",
            "softphone",
            "--profile",
            profile,
            "--headless",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + timeout
    endpoint = endpoint_file(profile, root=home)
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"softphone {profile} exited: {log_path.read_text()[-2000:]}")
        if endpoint.exists():
            client = ControlClient.for_profile(profile, root=home)
            try:
                client.request("state")
                break
            except (ControlClientError, ValueError):  # not serving yet (or a torn reply)
                pass
        if time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"softphone {profile} did not start within {timeout:g} s")
        time.sleep(0.1)
    phone = RunningPhone(client.url, client.token)
    phone.process, phone.profile, phone.log_path = proc, profile, log_path
    return phone


def died_of_signal(phone: RunningPhone) -> str:
    """Why the phone process died of a signal (e.g. SIGSEGV in PJSIP), or "" if it did
    not (still running, or exited with a status)."""
    code = phone.process.poll()
    if code is None or code >= 0:
        return ""
    import signal

    try:
        name = signal.Signals(-code).name
    except ValueError:
        name = f"signal {-code}"
    tail = phone.log_path.read_text(errors="replace")[-3000:] if phone.log_path.exists() else ""
    return f"softphone {phone.profile} died of {name}:\n{tail}"


def assert_alive(phone: RunningPhone) -> None:
    """Fail the test if the phone process has exited (and say how: a signal is a crash)."""
    code = phone.process.poll()
    if code is not None:
        raise AssertionError(died_of_signal(phone) or f"softphone {phone.profile} exited {code}")


def stop_phone(phone: RunningPhone, timeout: float = 15.0) -> None:
    """SIGTERM the phone and wait; raise AssertionError if it died of a signal (a crash,
    before or while stopping) instead of exiting."""
    crashed = died_of_signal(phone)
    if not crashed:
        phone.process.terminate()
        try:
            phone.process.wait(timeout)
        except subprocess.TimeoutExpired:
            phone.process.kill()
            phone.process.wait(5)
            return
        crashed = died_of_signal(phone)
    if crashed:
        raise AssertionError(crashed)


@pytest.fixture
def softphone(tmp_path: Path) -> Iterator[Callable[..., RunningPhone]]:
    """A factory of headless phones (separate profiles); all are stopped after the test."""
    started: list[RunningPhone] = []
    home = tmp_path / "softphone-home"

    def factory(profile: str | None = None, *, settings_toml: str | None = None) -> RunningPhone:
        phone = start_phone(
            home, profile or f"phone{len(started) + 1}", settings_toml=settings_toml
        )
        started.append(phone)
        return phone

    try:
        yield factory
    finally:
        crashes = []
        for phone in started:
            try:
                stop_phone(phone)
            except AssertionError as exc:
                crashes.append(str(exc))
        if crashes:
            pytest.fail("\n".join(crashes))
