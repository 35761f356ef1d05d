"""The bridge, tones and device handling against a real (private) PulseAudio with
virtual devices: signals go through PortAudio, ALSA's pulse plugin and PulseAudio."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import numpy as np
import pytest

from softphone.audio import (
    AudioSession,
    AudioSystem,
    DeviceAudioBridge,
    DeviceChoice,
    DeviceEventKind,
    DeviceKind,
    DeviceRole,
    Ringer,
)
from softphone.audio._format import FRAME_BYTES, FRAME_SAMPLES, SAMPLE_RATE
from softphone.audio.portaudio import PortAudioBackend

from .clock import FrameClock
from .pulse_server import PulseServer, analyse, tone

pytestmark = pytest.mark.slow


def _pcm_frames(freq: float, amplitude: float, seconds: float) -> list[bytes]:
    pcm = (tone(freq, seconds, amplitude) * 32767).astype("<i2")
    return [pcm[i : i + FRAME_SAMPLES].tobytes() for i in range(0, len(pcm), FRAME_SAMPLES)]


def _engine_capture(bridge: DeviceAudioBridge, seconds: float) -> np.ndarray:
    """Pull mic frames like PJSIP for ``seconds``; returns them as floats."""
    frames: list[np.ndarray] = []
    buf = bytearray(FRAME_BYTES)

    def tick(_i: int) -> None:
        bridge.mic_frame(memoryview(buf))
        frames.append(np.frombuffer(bytes(buf), dtype="<i2") / 32768)

    with FrameClock(tick):
        time.sleep(seconds)
    return np.concatenate(frames)


def _engine_playback(bridge: DeviceAudioBridge, frames: list[bytes]) -> FrameClock:
    return FrameClock(lambda i: bridge.speaker_frame(memoryview(frames[i % len(frames)])))


@pytest.fixture
def backend(pulse: PulseServer) -> PortAudioBackend:
    return PortAudioBackend()


@pytest.fixture
def bridge(backend: PortAudioBackend) -> DeviceAudioBridge:
    bridge = DeviceAudioBridge(backend)
    session = AudioSession(bridge, lambda: ("mic", "spk"))
    assert session.activate().available, bridge.status()
    bridge.media_started()
    yield bridge
    session.deactivate()


class TestDevices:
    def test_lists_pulseaudio_devices_without_monitors(self, backend: PortAudioBackend) -> None:
        """PulseAudio's sinks and (non-monitor) sources are listed with stable names,
        descriptions and the server's defaults."""
        devices = {(d.id, d.name, d.kind, d.is_default) for d in backend.list_devices()}
        assert devices == {
            ("mic", "Microphone", DeviceKind.INPUT, True),
            ("spk", "Speaker", DeviceKind.OUTPUT, True),
            ("micfeed", "MicFeed", DeviceKind.OUTPUT, False),
            ("ringer", "Ringer", DeviceKind.OUTPUT, False),
        }


def _our_streams(pulse: PulseServer) -> tuple[int, int]:
    """(playback, capture) streams this process has open on the server."""
    counts = []
    for kind in ("sink-inputs", "source-outputs"):
        entries = json.loads(pulse.pactl("-f", "json", "list", kind).stdout)
        pids = [e["properties"].get("application.process.id") for e in entries]
        counts.append(pids.count(str(os.getpid())))
    return counts[0], counts[1]


class TestSessionGating:
    def test_no_device_is_opened_before_activation(
        self, pulse: PulseServer, backend: PortAudioBackend
    ) -> None:
        """Constructing everything opens nothing on the server; activate() opens one
        capture and one playback stream; deactivate() closes them."""
        system = AudioSystem(backend, choice=DeviceChoice("mic", "spk"))
        system.bridge.media_started()
        buf = bytearray(b"x" * FRAME_BYTES)
        system.bridge.mic_frame(memoryview(buf))
        assert not any(buf)
        assert _our_streams(pulse) == (0, 0)
        system.session.activate()
        try:
            assert _our_streams(pulse) == (1, 1)
        finally:
            system.session.deactivate()
        assert _our_streams(pulse) == (0, 0)


class TestCallAudio:
    def test_microphone_tone_reaches_the_engine(
        self, pulse: PulseServer, bridge: DeviceAudioBridge
    ) -> None:
        """A 1 kHz tone at -10 dBFS played into the virtual mic comes out of
        mic_frame at 1 kHz and -10 dBFS; the meter shows it; mute silences it."""
        player = pulse.play("micfeed", tone(1000, 6, 10 ** (-10 / 20)))
        try:
            captured = _engine_capture(bridge, 2.0)
            freq, level = analyse(captured[-SAMPLE_RATE:])
            assert freq == pytest.approx(1000, abs=5)
            assert level == pytest.approx(-10, abs=1.5)
            assert bridge.input_level_dbfs() == pytest.approx(-10, abs=1.5)
            bridge.set_muted(True)
            assert not _engine_capture(bridge, 0.3).any()
        finally:
            player.kill()
            player.wait(timeout=5)

    def test_received_tone_reaches_the_speaker(
        self, pulse: PulseServer, bridge: DeviceAudioBridge
    ) -> None:
        """speaker_frame fed with 700 Hz at -6 dBFS plays on the virtual speaker at
        700 Hz and -6 dBFS; speaker volume 0.5 lowers it by 6 dB."""
        with _engine_playback(bridge, _pcm_frames(700, 0.5, 1.0)):
            time.sleep(0.3)
            freq, level = analyse(pulse.record("spk.monitor", 1.0))
            bridge.set_speaker_volume(0.5)
            time.sleep(0.3)
            _, quieter = analyse(pulse.record("spk.monitor", 1.0))
        assert freq == pytest.approx(700, abs=5)
        assert level == pytest.approx(-6, abs=1.5)
        assert quieter == pytest.approx(-12, abs=1.5)
        counters = bridge.counters()
        assert counters.speaker_overruns == 0 and counters.speaker_resyncs == 0

    def test_hold_is_silent_both_ways(self, pulse: PulseServer, bridge: DeviceAudioBridge) -> None:
        """Held: the speaker plays nothing and the engine gets no mic audio."""
        bridge.set_held(True)
        player = pulse.play("micfeed", tone(1000, 3, 0.5))
        try:
            with _engine_playback(bridge, _pcm_frames(700, 0.5, 1.0)):
                time.sleep(0.3)
                _, level = analyse(pulse.record("spk.monitor", 0.8))
            assert level < -90
            assert not _engine_capture(bridge, 0.5).any()
        finally:
            player.kill()
            player.wait(timeout=5)


class TestRingerAndTones:
    def test_ringtone_plays_on_ringer_device_until_stopped(
        self, pulse: PulseServer, backend: PortAudioBackend
    ) -> None:
        """The ringtone sounds on the ringer sink (not the speaker) and stops on stop()."""
        ringer = Ringer(backend, "ringer")
        assert ringer.start(), ringer.last_error
        try:
            time.sleep(0.2)
            _, ringing = analyse(pulse.record("ringer.monitor", 1.0))
            _, speaker = analyse(pulse.record("spk.monitor", 0.3))
        finally:
            ringer.stop()
        time.sleep(0.2)
        _, after = analyse(pulse.record("ringer.monitor", 0.5))
        assert ringing > -30
        assert speaker < -90 and after < -90

    def test_dtmf_key_tone_on_speaker(self, pulse: PulseServer, backend: PortAudioBackend) -> None:
        """Pressing '5' plays 770 + 1336 Hz on the speaker device."""
        system = AudioSystem(backend, choice=DeviceChoice(speaker="spk"))
        recorder = subprocess.Popen(
            ["parec", "--device=spk.monitor", "--rate=16000", "--channels=1",
             "--format=s16le", "--raw", "--latency-msec=10"],
            env=pulse.env, stdout=subprocess.PIPE,
        )  # fmt: skip
        try:
            time.sleep(0.3)
            for _ in range(4):
                assert system.tones.key("5")
                time.sleep(0.15)
            time.sleep(0.2)
        finally:
            recorder.terminate()
            data, _ = recorder.communicate(timeout=5)
            system.close()
        samples = np.frombuffer(data, dtype="<i2") / 32768
        spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
        freqs = np.fft.rfftfreq(len(samples), 1 / SAMPLE_RATE)
        top = sorted(freqs[np.argsort(spectrum)[-40:]])
        assert any(abs(f - 770) < 15 for f in top) and any(abs(f - 1336) < 15 for f in top)


class TestHotPlug:
    def test_speaker_vanishing_mid_call_falls_back_and_keeps_audio(
        self, pulse: PulseServer, backend: PortAudioBackend
    ) -> None:
        """Unloading the chosen (USB-like) sink mid-call yields a FELL_BACK event and
        call audio continues on the default speaker; the session stays active."""
        module = pulse.pactl(
            "load-module", "module-null-sink", "sink_name=usbspk", "rate=16000", "channels=1"
        ).stdout.strip()
        system = AudioSystem(backend)
        system.choose(DeviceRole.SPEAKER, "usbspk")
        system.session.activate()
        bridge = system.bridge
        bridge.media_started()
        try:
            with _engine_playback(bridge, _pcm_frames(700, 0.5, 1.0)):
                time.sleep(0.3)
                assert analyse(pulse.record("usbspk.monitor", 0.5))[1] > -10
                pulse.pactl("unload-module", module)
                events = system.poll()
                time.sleep(0.3)
                freq, level = analyse(pulse.record("spk.monitor", 1.0))
        finally:
            system.close()
        assert DeviceEventKind.FELL_BACK in [e.kind for e in events]
        assert (freq, round(level)) == (pytest.approx(700, abs=5), pytest.approx(-6, abs=2))


class TestNoPulseAudio:
    def test_dead_server_still_constructs_and_explains(self, tmp_path: object) -> None:
        """With PULSE_SERVER pointing at a dead socket (fresh process, as at app
        start): everything constructs, the bridge is silent and status() says why."""
        code = (
            "from softphone.audio import AudioSystem\n"
            "s = AudioSystem.default()\n"
            "print(s.status().reason)\n"
            "print(s.session.activate().available, s.ringer.start())\n"
            "buf = bytearray(b'x' * 640); s.bridge.mic_frame(memoryview(buf))\n"
            "print(any(buf))\n"
        )
        env = {"PULSE_SERVER": f"unix:{tmp_path}/dead.sock", "PATH": "/usr/bin:/bin"}
        done = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        lines = done.stdout.splitlines()
        assert (
            lines[0] == "PortAudio: no PulseAudio server (Connection failure: Connection refused)"
        )
        assert lines[1:] == ["False False", "False"]
