"""The device channel: registration, store-and-forward, expiry, and the PushKit hand-off."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest

from softphone.apns.emulator import DeviceChannelClient, DeviceChannelError
from softphone.apns.payloads import compose
from softphone.pushkit import (
    AppState,
    EmulatedDevice,
    LoopClock,
    PKPushPayload,
    PKPushRegistry,
    PKPushType,
    PushKitEvent,
    Rule,
    RuleViolated,
)

from .conftest import BUNDLE, TOKEN, Lab

pytestmark = pytest.mark.integration
OFFLINE = "0f" * 32


async def connect(lab: Lab, sink: list[dict[str, Any]]) -> DeviceChannelClient:
    client = DeviceChannelClient(
        lab.info.host, lab.info.device_port, sink.append, lab.info.device_secret
    )
    await client.connect()
    return client


async def test_stored_while_offline_then_delivered_on_register(lab: Lab) -> None:
    lab.emulator.register_device(OFFLINE, BUNDLE, "sandbox")
    s = lab.sender()
    assert (await s.send_voip(OFFLINE, compose("sinch", "Ann", "c1"), ttl=60)).ok
    assert (await s.send_voip(OFFLINE, compose("sinch", "Ann", "c2"), ttl=0)).ok  # expires now
    got: list[dict[str, Any]] = []
    client = await connect(lab, got)
    try:
        lab.clock.offset = 5
        await client.register(OFFLINE, BUNDLE, "sandbox")
        await asyncio.sleep(0.05)
        assert [m["payload"]["sin"] for m in got] == ["c1"]
    finally:
        await client.close()


async def test_collapse_id_keeps_latest_stored_push(lab: Lab) -> None:
    lab.emulator.register_device(OFFLINE, BUNDLE, "sandbox")
    s = lab.sender()
    for n in range(3):
        await s.send_voip(OFFLINE, {"n": n}, collapse_id="same", ttl=60)
    got: list[dict[str, Any]] = []
    client = await connect(lab, got)
    try:
        await client.register(OFFLINE, BUNDLE, "sandbox")
        await asyncio.sleep(0.05)
        assert [m["payload"]["n"] for m in got] == [2]
    finally:
        await client.close()


async def test_bad_commands_get_errors_not_crashes(lab: Lab) -> None:
    client = await connect(lab, [])
    try:
        with pytest.raises(DeviceChannelError, match="64 hex"):
            await client.register("xyz", BUNDLE)
        with pytest.raises(DeviceChannelError, match="environment"):
            await client.register(OFFLINE, BUNDLE, "staging")
    finally:
        await client.close()
    reader, writer = await asyncio.open_connection(lab.info.host, lab.info.device_port)
    for line in (b"garbage\n", b"[1]\n", b'{"op": "fly"}\n'):
        writer.write(line)
        answer = json.loads(await asyncio.wait_for(reader.readline(), 5))
        assert answer["op"] == "error"
    writer.close()
    # the channel still serves the registered device
    assert (await lab.sender().send_voip(TOKEN, {"aps": {}})).ok
    assert len(await lab.wait_pushes(1)) == 1


async def test_push_wakes_pushkit_registry_end_to_end(lab: Lab) -> None:
    """Sender -> emulator -> device channel -> PKPushRegistry -> delegate reports the call."""
    loop = asyncio.get_running_loop()
    device = EmulatedDevice(LoopClock(loop), AppState.suspended)
    reported: list[str] = []

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
            assert payload.call is not None
            reported.append(payload.call.caller_name)
            registry.reported_call(payload.call.call_id)
            completion()

    registry = PKPushRegistry(delegate=App(), desired_push_types=[PKPushType.voip], device=device)
    events: list[PushKitEvent] = []
    registry.subscribe(events.append)
    token = registry.push_token_for(PKPushType.voip)
    assert token is not None

    def on_push(msg: dict[str, Any]) -> None:
        registry.receive_push(
            msg["payload"],
            push_id=msg["apns_id"],
            expiration=msg["expiration"],
            sent_at=msg["received_at"],
        )

    client = DeviceChannelClient(
        lab.info.host, lab.info.device_port, on_push, lab.info.device_secret
    )
    await client.connect()
    try:
        await client.register(token.hex(), BUNDLE, "sandbox")
        result = await lab.sender().send_voip(token.hex(), compose("stream", "Carol", "default:9"))
        assert result.ok
        for _ in range(200):
            if reported:
                break
            await asyncio.sleep(0.005)
        assert reported == ["Carol"]
        assert device.state == AppState.background
        assert registry.active_calls == {"default:9"}
        assert not [e for e in events if isinstance(e, RuleViolated)]
        assert Rule.report_within_7s  # the late check is scheduled and cancelled on report
    finally:
        await client.close()


class TestChannelAuthentication:
    """Only a device holding the emulator's secret may register or unregister a token,
    and a token stays with the connection that registered it."""

    async def test_a_stranger_cannot_take_or_unregister_the_phones_token(self, lab: Lab) -> None:
        """Without the secret: refused, connection closed; the phone keeps its pushes."""
        stolen: list[dict[str, Any]] = []
        for secret in ("", "not-the-secret"):
            thief = DeviceChannelClient(lab.info.host, lab.info.device_port, stolen.append, secret)
            await thief.connect()
            try:
                with pytest.raises(DeviceChannelError, match="not authorized"):
                    await thief.register(TOKEN, BUNDLE)
                with pytest.raises(DeviceChannelError, match=r"not authorized|closed"):
                    await thief.unregister(TOKEN)
            finally:
                await thief.close()
        reader, writer = await asyncio.open_connection(lab.info.host, lab.info.device_port)
        writer.write(json.dumps({"op": "unregister", "token": TOKEN}).encode() + b"\n")
        assert (
            "not authorized" in json.loads(await asyncio.wait_for(reader.readline(), 5))["reason"]
        )
        assert await asyncio.wait_for(reader.readline(), 5) == b""  # closed by the emulator
        writer.close()
        assert (await lab.sender().send_voip(TOKEN, {"n": 1})).ok
        assert len(await lab.wait_pushes(1)) == 1 and not stolen

    async def test_another_device_cannot_take_over_a_connected_token(self, lab: Lab) -> None:
        """Even with the secret, a token registered by a live connection stays its own."""
        other: list[dict[str, Any]] = []
        client = await connect(lab, other)
        try:
            with pytest.raises(DeviceChannelError, match="another device"):
                await client.register(TOKEN, BUNDLE)
            with pytest.raises(DeviceChannelError, match="another device"):
                await client.unregister(TOKEN)
            assert (await lab.sender().send_voip(TOKEN, {"n": 1})).ok
            assert len(await lab.wait_pushes(1)) == 1 and not other
            await lab.device.close()  # the phone goes away: its token may be registered anew
            await client.register(TOKEN, BUNDLE)
            assert (await lab.sender().send_voip(TOKEN, {"n": 2})).ok
            for _ in range(200):
                if other:
                    break
                await asyncio.sleep(0.005)
            assert [m["payload"]["n"] for m in other] == [2]
        finally:
            await client.close()

    def test_secret_file_is_private(self, lab: Lab) -> None:
        """The secret sits in the state dir readable by its owner only."""
        path = lab.info.device_secret_file
        assert path is not None and path.read_text().strip() == lab.info.device_secret
        assert path.stat().st_mode & 0o777 == 0o600
        assert lab.emulator.state_dir.stat().st_mode & 0o777 == 0o700
