"""DeviceAudioBridge and AudioSession over a recording backend (real-device tests
are in test_pulse_bridge.py)."""

from __future__ import annotations

import numpy as np
import pytest

from softphone.audio import AudioSession, DeviceAudioBridge, DeviceKind
from softphone.audio._format import FRAME_BYTES, FRAME_SAMPLES, SAMPLE_RATE
from softphone.sip import media

from .fakes import FakeBackend


def _sine(n: int, amplitude: float = 0.5, freq: float = 1000.0, start: int = 0) -> np.ndarray:
    t = (start + np.arange(n)) / SAMPLE_RATE
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def _mic(bridge: DeviceAudioBridge) -> np.ndarray:
    out = bytearray(b"\x55" * FRAME_BYTES)
    bridge.mic_frame(memoryview(out))
    return np.frombuffer(bytes(out), dtype="<i2").astype(np.float64) / 32768


def _feed_mic(backend: FakeBackend, frames: int, amplitude: float = 0.5) -> None:
    stream = backend.live(DeviceKind.INPUT)
    for i in range(frames):
        stream.push(_sine(FRAME_SAMPLES, amplitude, start=i * FRAME_SAMPLES))


def _talk(
    bridge: DeviceAudioBridge, backend: FakeBackend, frames: int, amplitude: float = 0.5
) -> np.ndarray:
    """The device delivers 20 ms blocks while the engine pulls 20 ms frames."""
    stream = backend.live(DeviceKind.INPUT)
    out = []
    for i in range(frames):
        stream.push(_sine(FRAME_SAMPLES, amplitude, start=i * FRAME_SAMPLES))
        out.append(_mic(bridge))
    return np.concatenate(out)


def _speaker(bridge: DeviceAudioBridge, backend: FakeBackend, frames: int) -> np.ndarray:
    stream = backend.live(DeviceKind.OUTPUT)
    out = []
    for i in range(frames):
        pcm = (_sine(FRAME_SAMPLES, 0.5, start=i * FRAME_SAMPLES) * 32767).astype("<i2")
        bridge.speaker_frame(memoryview(pcm.tobytes()))
        out.append(stream.pull(FRAME_SAMPLES))
    return np.concatenate(out)


@pytest.fixture
def backend() -> FakeBackend:
    return FakeBackend()


@pytest.fixture
def bridge(backend: FakeBackend) -> DeviceAudioBridge:
    return DeviceAudioBridge(backend)


@pytest.fixture
def active(bridge: DeviceAudioBridge) -> DeviceAudioBridge:
    AudioSession(bridge).activate()
    bridge.media_started()
    return bridge


class TestSeam:
    def test_frame_format_matches_the_engine(self) -> None:
        """The duplicated format constants equal softphone.sip.media's."""
        assert (SAMPLE_RATE, FRAME_SAMPLES, FRAME_BYTES) == (
            media.SAMPLE_RATE,
            media.FRAME_SAMPLES,
            media.FRAME_BYTES,
        )

    def test_bridge_satisfies_the_protocol(self, bridge: DeviceAudioBridge) -> None:
        """DeviceAudioBridge is an AudioBridge without importing it."""
        assert isinstance(bridge, media.AudioBridge)


class TestSessionGating:
    def test_before_activation_frames_are_silent_and_no_device_is_opened(
        self, bridge: DeviceAudioBridge, backend: FakeBackend
    ) -> None:
        """Until the audio session activates, the mic gives silence, speaker frames
        are dropped and no device stream exists."""
        bridge.media_started()
        bridge.speaker_frame(memoryview(b"\x10" * FRAME_BYTES))
        assert not _mic(bridge).any()
        assert backend.streams == []
        assert not bridge.status().available
        assert bridge.status().reason == "Audio session not active"

    def test_activate_opens_devices_and_deactivate_closes_them(
        self, bridge: DeviceAudioBridge, backend: FakeBackend
    ) -> None:
        """activate() opens and starts mic and speaker; deactivate() closes both."""
        session = AudioSession(bridge, lambda: ("mic-1", "spk-1"))
        status = session.activate()
        assert status.available
        assert [(s.kind, s.device_id, s.active) for s in backend.streams] == [
            (DeviceKind.INPUT, "mic-1", True),
            (DeviceKind.OUTPUT, "spk-1", True),
        ]
        session.deactivate()
        assert all(s.closed for s in backend.streams)
        assert not _mic(bridge).any()


class TestAudioPath:
    def test_mic_audio_reaches_the_engine(
        self, active: DeviceAudioBridge, backend: FakeBackend
    ) -> None:
        """Device mic blocks come out of mic_frame as the same tone, 16-bit."""
        frames = _talk(active, backend, 20)[-FRAME_SAMPLES * 10 :]
        assert np.sqrt(np.mean(frames**2)) == pytest.approx(0.5 / np.sqrt(2), rel=0.05)

    def test_received_audio_reaches_the_speaker(
        self, active: DeviceAudioBridge, backend: FakeBackend
    ) -> None:
        """speaker_frame data is played after the target fill is buffered."""
        out = _speaker(active, backend, 20)
        assert not out[:FRAME_SAMPLES].any()  # priming: 40 ms target
        assert np.sqrt(np.mean(out[-FRAME_SAMPLES * 10 :] ** 2)) == pytest.approx(0.354, rel=0.05)

    def test_media_started_flushes_stale_mic_audio(
        self, active: DeviceAudioBridge, backend: FakeBackend
    ) -> None:
        """Audio captured before media started is thrown away (no added latency)."""
        _feed_mic(backend, 20)
        active.media_started()
        assert not _mic(active).any()

    def test_mute_sends_silence_but_meter_keeps_working(
        self, active: DeviceAudioBridge, backend: FakeBackend
    ) -> None:
        """Muted: the engine gets silence; the level meter still shows the mic."""
        active.set_muted(True)
        _feed_mic(backend, 10)
        assert not _mic(active).any()
        assert active.input_level_dbfs() == pytest.approx(20 * np.log10(0.5), abs=0.5)

    def test_hold_silences_both_directions(
        self, active: DeviceAudioBridge, backend: FakeBackend
    ) -> None:
        """Held: no mic audio to the engine and no received audio to the speaker."""
        active.set_held(True)
        _feed_mic(backend, 10)
        assert not _mic(active).any()
        assert not _talk(active, backend, 10).any()
        assert not _speaker(active, backend, 10).any()
        active.set_held(False)
        assert _speaker(active, backend, 10)[-FRAME_SAMPLES:].any()

    def test_gain_and_volume_scale_linearly(
        self, active: DeviceAudioBridge, backend: FakeBackend
    ) -> None:
        """Mic gain 0.5 halves the sent level; volume 0.25 quarters the played level."""
        active.set_mic_gain(0.5)
        active.set_speaker_volume(0.25)
        sent = _talk(active, backend, 20)[-FRAME_SAMPLES * 10 :]
        assert np.sqrt(np.mean(sent**2)) == pytest.approx(0.25 / np.sqrt(2), rel=0.05)
        played = _speaker(active, backend, 20)[-FRAME_SAMPLES * 10 :]
        assert np.sqrt(np.mean(played**2)) == pytest.approx(0.125 / np.sqrt(2), rel=0.05)

    @pytest.mark.parametrize("value", [-0.1, 4.5, float("nan")])
    def test_bad_gain_is_rejected_and_changes_nothing(
        self, bridge: DeviceAudioBridge, value: float
    ) -> None:
        """Gain/volume outside 0..4 raise ValueError and keep the old setting."""
        with pytest.raises(ValueError, match="between"):
            bridge.set_mic_gain(value)
        with pytest.raises(ValueError, match="between"):
            bridge.set_speaker_volume(value)
        assert (bridge.mic_gain, bridge.speaker_volume) == (1.0, 1.0)

    def test_clipping_saturates_instead_of_wrapping(
        self, active: DeviceAudioBridge, backend: FakeBackend
    ) -> None:
        """Gain 2 on a loud mic clips at full scale rather than wrapping around."""
        active.set_mic_gain(2.0)
        frame = _talk(active, backend, 10, amplitude=0.9)
        assert frame.max() == pytest.approx(32767 / 32768) and frame.min() == -1.0

    def test_underrun_counted_when_device_starves(
        self, active: DeviceAudioBridge, backend: FakeBackend
    ) -> None:
        """The engine asking for more than the device delivered counts an underrun."""
        _feed_mic(backend, 3)
        for _ in range(4):
            _mic(active)
        assert active.counters().mic_underruns == 1


class TestDuplex:
    def test_one_duplex_stream_when_the_backend_offers_it(self) -> None:
        """With both devices available the bridge runs one duplex stream (one device
        thread) carrying mic and speaker audio."""
        backend = FakeBackend(duplex=True)
        bridge = DeviceAudioBridge(backend)
        AudioSession(bridge, lambda: ("mic-1", "spk-1")).activate()
        bridge.media_started()
        (stream,) = backend.streams
        assert (stream.kind, stream.device_id) == (None, "mic-1+spk-1")
        played = []
        for i in range(20):
            pcm = (_sine(FRAME_SAMPLES, 0.5, start=i * FRAME_SAMPLES) * 32767).astype("<i2")
            bridge.speaker_frame(memoryview(pcm.tobytes()))
            out = np.zeros(FRAME_SAMPLES, dtype=np.float32)
            stream.callback(_sine(FRAME_SAMPLES, 0.25, start=i * FRAME_SAMPLES), out)
            played.append(out)
        sent = _mic(bridge)
        assert np.sqrt(np.mean(np.concatenate(played[-5:]) ** 2)) == pytest.approx(0.354, rel=0.05)
        assert np.sqrt(np.mean(sent**2)) == pytest.approx(0.177, rel=0.05)


class TestNoDevices:
    def test_missing_input_keeps_output_and_says_why(self, backend: FakeBackend) -> None:
        """No microphone: speaker still runs, mic frames are silent, status explains."""
        backend.fail_open = {DeviceKind.INPUT}
        bridge = DeviceAudioBridge(backend)
        status = AudioSession(bridge).activate()
        assert not status.available
        assert status.reason.startswith("No input device")
        assert not _mic(bridge).any()
        assert [s.kind for s in backend.streams] == [DeviceKind.OUTPUT]

    def test_no_backend_still_constructs_and_is_silent(self) -> None:
        """Without any sound system the bridge works as a silent bridge."""
        bridge = DeviceAudioBridge(None)
        AudioSession(bridge).activate()
        bridge.speaker_frame(memoryview(b"\x01" * FRAME_BYTES))
        assert not _mic(bridge).any()
        assert bridge.status().reason == "No audio backend"
