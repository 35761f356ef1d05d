"""One phone in its own process (pjsua2 allows one Endpoint per process): the pjsua2
engine with our DeviceAudioBridge on given PulseAudio devices, the audio session
activated on connect (as CallKit's did_activate would) and deactivated on end.

``python -m tests.audio.phone_proc MIC SPEAKER``. JSON lines on stdin:
``{"cmd": "call", "uri": ...}``, ``mute``/``unmute`` (bridge), ``hold``/``unhold``
(engine re-INVITE + bridge), ``hangup``, ``quit``. Incoming calls are answered.
Events on stdout: ready(port), connected, ended, error.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from softphone.audio import AudioSystem, DeviceChoice, prefer_audio_threads
from softphone.audio.portaudio import PortAudioBackend
from softphone.sip.config import EngineConfig
from softphone.sip.events import CallConnected, CallEnded, IncomingCallReceived, SipEvent
from softphone.sip.pjsua import create_engine


def emit(**event: Any) -> None:
    sys.stdout.write(json.dumps(event) + "\n")
    sys.stdout.flush()


async def run(mic: str, speaker: str) -> None:
    prefer_audio_threads()  # as the app does at start-up
    audio = AudioSystem(PortAudioBackend(), choice=DeviceChoice(mic, speaker))
    engine = create_engine()
    await engine.start(EngineConfig())
    engine.set_audio_bridge(audio.bridge)
    calls: list[str] = []
    tasks: set[asyncio.Task[None]] = set()
    loop = asyncio.get_running_loop()

    def on_event(event: SipEvent) -> None:
        if isinstance(event, IncomingCallReceived):
            calls.append(event.call_id)
            task = loop.create_task(engine.answer(event.call_id))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        elif isinstance(event, CallConnected):
            status = audio.session.activate()
            emit(ev="connected", call=event.call_id, audio=status.available, why=status.reason)
        elif isinstance(event, CallEnded):
            audio.session.deactivate()
            emit(ev="ended", call=event.call_id)

    engine.subscribe(on_event)
    emit(ev="ready", port=engine.local_address("udp")[1])
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while line := await reader.readline():
        cmd = json.loads(line)
        try:
            if not await handle(cmd, engine, audio, calls):
                break
        except Exception as exc:  # report and keep serving
            emit(ev="error", cmd=cmd, error=repr(exc))
    audio.close()
    await engine.stop()


async def handle(cmd: dict[str, Any], engine: Any, audio: AudioSystem, calls: list[str]) -> bool:
    name = cmd["cmd"]
    if name == "call":
        calls.append(await engine.make_call(cmd["uri"]))
    elif name in ("mute", "unmute"):
        audio.bridge.set_muted(name == "mute")
    elif name == "hold":
        await engine.hold(calls[-1])
        audio.bridge.set_held(True)
    elif name == "unhold":
        await engine.unhold(calls[-1])
        audio.bridge.set_held(False)
    elif name == "hangup":
        await engine.hangup(calls[-1])
    elif name == "stats":
        emit(
            ev="stats",
            counters=audio.bridge.counters().__dict__,
            running=audio.bridge.devices_running,
            held=audio.bridge.held,
            calls=[repr(c) for c in engine.active_calls()],
        )
    elif name == "quit":
        return False
    emit(ev="done", cmd=name)
    return True


if __name__ == "__main__":
    asyncio.run(run(sys.argv[1], sys.argv[2]))
