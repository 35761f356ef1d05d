"""Audio devices through the control API: a headless phone on a private PulseAudio with
virtual devices (like Settings > Audio and the in-call audio picker)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from softphone.control import ConflictError, ControlClientError
from softphone.phone.runtime import PhoneRuntime
from softphone.settings import Settings, SettingsStore, profile_paths
from softphone.sip.pjsua import create_engine
from softphone.testing import RunningPhone, start_phone, stop_phone
from tests.audio.pulse_server import PulseServer

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def phone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPhone]:
    pulse = PulseServer(tmp_path_factory.mktemp("pulse-api")).start()
    home = tmp_path_factory.mktemp("audio-api")
    try:
        running = start_phone(home, "audio", extra_env={"PULSE_SERVER": pulse.server})
        running.home = home  # type: ignore[attr-defined]
        try:
            yield running
        finally:
            stop_phone(running)
    finally:
        pulse.stop()


def _ids(devices: list[dict[str, object]]) -> set[object]:
    return {d["id"] for d in devices}


def test_audio_devices_lists_inputs_and_outputs(phone: RunningPhone) -> None:
    listing = phone.audio_devices()
    assert "mic" in _ids(listing["inputs"])
    assert {"spk", "ringer"} <= _ids(listing["outputs"])
    assert not {"spk", "ringer"} & _ids(listing["inputs"])
    assert set(listing["selected"]) == {"microphone", "speaker", "ringer"}
    defaults = [d["id"] for d in listing["outputs"] if d["system_default"]]
    assert defaults == ["spk"]


def test_audio_select_chooses_and_saves(phone: RunningPhone) -> None:
    """Like Settings > Audio: the choice takes effect and is saved in the profile."""
    chosen = phone.audio_select("ringer", "ringer")
    assert chosen["selected"]["ringer"] == "ringer"
    assert chosen["in_use"]["ringer"] == "ringer"
    event = phone.wait_for("audio.selected", timeout=5)
    assert event["data"] == {"role": "ringer", "device": "ringer"}
    ringer = next(d for d in chosen["outputs"] if d["id"] == "ringer")
    assert ringer["selected_for"] == ["ringer"]
    phone.request("audio-select", role="microphone", device="mic")
    listing = phone.request("audio-select", role="speaker", device="spk")
    assert listing["selected"] == {"microphone": "mic", "speaker": "spk", "ringer": "ringer"}
    home = phone.home  # type: ignore[attr-defined]
    saved = SettingsStore(profile_paths("audio", root=home)).load().settings.audio
    assert (saved.microphone, saved.speaker, saved.ringer) == ("mic", "spk", "ringer")

    back = phone.request("audio-select", role="speaker", device="default")
    assert back["selected"]["speaker"] == "default"
    assert phone.request("audio-devices")["selected"]["speaker"] == "default"


@pytest.mark.parametrize(
    ("role", "device", "status"),
    [
        ("speaker", "no-such-device", 404),
        ("microphone", "spk", 404),  # an output is not a microphone
        ("ringer", "mic", 404),
        ("headphones", "spk", 400),
    ],
)
def test_audio_select_refuses_unknown_devices(
    phone: RunningPhone, role: str, device: str, status: int
) -> None:
    before = phone.request("audio-devices")
    with pytest.raises(ControlClientError) as exc:
        phone.request("audio-select", role=role, device=device)
    assert exc.value.status == status
    assert phone.request("audio-devices") == before


async def test_without_audio_the_commands_say_why(tmp_path: Path) -> None:
    """A phone without sound devices answers 409 with the reason."""
    runtime = PhoneRuntime(create_engine(), Settings(), with_test_line=False)
    runtime.audio_status = (False, "no sound devices in use")
    for command, params in (
        ("audio-devices", {}),
        ("audio-select", {"role": "speaker", "device": "default"}),
    ):
        with pytest.raises(ConflictError, match="audio is unavailable: no sound devices"):
            await runtime.control.execute(command, params)
