"""Child process for bench_audio: our device path as a loop (mic -> the duplex device
callback -> a loopback stand-in for PJSIP's conference -> speaker, as in the app where
the callback runs PJSIP's conference), optionally with a busy "GUI" main thread.

``python -m benchmarks._audio_loop SECONDS MIC SPEAKER [--gui-load] [--block=N]
[--mic-target-ms=N] [--speaker-target-ms=N] [--latency=low|high|SECONDS]
[--switch-ms=N] [--frame-ms=N]``; prints the bridge counters as JSON at
the end.
"""

from __future__ import annotations

import ctypes
import json
import sys
import time
from dataclasses import asdict

from softphone.audio import AudioSession, DeviceAudioBridge
from softphone.audio._format import SAMPLE_RATE
from softphone.audio.bridge import DEVICE_BLOCK
from softphone.audio.portaudio import PortAudioBackend
from softphone.audio.realtime import prefer_audio_threads


class LoopbackClock:
    """A ``MediaClock`` whose conference plays the microphone back one frame later
    (PJSIP's conference does the same work in C: one frame in, one frame out)."""

    def __init__(self, frame_samples: int) -> None:
        self.frame_samples = frame_samples
        self._nbytes = frame_samples * 2
        self._frame = ctypes.create_string_buffer(self._nbytes)
        self._addr = ctypes.addressof(self._frame)
        self._attached = False

    def attach(self) -> None:
        self._attached = True

    def detach(self) -> None:
        self._attached = False

    def exchange(self, mic: int, speaker: int) -> bool:
        if not self._attached:
            return False
        ctypes.memmove(speaker, self._addr, self._nbytes)
        ctypes.memmove(self._addr, mic, self._nbytes)
        return True


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
    bridge.use_clock(LoopbackClock(SAMPLE_RATE * int(tuning.get("frame-ms", 20)) // 1000))
    session = AudioSession(bridge, lambda: (mic, speaker))
    status = session.activate()
    if not status.available:
        print(json.dumps({"error": status.reason}))
        return 1
    bridge.media_started()
    print("ready", flush=True)
    time.sleep(1.0)  # settle, then count only the measured window
    before = bridge.counters()
    until = time.monotonic() + seconds
    bursts = _gui_load(until) if "--gui-load" in argv else 0
    time.sleep(max(0.0, until - time.monotonic()))
    after = bridge.counters()
    session.deactivate()
    result = {"before": asdict(before), "after": asdict(after), "gui_bursts": bursts}
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
