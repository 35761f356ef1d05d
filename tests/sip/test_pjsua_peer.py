"""Calls between the engine and a second pjsua2 process: RFC 4733 DTMF, SRTP, TLS,
conference, mute, call waiting."""

from __future__ import annotations

import asyncio
import ctypes
import math
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from softphone.sip import (
    CallConnected,
    CallEndCause,
    CallEnded,
    CallMediaStateChanged,
    CallMuteChanged,
    DtmfReceived,
    EngineConfig,
    IncomingCallReceived,
    MediaState,
    SrtpMode,
    TlsConfig,
    TransportConfig,
    media,
)
from softphone.sip.media import FRAME_SAMPLES
from tests.sip.conftest import StartEngine
from tests.sip.helpers import PeerProcess
from tests.sip.tls_certs import make_ca_and_server

pytestmark = pytest.mark.integration
StartPeer = Callable[..., Awaitable[PeerProcess]]


@pytest.fixture
async def start_peer() -> AsyncIterator[StartPeer]:
    peers: list[PeerProcess] = []

    async def start(*args: str) -> PeerProcess:
        p = await PeerProcess.start(*args)
        peers.append(p)
        return p

    yield start
    for p in peers:
        await p.close()


async def connected_call(eng, rec, peer: PeerProcess, uri: str | None = None) -> str:  # type: ignore[no-untyped-def]
    cid: str = await eng.make_call(uri or f"sip:peer@127.0.0.1:{peer.port}")
    await peer.wait_for("incoming")
    peer.send("answer")
    await rec.wait_for(CallConnected, lambda e: e.call_id == cid)
    return cid


async def test_rfc4733_dtmf_sent_verified_by_peer(
    start_engine: StartEngine, start_peer: StartPeer
) -> None:
    eng, rec = await start_engine()
    peer = await start_peer()
    cid = await connected_call(eng, rec, peer)
    await rec.wait_for(CallMediaStateChanged, lambda e: e.state == MediaState.ACTIVE)
    await eng.send_dtmf(cid, "19#", method="rfc4733")
    got = [await peer.wait_for("dtmf", lambda e, d=d: e["digit"] == d) for d in "19#"]
    assert {g["method"] for g in got} == {"rfc4733"}
    await eng.hangup(cid)
    await peer.wait_for("state", lambda e: e["state"] == "DISCONNECTED")


async def test_dtmf_received_rfc4733_and_info(
    start_engine: StartEngine, start_peer: StartPeer
) -> None:
    eng, rec = await start_engine()
    peer = await start_peer()
    cid = await connected_call(eng, rec, peer)
    await rec.wait_for(CallMediaStateChanged, lambda e: e.state == MediaState.ACTIVE)
    await asyncio.sleep(0.2)
    peer.send("dtmf", digits="4", method="rfc4733")
    d1 = await rec.wait_for(DtmfReceived)
    assert (d1.call_id, d1.digit, d1.method) == (cid, "4", "rfc4733")
    peer.send("dtmf", digits="8", method="info")
    d2 = await rec.wait_for(DtmfReceived, lambda e: e.digit == "8")
    assert d2.method == "info"


async def test_srtp_mandatory_between_two_pjsua2(
    start_engine: StartEngine, start_peer: StartPeer
) -> None:
    eng, rec = await start_engine(EngineConfig(srtp=SrtpMode.MANDATORY))
    peer = await start_peer("--srtp", "mandatory")
    await connected_call(eng, rec, peer)
    media = await rec.wait_for(CallMediaStateChanged, lambda e: e.state == MediaState.ACTIVE)
    assert media.srtp is True
    assert (await peer.wait_for("media"))["srtp"] is True


async def test_srtp_mandatory_refused_by_plain_rtp_peer(
    start_engine: StartEngine, start_peer: StartPeer
) -> None:
    eng, rec = await start_engine(EngineConfig(srtp=SrtpMode.MANDATORY))
    peer = await start_peer("--srtp", "off", "--auto-answer")
    cid = await eng.make_call(f"sip:peer@127.0.0.1:{peer.port}")
    ended = await rec.wait_for(CallEnded, lambda e: e.call_id == cid)
    assert ended.cause == CallEndCause.FAILED
    assert ended.code == 488
    assert "does not support encrypted media" in ended.reason and "488" in ended.reason


def _tls_config(ca: Path, verify: bool = True) -> EngineConfig:
    return EngineConfig(
        transports=(TransportConfig("udp"), TransportConfig("tls")),
        tls=TlsConfig(ca_file=str(ca), verify_server=verify),
    )


async def test_tls_call_with_verified_certificate(
    start_engine: StartEngine, start_peer: StartPeer, tmp_path: Path
) -> None:
    files = make_ca_and_server(tmp_path / "good")
    eng, rec = await start_engine(_tls_config(files.ca))
    peer = await start_peer("--tls-cert", str(files.cert), "--tls-key", str(files.key))
    cid = await connected_call(eng, rec, peer, f"sip:peer@127.0.0.1:{peer.port};transport=tls")
    assert eng.local_address("tls")[1] > 0
    await eng.hangup(cid)


async def test_tls_verification_failure_is_a_clear_error(
    start_engine: StartEngine, start_peer: StartPeer, tmp_path: Path
) -> None:
    server = make_ca_and_server(tmp_path / "server", "server")
    other = make_ca_and_server(tmp_path / "other", "other")
    eng, rec = await start_engine(_tls_config(other.ca))
    peer = await start_peer("--tls-cert", str(server.cert), "--tls-key", str(server.key))
    cid = await eng.make_call(f"sip:peer@127.0.0.1:{peer.port};transport=tls")
    ended = await rec.wait_for(CallEnded, lambda e: e.call_id == cid)
    assert ended.cause == CallEndCause.FAILED
    assert "TLS certificate verification failed" in ended.reason
    assert not [e for e in peer.events if e.get("ev") == "incoming"]


class ToneBridge:
    """An AudioBridge whose microphone plays 1 kHz and which measures what it hears."""

    def __init__(self) -> None:
        self.phase = 0
        self.heard_peak = 0
        self.started = 0
        self.stopped = 0
        self.frames_out = 0
        tone = [int(8000 * math.sin(2 * math.pi * 1000 * n / 16000)) for n in range(16)]
        self.frame = b"".join(s.to_bytes(2, "little", signed=True) for s in tone) * (
            FRAME_SAMPLES // 16
        )

    def mic_frame(self, out: memoryview) -> None:
        out[:] = self.frame
        self.frames_out += 1

    def speaker_frame(self, data: memoryview) -> None:
        peak = max(abs(v) for v in data.cast("h")) if len(data) >= 2 else 0
        self.heard_peak = max(self.heard_peak, peak)

    def media_started(self) -> None:
        self.started += 1

    def media_stopped(self) -> None:
        self.stopped += 1


async def level_after(peer: PeerProcess, delay: float = 0.4) -> int:
    await asyncio.sleep(delay)
    return await peer.level()


async def test_bridge_audio_and_mute_stops_transmit(
    start_engine: StartEngine, start_peer: StartPeer
) -> None:
    eng, rec = await start_engine()
    bridge = ToneBridge()
    eng.set_audio_bridge(bridge)
    peer = await start_peer()
    cid = await connected_call(eng, rec, peer)
    peer.send("tone")
    await rec.wait_for(CallMediaStateChanged, lambda e: e.state == MediaState.ACTIVE)
    assert await level_after(peer) > 5  # our microphone tone reaches the peer
    assert bridge.started == 1 and bridge.frames_out > 0
    eng.set_mute(cid, True)
    assert (await rec.wait_for(CallMuteChanged)).muted is True
    assert await level_after(peer) <= 1
    eng.set_mute(cid, False)
    assert await level_after(peer) > 5
    assert bridge.heard_peak > 1000  # the peer's tone reached our speaker
    stats = eng.call_stats(cid)
    assert stats.codec == "PCMU/8000"
    assert stats.packets_received > 20 and stats.packets_sent > 20
    assert 1.0 <= stats.mos <= 4.5 and stats.loss_pct == 0.0
    await eng.hangup(cid)
    await rec.wait_for(CallEnded)
    await asyncio.sleep(0.05)
    assert bridge.stopped == 1


class ClockedToneBridge(ToneBridge):
    """A clocked bridge: a Python thread plays the sound card, running the engine's
    conference through the MediaClock every 20 ms (PortAudio's thread in the app)."""

    def __init__(self) -> None:
        super().__init__()
        self.clock: media.MediaClock | None = None
        self.clocks: list[media.MediaClock | None] = []
        self.results: list[bool] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def use_clock(self, clock: media.MediaClock | None) -> None:
        self.clock = clock
        self.clocks.append(clock)

    def start_device(self) -> None:
        clock = self.clock
        assert clock is not None
        clock.attach()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, args=(clock,), daemon=True)
        self._thread.start()

    def stop_device(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        assert self.clock is not None
        self.clock.detach()

    def _run(self, clock: media.MediaClock) -> None:
        n = clock.frame_samples
        mic = ctypes.create_string_buffer(self.frame[: n * 2], n * 2)
        spk = (ctypes.c_int16 * n)()
        while not self._stop.wait(0.02):
            played = clock.exchange(ctypes.addressof(mic), ctypes.addressof(spk))
            self.results.append(played)
            if played:
                self.heard_peak = max(self.heard_peak, max(abs(v) for v in spk))


async def test_a_device_thread_clocks_the_conference_and_the_null_clock_takes_over(
    start_engine: StartEngine, start_peer: StartPeer
) -> None:
    eng, rec = await start_engine()
    bridge = ClockedToneBridge()
    eng.set_audio_bridge(bridge)
    assert isinstance(bridge.clock, media.MediaClock)
    assert bridge.clock.frame_samples == 320
    peer = await start_peer()
    cid = await connected_call(eng, rec, peer)
    peer.send("tone")
    await rec.wait_for(CallMediaStateChanged, lambda e: e.state == MediaState.ACTIVE)
    assert await level_after(peer) <= 1  # PJSIP's null device: silence, no Python
    bridge.start_device()
    try:
        assert await level_after(peer, 0.6) > 5  # the device thread's microphone tone
        assert bridge.heard_peak > 1000  # and the peer's tone reached its speaker
        assert bridge.frames_out == 0  # never asked through mic_frame
    finally:
        bridge.stop_device()
    assert bridge.clock.exchange(0, 0) is False  # detached: nothing touched
    sent = eng.call_stats(cid).packets_sent
    await asyncio.sleep(0.5)
    assert eng.call_stats(cid).packets_sent >= sent + 15  # the null clock sends on
    assert await level_after(peer) <= 1
    await eng.stop()
    assert bridge.clocks[-1] is None  # the engine took its clock back


async def test_three_way_conference(start_engine: StartEngine, start_peer: StartPeer) -> None:
    eng, rec = await start_engine()
    talker = await start_peer()
    listener = await start_peer()
    a = await connected_call(eng, rec, talker)
    b = await connected_call(eng, rec, listener)
    talker.send("tone")
    assert await level_after(listener) <= 1  # not mixed yet: only our (silent) mic
    await eng.conference([a, b])
    assert await level_after(listener) > 5  # the talker's tone now reaches the listener


async def test_call_waiting_hold_and_accept(
    start_engine: StartEngine, start_peer: StartPeer
) -> None:
    eng, rec = await start_engine()
    first = await start_peer()
    second = await start_peer()
    a = await connected_call(eng, rec, first)
    host, port = eng.local_address()
    second.send("call", uri=f"sip:me@{host}:{port}")
    inc = await rec.wait_for(IncomingCallReceived)
    await eng.hold(a)
    assert await first.wait_for("media", lambda e: e["status"] == 3)  # remote hold seen
    await eng.answer(inc.call_id)
    await rec.wait_for(CallConnected, lambda e: e.call_id == inc.call_id)
    calls = {c.call_id: c for c in eng.active_calls()}
    assert calls[a].local_hold and not calls[inc.call_id].local_hold
    await eng.hangup(inc.call_id)
    await rec.wait_for(CallEnded, lambda e: e.call_id == inc.call_id)
    await eng.unhold(a)
    assert not eng.active_calls()[0].local_hold


async def test_dtmf_right_after_answering_waits_for_the_ack(
    start_engine: StartEngine, start_peer: StartPeer
) -> None:
    """DTMF (or hold) sent in the same breath as the 200 OK does not fail because the
    ACK has not arrived yet: the engine waits for the call to be confirmed."""
    eng, rec = await start_engine()
    peer = await start_peer()
    host, port = eng.local_address()
    peer.send("call", uri=f"sip:engine@{host}:{port}")
    inc = await rec.wait_for(IncomingCallReceived)
    await eng.answer(inc.call_id)
    assert not [c for c in eng.active_calls() if c.connected]  # no ACK yet
    await eng.send_dtmf(inc.call_id, "7", method="info")
    got = await peer.wait_for("dtmf", lambda e: e["digit"] == "7")
    assert got["method"] == "info"
