"""Child process for bench_audio: our device path as a loop (mic -> bridge -> PJSIP
-style 20 ms clock -> bridge -> speaker), optionally with a busy "GUI" main thread.

``python -m benchmarks._audio_loop SECONDS MIC SPEAKER [--gui-load] [--block=N]
[--mic-target-ms=N] [--speaker-target-ms=N] [--latency=low|high|SECONDS]
[--switch-ms=N]``; prints the bridge counters as JSON at
the end.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from dataclasses import asdict

from softphone.audio import AudioSession, DeviceAudioBridge
from softphone.audio._format import FRAME_BYTES
from softphone.audio.bridge import DEVICE_BLOCK
from softphone.audio.portaudio import PortAudioBackend
from softphone.audio.realtime import prefer_audio_threads


def _clock(bridge: DeviceAudioBridge, stop: threading.Event) -> None:
    """PJSIP's media clock: every 20 ms one mic frame out and one speaker frame in."""
    frame = bytearray(FRAME_BYTES)
    view = memoryview(frame)
    start, ticks = time.monotonic(), 0
    while not stop.is_set():
        bridge.mic_frame(view)
        bridge.speaker_frame(view)
        ticks += 1
        delay = start + ticks * 0.02 - time.monotonic()
        if delay > 0:
            stop.wait(delay)


def _gui_load(until: float) -> int:
    """50 ms of pure-Python work (holding the GIL) in every 100 ms, on the main thread."""
    bursts = 0
    while time.monotonic() < until:
        busy_until = time.monotonic() + 0.05
        x = 0
        while time.monotonic() < busy_until:
            x += 1
        bursts += 1
        time.sleep(0.05)
    return bursts


def main(argv: list[str]) -> int:
    seconds, mic, speaker = float(argv[0]), argv[1], argv[2]
    tuning = dict(arg[2:].split("=") for arg in argv[3:] if "=" in arg)
    # As the app does at start-up (softphone/session.py); --switch-ms=5 = Python's default.
    prefer_audio_threads(float(tuning.get("switch-ms", 1.0)) / 1000)
    names = {"mic-target-ms": "mic_target_ms", "speaker-target-ms": "speaker_target_ms"}
    knobs = {names[k]: int(v) for k, v in tuning.items() if k in names}
    block = int(tuning.get("block", DEVICE_BLOCK))
    latency: float | str = tuning.get("latency", "low")
    if latency not in ("low", "high"):
        latency = float(latency)
    backend = PortAudioBackend(latency=latency)
    bridge = DeviceAudioBridge(backend, device_block=block, **knobs)
    session = AudioSession(bridge, lambda: (mic, speaker))
    status = session.activate()
    if not status.available:
        print(json.dumps({"error": status.reason}))
        return 1
    bridge.media_started()
    stop = threading.Event()
    clock = threading.Thread(target=_clock, args=(bridge, stop), daemon=True)
    clock.start()
    print("ready", flush=True)
    time.sleep(1.0)  # settle, then count only the measured window
    before = bridge.counters()
    until = time.monotonic() + seconds
    bursts = _gui_load(until) if "--gui-load" in argv else 0
    time.sleep(max(0.0, until - time.monotonic()))
    after = bridge.counters()
    stop.set()
    clock.join(timeout=5)
    session.deactivate()
    result = {"before": asdict(before), "after": asdict(after), "gui_bursts": bursts}
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
