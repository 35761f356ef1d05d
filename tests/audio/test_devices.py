"""Device choice, hot-plug events and the AudioSystem wiring (recording backend)."""

from __future__ import annotations

import pytest

from softphone.audio import (
    AudioDevice,
    AudioDeviceManager,
    AudioSystem,
    DeviceChoice,
    DeviceEventKind,
    DeviceKind,
    DeviceRole,
)

from .fakes import FakeBackend

HEADSET_MIC = AudioDevice("usb-mic", "USB Headset Mic", DeviceKind.INPUT)
HEADSET = AudioDevice("usb-spk", "USB Headset", DeviceKind.OUTPUT)


@pytest.fixture
def backend() -> FakeBackend:
    fake = FakeBackend()
    fake.devices += [HEADSET_MIC, HEADSET]
    return fake


class TestChoice:
    def test_lists_inputs_outputs_and_defaults(self, backend: FakeBackend) -> None:
        """Inputs and outputs are listed apart, with the system defaults marked."""
        manager = AudioDeviceManager(backend)
        assert manager.rescan() == []
        assert [d.id for d in manager.inputs()] == ["mic-1", "usb-mic"]
        assert [d.id for d in manager.outputs()] == ["spk-1", "usb-spk"]
        assert manager.default(DeviceKind.OUTPUT) == backend.devices[1]

    def test_choose_rejects_unknown_or_wrong_kind(self, backend: FakeBackend) -> None:
        """Bad ids raise a clear ValueError and keep the previous choice."""
        manager = AudioDeviceManager(backend)
        manager.rescan()
        manager.choose(DeviceRole.RINGER, "usb-spk")
        with pytest.raises(ValueError, match="no output device 'nope'; known: spk-1, usb-spk"):
            manager.choose(DeviceRole.RINGER, "nope")
        with pytest.raises(ValueError, match="input device, not a speaker"):
            manager.choose(DeviceRole.SPEAKER, "usb-mic")
        assert manager.choice == DeviceChoice(ringer="usb-spk")

    def test_saved_choice_of_absent_device_falls_back_to_default(
        self, backend: FakeBackend
    ) -> None:
        """A remembered device that is not plugged in means 'use the default'."""
        manager = AudioDeviceManager(backend)
        manager.rescan()
        manager.restore(DeviceChoice(microphone="gone", speaker="usb-spk"))
        assert manager.effective(DeviceRole.MICROPHONE) is None
        assert manager.effective(DeviceRole.SPEAKER) == "usb-spk"


class TestHotPlug:
    def test_unplug_mid_call_moves_audio_to_default_and_tells_the_user(
        self, backend: FakeBackend
    ) -> None:
        """The headset vanishing mid-call re-opens the streams on the default
        devices (the call stays up) and yields a FELL_BACK event with a sentence."""
        system = AudioSystem(backend, choice=DeviceChoice("usb-mic", "usb-spk"))
        system.session.activate()
        assert [s.device_id for s in backend.streams] == ["usb-mic", "usb-spk"]
        backend.devices = backend.devices[:2]
        events = system.poll()
        kinds = sorted(e.kind.value for e in events)
        assert kinds == ["fell_back", "fell_back", "removed", "removed"]
        fell = next(e for e in events if e.role is DeviceRole.SPEAKER)
        assert fell.message == "USB Headset disconnected; speaker now uses Built-in Speaker"
        live = [(s.kind, s.device_id) for s in backend.streams if not s.closed]
        assert live == [(DeviceKind.INPUT, None), (DeviceKind.OUTPUT, None)]
        assert system.session.is_active

    def test_replug_restores_the_chosen_device(self, backend: FakeBackend) -> None:
        """When the chosen device comes back, audio returns to it (RESTORED event)."""
        system = AudioSystem(backend, choice=DeviceChoice(speaker="usb-spk"))
        system.session.activate()
        saved = list(backend.devices)
        backend.devices = saved[:2]
        system.poll()
        backend.devices = saved
        events = system.poll()
        assert DeviceEventKind.RESTORED in [e.kind for e in events]
        live = [s.device_id for s in backend.streams if not s.closed]
        assert live == [None, "usb-spk"]

    def test_dead_stream_is_reopened_without_device_change(self, backend: FakeBackend) -> None:
        """A stream that died (server restart) is re-opened on the next poll."""
        system = AudioSystem(backend)
        system.session.activate()
        backend.streams[1].active = False
        system.poll()
        assert len([s for s in backend.streams if not s.closed]) == 2
        assert system.bridge.streams_healthy()

    def test_sound_system_disappearing_is_reported_once(self, backend: FakeBackend) -> None:
        """Losing PulseAudio yields one UNAVAILABLE event and a status with the reason;
        its return yields AVAILABLE."""
        system = AudioSystem(backend)
        backend.unavailable = "PortAudio: no PulseAudio server (Connection refused)"
        assert [e.kind for e in system.poll()] == [DeviceEventKind.UNAVAILABLE]
        assert system.poll() == []
        assert system.status().reason == backend.unavailable
        backend.unavailable = ""
        assert [e.kind for e in system.poll()] == [DeviceEventKind.AVAILABLE]
        assert system.status().available


class TestStatus:
    def test_no_input_device(self) -> None:
        """Outputs but no microphone: status says 'No input device'."""
        backend = FakeBackend(devices=[AudioDevice("s", "S", DeviceKind.OUTPUT, True)])
        assert AudioSystem(backend).status().reason == "No input device"

    def test_no_backend(self) -> None:
        """Without a backend everything constructs and the status says why."""
        system = AudioSystem(None)
        assert not system.status().available
        assert system.status().reason == "No audio backend"
        assert not system.ringer.start()
        system.close()
