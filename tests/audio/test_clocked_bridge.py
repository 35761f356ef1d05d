"""DeviceAudioBridge running the engine's conference clock (the app's case), over a
recording backend and a recording clock. The real path (PortAudio's raw duplex stream
clocking pjsua2's conference, two phones over PulseAudio) is test_two_phones.py."""

from __future__ import annotations

import numpy as np
import pytest

from softphone.audio import AudioSession, DeviceAudioBridge, DeviceKind
from softphone.audio._format import SAMPLE_RATE
from softphone.sip import media

from .fakes import FakeBackend, FakeClock, FakeRawStream

N = 320


def _tone(n: int = N, amplitude: float = 0.5, start: int = 0) -> np.ndarray:
    t = (start + np.arange(n)) / SAMPLE_RATE
    return (amplitude * 32767 * np.sin(2 * np.pi * 1000 * t)).astype(np.int16)


def _raw(backend: FakeBackend) -> FakeRawStream:
    (stream,) = [s for s in backend.streams if isinstance(s, FakeRawStream) and not s.closed]
    return stream


@pytest.fixture
def backend() -> FakeBackend:
    return FakeBackend(duplex=True)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(frame_samples=N)


@pytest.fixture
def bridge(backend: FakeBackend, clock: FakeClock) -> DeviceAudioBridge:
    bridge = DeviceAudioBridge(backend)
    bridge.use_clock(clock)
    return bridge


@pytest.fixture
def session(bridge: DeviceAudioBridge) -> AudioSession:
    session = AudioSession(bridge)
    session.activate()
    return session


def test_bridge_satisfies_the_clocked_protocol(
    bridge: DeviceAudioBridge, clock: FakeClock
) -> None:
    assert isinstance(bridge, media.ClockedAudioBridge)
    assert isinstance(clock, media.MediaClock)


def test_activation_attaches_the_clock_to_one_raw_duplex_stream(
    bridge: DeviceAudioBridge, backend: FakeBackend, clock: FakeClock
) -> None:
    assert not clock.attached and not backend.streams  # nothing before the session
    session = AudioSession(bridge)
    assert session.activate().available
    assert clock.attached
    assert len(backend.streams) == 1 and _raw(backend).active
    session.deactivate()
    assert not clock.attached  # PJSIP's own clock again
    assert backend.streams[0].closed


@pytest.mark.usefixtures("session")
def test_microphone_and_speaker_frames_pass_unchanged(
    backend: FakeBackend, clock: FakeClock, bridge: DeviceAudioBridge
) -> None:
    stream = _raw(backend)
    received = _tone(start=7)
    clock.to_play.append(received)
    mic = _tone()
    played = stream.cycle(mic)
    np.testing.assert_array_equal(clock.sent[-1], mic)
    np.testing.assert_array_equal(played, received)
    counters = bridge.counters()
    assert (counters.mic_frames, counters.speaker_frames) == (1, 1)


@pytest.mark.usefixtures("session")
def test_nothing_to_play_is_silence_not_stale_memory(
    backend: FakeBackend, clock: FakeClock
) -> None:
    played = _raw(backend).cycle(_tone())
    assert not played.any()
    assert len(clock.sent) == 1  # the microphone frame still went out


@pytest.mark.usefixtures("session")
def test_mute_sends_silence_and_the_meter_still_hears_the_microphone(
    backend: FakeBackend, clock: FakeClock, bridge: DeviceAudioBridge
) -> None:
    bridge.set_muted(True)
    _raw(backend).cycle(_tone(amplitude=0.5))
    assert not clock.sent[-1].any()
    assert bridge.input_level_dbfs() == pytest.approx(-6.0, abs=0.5)
    bridge.set_muted(False)
    _raw(backend).cycle(_tone(amplitude=0.5))
    assert np.abs(clock.sent[-1]).max() > 16000


@pytest.mark.usefixtures("session")
def test_hold_is_silent_both_ways_and_keeps_the_clock_running(
    backend: FakeBackend, clock: FakeClock, bridge: DeviceAudioBridge
) -> None:
    bridge.set_held(True)
    clock.to_play.append(_tone())
    played = _raw(backend).cycle(_tone())
    assert not clock.sent[-1].any() and not played.any()
    assert len(clock.sent) == 1  # PJSIP is still clocked (RTP timing goes on)


@pytest.mark.usefixtures("session")
def test_gain_and_volume_scale_and_saturate(
    backend: FakeBackend, clock: FakeClock, bridge: DeviceAudioBridge
) -> None:
    stream = _raw(backend)
    bridge.set_mic_gain(0.5)
    bridge.set_speaker_volume(2.0)
    clock.to_play.append(_tone(amplitude=0.8))
    played = stream.cycle(_tone(amplitude=0.5))
    assert np.abs(clock.sent[-1]).max() == pytest.approx(0.25 * 32767, rel=0.01)
    assert played.max() == 32767 and played.min() == -32768  # clipped, not wrapped
    assert np.all(np.sign(played[::8]) == np.sign(_tone(amplitude=0.8)[::8]))


@pytest.mark.usefixtures("session")
def test_a_block_of_the_wrong_size_is_silence_and_not_sent(
    backend: FakeBackend, clock: FakeClock
) -> None:
    played = _raw(backend).cycle(_tone(N // 2))
    assert not played.any() and not clock.sent


@pytest.mark.usefixtures("session")
def test_without_the_engine_the_devices_play_silence(
    backend: FakeBackend, clock: FakeClock, bridge: DeviceAudioBridge
) -> None:
    bridge.use_clock(None)  # the engine stopped
    clock.to_play.append(_tone())
    assert not _raw(backend).cycle(_tone()).any()
    assert not clock.sent


def test_clock_that_cannot_attach_says_why(backend: FakeBackend) -> None:
    bridge = DeviceAudioBridge(backend)
    bridge.use_clock(FakeClock(frame_samples=N, fail_attach="library not running"))
    status = AudioSession(bridge).activate()
    assert not status.available
    assert "library not running" in status.reason
    assert not backend.streams


class TestSeparateStreams:
    """No duplex pair: the speaker's stream clocks PJSIP, the microphone reaches it
    through the drift-compensated ring (two device clocks)."""

    @pytest.fixture
    def backend(self) -> FakeBackend:
        return FakeBackend(duplex=False)

    @pytest.mark.usefixtures("session")
    def test_speaker_stream_clocks_the_engine_and_mic_audio_arrives(
        self, backend: FakeBackend, clock: FakeClock
    ) -> None:
        assert clock.attached
        mic, speaker = backend.live(DeviceKind.INPUT), backend.live(DeviceKind.OUTPUT)
        received = _tone(start=3)
        sent = []
        for i in range(12):
            mic.push(_tone(start=i * N).astype(np.float32) / 32768)
            clock.to_play.append(received)
            out = speaker.pull(N)
            sent.append(clock.sent[-1])
        np.testing.assert_allclose(out * 32768, received, atol=2)
        assert np.abs(np.concatenate(sent[-4:])).max() > 15000  # after priming: the tone
        assert len(clock.sent) == 12

    def test_no_speaker_leaves_pjsip_on_its_own_clock_and_says_why(
        self, backend: FakeBackend, clock: FakeClock, bridge: DeviceAudioBridge
    ) -> None:
        backend.fail_open = {DeviceKind.OUTPUT}
        status = AudioSession(bridge).activate()
        assert not clock.attached
        assert "No output device" in status.reason
        assert backend.live(DeviceKind.INPUT).active
