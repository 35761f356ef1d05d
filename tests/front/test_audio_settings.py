"""``[audio]``: the chosen devices and levels, heard on a private PulseAudio's devices."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest

from softphone.control.client import ControlClientError
from tests.audio.pulse_server import PulseServer, analyse, tone
from tests.front.peers import sipp
from tests.front.phones import running
from tests.sip.scenarios import uac_cancel

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture
def pulse(tmp_path: Path) -> Iterator[PulseServer]:
    """Default devices ``mic``/``spk``/``ringer`` plus ``a_mic`` (fed by ``a_feed``), ``a_spk``."""
    server = PulseServer(tmp_path, phones=("a",)).start()
    try:
        yield server
    finally:
        server.stop()


def _heard(pulse: PulseServer, source: str, seconds: float = 0.6) -> tuple[float, float]:
    return analyse(pulse.record(source, seconds))


@pytest.mark.covers(
    "page:audio.input",
    "page:audio.output",
    "page:audio.ringer",
    "audio.microphone",
    "audio.speaker",
    "audio.ringer",
    "audio.speaker_volume",
    "audio.mic_gain",
)
def test_devices_and_levels_from_settings_carry_the_call_audio(
    tmp_path: Path, pulse: PulseServer
) -> None:
    volume, gain = 0.125, 2.0
    toml = (
        '[audio]\nmicrophone = "a_mic"\nspeaker = "a_spk"\nringer = "ringer"\n'
        f"speaker_volume = {volume}\nmic_gain = {gain}\n"
    )
    amplitude = 0.1
    with running(tmp_path, "a", toml, env={"PULSE_SERVER": pulse.server}) as phone:
        selected = phone.audio_devices()["selected"]
        assert selected == {"microphone": "a_mic", "speaker": "a_spk", "ringer": "ringer"}

        # The echo line sends back what it hears: a tone into a_mic comes out of a_spk,
        # scaled by mic_gain on the way out and speaker_volume on the way in.
        phone.call("echo")
        phone.wait_for("call.connected", timeout=15)
        player = pulse.play("a_feed", tone(1000, 6.0, amplitude))
        try:
            pulse.record("a_spk.monitor", 1.5)  # the path settles (jitter buffers fill)
            freq, level = _heard(pulse, "a_spk.monitor")
            _, default_speaker = _heard(pulse, "spk.monitor")
        finally:
            player.kill()
            player.wait(5)
        phone.hangup()
        phone.wait_for("call.ended", timeout=10)
        expected = 20 * math.log10(
            amplitude * gain * volume
        )  # -32 dBFS (the path itself loses ~2 dB)
        assert abs(freq - 1000) < 20, f"heard {freq:.0f} Hz at {level:.1f} dBFS"
        assert abs(level - expected) < 4.0, f"{level:.1f} dBFS, expected {expected:.1f}"
        assert default_speaker < -60, f"the default speaker played {default_speaker:.1f} dBFS"

        # An incoming call rings on the chosen ringer device.
        address = phone.state()["sip"]["udp"]
        with sipp(uac_cancel(ring_ms=3000), tmp_path, address, service="me") as caller:
            phone.wait_for("call.incoming", timeout=10)
            _, ringing = _heard(pulse, "ringer.monitor", 1.0)
            caller.expect_success(15)
        assert ringing > -50, f"the ringer device stayed silent ({ringing:.1f} dBFS)"

        # Settings > Audio (settings-set, as the page saves it) moves the call at once.
        page = {"input": "mic", "output": "spk", "ringer": "a_spk"}
        with pytest.raises(ControlClientError) as refused:
            phone.settings_set({"audio": {**page, "output": "no-such-speaker"}})
        assert refused.value.status == 400
        phone.settings_set({"audio": page})
        selected = phone.audio_devices()["selected"]
        assert selected == {"microphone": "mic", "speaker": "spk", "ringer": "a_spk"}
        saved = phone.settings()["settings"]["audio"]
        assert (saved["microphone"], saved["speaker"], saved["ringer"]) == ("mic", "spk", "a_spk")
        phone.call("echo")
        phone.wait_for("call.connected", timeout=15)
        player = pulse.play("micfeed", tone(1000, 4.0, amplitude))
        try:
            pulse.record("spk.monitor", 1.5)
            freq, level = _heard(pulse, "spk.monitor")
        finally:
            player.kill()
            player.wait(5)
        phone.hangup()
        assert abs(freq - 1000) < 20 and level > -45, f"{freq:.0f} Hz at {level:.1f} dBFS"
