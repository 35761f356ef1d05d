"""Real-world wake-up path: Kamailio (tsilo + http_client) holds the INVITE and calls the
push gateway, which sends the VoIP push with OUR sender through the APNs emulator over
TLS; the device channel hands it to PKPushRegistry, the app reports the call, the app
state change starts "SIP" (a SIPp UA), which REGISTERs and receives the held INVITE."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from softphone.apns.emulator import DeviceChannelClient
from softphone.apns.sender import ApnsSender
from softphone.lab.push_gateway import ApnsTarget, PushGateway
from softphone.pushkit import (
    AppState,
    AppStateChanged,
    EmulatedDevice,
    LoopClock,
    PKPushPayload,
    PKPushRegistry,
    PKPushType,
    PushKitEvent,
    RuleViolated,
)
from tests.lab.peers import LAB_CFG, SCENARIOS, Kamailio, free_udp_port, sipp

from .conftest import Lab

pytestmark = pytest.mark.integration
LAB_BUNDLE = "com.example.softphone"  # pn-param in tests/lab/scenarios/register_pn.xml


@dataclass
class Phone:
    """The sleeping phone: PushKit registry, device channel, SIP via SIPp when awake."""

    registry: PKPushRegistry
    token: str
    reported: list[str] = field(default_factory=list)
    events: list[PushKitEvent] = field(default_factory=list)
    sip: list[subprocess.Popen[bytes]] = field(default_factory=list)


@pytest.fixture
async def wakeup(lab: Lab, tmp_path: Path) -> AsyncIterator[tuple[Kamailio, PushGateway, Phone]]:
    senders: dict[str, ApnsSender] = {}

    async def send(target: ApnsTarget, payload: dict[str, Any]) -> Any:
        if target.bundle_id not in senders:
            senders[target.bundle_id] = lab.sender(bundle=target.bundle_id, team=target.team_id)
        return await senders[target.bundle_id].send_voip(target.token, payload)

    gateway = PushGateway(send)
    await gateway.start()
    kam = Kamailio(
        LAB_CFG, tmp_path, {"PUSH_GATEWAY": f'"{gateway.url}"', "WAKE_TIMEOUT_MS": "8000"}
    )

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
            phone.reported.append(payload.call.call_id)
            registry.reported_call(payload.call.call_id)
            completion()

    loop = asyncio.get_running_loop()
    device = EmulatedDevice(LoopClock(loop), AppState.suspended)
    registry = PKPushRegistry(delegate=App(), desired_push_types=[PKPushType.voip], device=device)
    token = registry.push_token_for(PKPushType.voip)
    assert token is not None
    phone = Phone(registry, token.hex())
    registry.subscribe(phone.events.append)

    def start_sip(event: PushKitEvent) -> None:
        # the phone layer's job, done here by hand: SIP runs only while the app may run
        if isinstance(event, AppStateChanged) and event.sip_allowed and not phone.sip:
            target = f"127.0.0.1:{kam.port}"
            port = free_udp_port()
            phone.sip.append(sipp("uas", target, tmp_path, port=port))
            phone.sip.append(
                sipp(
                    SCENARIOS / "register_pn.xml",
                    target,
                    tmp_path,
                    variables={"token": phone.token, "contact_port": str(port)},
                )
            )

    registry.subscribe(start_sip)
    channel = DeviceChannelClient(
        lab.info.host,
        lab.info.device_port,
        lambda m: registry.receive_push(
            m["payload"], push_id=m["apns_id"], expiration=m["expiration"], sent_at=m["received_at"]
        ),
        lab.info.device_secret,
    )
    await channel.connect()
    await channel.register(phone.token, LAB_BUNDLE, "sandbox")
    try:
        yield kam, gateway, phone
    finally:
        for p in phone.sip:
            if p.poll() is None:
                p.kill()
            p.wait(5)
        await channel.close()
        kam.stop()
        await gateway.stop()


async def test_invite_for_sleeping_phone_delivered_after_apns_push(
    wakeup: tuple[Kamailio, PushGateway, Phone], lab: Lab, tmp_path: Path
) -> None:
    kam, gateway, phone = wakeup
    target = f"127.0.0.1:{kam.port}"
    # the phone registered with push params, then went to sleep (its SIP port is dead)
    asleep = sipp(
        SCENARIOS / "register_pn.xml",
        target,
        tmp_path,
        variables={"token": phone.token, "contact_port": str(free_udp_port())},
    )
    out, _ = await asyncio.to_thread(asleep.communicate, timeout=20)
    assert asleep.returncode == 0, out.decode(errors="replace")[-2000:]
    assert phone.registry.device.state == AppState.suspended and phone.sip == []

    caller = sipp("uac", target, tmp_path, service="alice", extra=["-d", "200"])
    out, _ = await asyncio.to_thread(caller.communicate, timeout=40)
    assert caller.returncode == 0, out.decode(errors="replace")[-3000:] + kam.log()[-3000:]

    # the push went through the gateway, our sender and the emulator (TLS, HTTP/2)
    assert len(gateway.requests) == 1 and gateway.requests[0]["result"]["status"] == 200
    voip = [r for r in lab.emulator.requests if r.status == 200]
    assert len(voip) == 1 and ("apns-topic", f"{LAB_BUNDLE}.voip") in voip[0].headers
    # the phone woke, reported the call with the SIP Call-ID, and its SIP UA got the INVITE
    call_id = gateway.requests[0]["request"]["call-id"]
    assert phone.reported == [call_id]
    assert any(
        isinstance(e, AppStateChanged) and e.reason == "voip-push-wake" for e in phone.events
    )
    assert not [e for e in phone.events if isinstance(e, RuleViolated)]
    assert len(phone.sip) == 2
    for proc in phone.sip:
        proc_out, _ = await asyncio.to_thread(proc.communicate, timeout=20)
        assert proc.returncode == 0, proc_out.decode(errors="replace")[-2000:]
