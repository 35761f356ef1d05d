"""Network loss mid-call, for real: nftables drops this phone's SIP and RTP packets
(the phone, the test line and Kamailio are real processes on loopback)."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import random
import subprocess
import threading
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from softphone.callkit import CallState, CXCallEndedReason
from softphone.control import ConflictError, ControlClientError
from softphone.phone.network import ELEMENT_TIMEOUT, TABLE_PREFIX, NetworkLoss, NetworkLossError
from softphone.phone.runtime import PhoneRuntime
from softphone.settings import AccountSettings, MemorySecretStore, Settings
from softphone.sip.pjsua import create_engine
from softphone.testing import RunningPhone, start_phone, stop_phone
from tests.sip.kamailio import USERS, AuthKamailio

pytestmark = pytest.mark.integration


def _settings(lost_after: float = 1.0, timeout: float = 0.0, **kw: object) -> Settings:
    base = Settings(**kw)  # type: ignore[arg-type]
    calls = dataclasses.replace(base.calls, media_lost_after=lost_after, media_timeout=timeout)
    return dataclasses.replace(base, calls=calls)


def _tables() -> str:
    return subprocess.run(["nft", "list", "tables"], capture_output=True, text=True).stdout


@pytest.fixture
async def phone() -> AsyncIterator[PhoneRuntime]:
    runtime = PhoneRuntime(create_engine(), _settings())
    runtime.media_watch.interval = 0.25
    await runtime.start()
    try:
        yield runtime
    finally:
        await runtime.stop()
    assert runtime.network.table not in _tables()  # nothing left in the firewall


async def _echo_call(phone: PhoneRuntime) -> None:
    await phone.control.execute("call", {"to": "echo"})
    await phone.control.execute("wait-for", {"event": "call.connected"})


async def test_rtp_stops_on_network_loss_and_comes_back(phone: PhoneRuntime) -> None:
    await _echo_call(phone)
    await asyncio.sleep(1.5)  # media flows: no alarm
    assert not [e for e in phone.app.events if e.name == "call.media-lost"]
    _host, sip_port = phone.engine.local_address("udp")
    cut = await phone.control.execute("inject", {"fault": "network-loss"})
    assert sip_port in cut["ports"]
    assert phone.network.table in _tables()
    lost = await phone.control.execute("wait-for", {"event": "call.media-lost", "timeout": 5})
    assert lost["call"] == str(phone.system.calls[0].uuid)
    assert phone.state()["network"]["cut"] is True
    assert phone.state()["media_lost"] == [lost["call"]]
    restored = await phone.control.execute("inject", {"fault": "network-restore"})
    assert restored["lost_for"] > 0
    await phone.control.execute("wait-for", {"event": "call.media-restored", "timeout": 5})
    assert phone.system.calls[0].state is CallState.ACTIVE  # the call survived
    assert phone.network.table not in _tables()
    assert phone.state()["media_lost"] == []


async def test_a_held_call_without_rtp_is_not_an_alarm(phone: PhoneRuntime) -> None:
    await _echo_call(phone)
    await phone.control.execute("hold", {"on": True})
    await phone.control.execute("wait-for", {"event": "call.held"})
    await asyncio.sleep(2.5)  # the echo line sends nothing back while held
    assert not [e for e in phone.app.events if e.name == "call.media-lost"]


async def test_a_call_without_media_fails_after_the_timeout() -> None:
    runtime = PhoneRuntime(create_engine(), _settings(lost_after=1.0, timeout=2.0))
    runtime.media_watch.interval = 0.25
    await runtime.start()
    try:
        await _echo_call(runtime)
        call_uuid = runtime.system.calls[0].uuid
        await runtime.control.execute(
            "inject", {"fault": "network-loss", "options": {"seconds": 6}}
        )
        await runtime.control.execute("wait-for", {"event": "call.media-lost", "timeout": 5})
        ended = await runtime.control.execute("wait-for", {"event": "call.ended", "timeout": 5})
        assert ended["call"] == str(call_uuid)
        assert ended["data"]["by"] == "app" and "no audio" in ended["data"]["reason"]
        ends = [e for e in runtime.system.events if type(e).__name__ == "CallEnded"]
        assert ends and getattr(ends[-1], "reason", None) is CXCallEndedReason.FAILED
        assert runtime.app.calls.get(call_uuid) is None
        # the timed restore gives the network back by itself
        await runtime.control.execute("wait-for", {"event": "network.restored", "timeout": 8})
        assert runtime.network.table not in _tables()
    finally:
        await runtime.stop()


async def test_registration_fails_while_down_and_recovers(tmp_path: Path) -> None:
    kam = AuthKamailio(tmp_path)
    account = AccountSettings(
        id="main",
        uri=f"sip:alice@127.0.0.1:{kam.port}",
        registrar=kam.uri,
        username="alice",
    )
    secrets = MemorySecretStore()
    secrets.set("sip:main", USERS["alice"])
    runtime = PhoneRuntime(
        create_engine(), _settings(accounts=(account,)), secrets=secrets, with_test_line=False
    )
    await runtime.start()
    try:
        await _wait_registration(runtime, "registered")
        await runtime.control.execute(
            "inject", {"fault": "network-loss", "options": {"mode": "down"}}
        )
        failed = await _wait_registration(runtime, "failed")
        assert failed.code >= 400  # the phone says why (transport error / timeout)
        await runtime.control.execute("inject", {"fault": "network-restore"})
        await _wait_registration(runtime, "registered")
    finally:
        await runtime.stop()
        kam.stop()


async def _wait_registration(runtime: PhoneRuntime, state: str, timeout: float = 10.0):  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        reg = runtime.registrations.get("main")
        if reg is not None and reg.state.value == state:
            return reg
        await asyncio.sleep(0.05)
    raise AssertionError(f"registration never became {state}: {runtime.registrations}")


async def test_without_nftables_the_fault_is_refused_and_the_phone_goes_on(
    phone: PhoneRuntime,
) -> None:
    phone.network = NetworkLoss(phone.network._ports, nft="nft-not-installed")
    with pytest.raises(ConflictError, match="needs nftables"):
        await phone.control.execute("inject", {"fault": "network-loss"})
    with pytest.raises(ConflictError, match="not cut"):
        await phone.control.execute("inject", {"fault": "network-restore"})
    assert phone.state()["network"]["cut"] is False
    await _echo_call(phone)  # still a working phone


async def test_bad_mode_and_double_cut_are_clear_errors() -> None:
    loss = NetworkLoss(lambda: set())
    with pytest.raises(ValueError, match="mode must be"):
        await loss.cut("sideways")
    await loss.cut("silent")
    try:
        with pytest.raises(NetworkLossError, match="already cut"):
            await loss.cut("silent")
    finally:
        await loss.restore()
    assert loss.table not in _tables()


def _set_elements(table: str) -> list[int] | None:
    """The ports still blocked by ``table`` (None when the table is gone)."""
    done = subprocess.run(
        ["nft", "-j", "list", "set", "inet", table, "ports"], capture_output=True, text=True
    )
    if done.returncode != 0:
        return None
    ports: list[int] = []
    for item in json.loads(done.stdout)["nftables"]:
        for elem in item.get("set", {}).get("elem", []):
            ports.append(elem["elem"]["val"] if isinstance(elem, dict) else elem)
    return ports


def _wait_until(check: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return check()


@pytest.mark.covers("readme:fault injection")
def test_kill_9_during_network_loss_leaves_nothing_behind(tmp_path: Path) -> None:
    """A phone killed (-9) at a random point of `inject network-loss`: its cut heals by
    itself (the ports' set elements time out) and the next phone to start removes its
    table; the phone killed after the cut proves the table was there."""
    home = tmp_path / "home"
    rng = random.Random()
    tables = []
    for round_ in range(3):
        phone = start_phone(home, f"victim{round_}")
        table = f"{TABLE_PREFIX}{phone.process.pid}"
        tables.append(table)
        if round_ == 0:  # after the cut: the table is there when the phone dies
            phone.inject("network-loss", mode="silent")
            assert table in _tables()
        else:  # anywhere during the injection
            worker = threading.Thread(target=_quiet_inject, args=(phone,), daemon=True)
            worker.start()
            time.sleep(rng.uniform(0.0, 0.3))
        phone.process.kill()
        phone.process.wait(10)
        if round_ == 0:
            assert table in _tables()  # a dead phone's table...
            # ...stops dropping by itself once its ports' elements time out
            assert _wait_until(lambda t=table: not _set_elements(t), ELEMENT_TIMEOUT + 5)
    survivor = start_phone(home, "survivor")
    try:
        assert _wait_until(lambda: not any(t in _tables() for t in tables), 15), _tables()
    finally:
        stop_phone(survivor)


def _quiet_inject(phone: RunningPhone) -> None:
    with contextlib.suppress(ControlClientError):
        phone.inject("network-loss", mode="silent")
