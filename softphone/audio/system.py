"""Everything audio, wired: the one object the phone layer holds."""

from __future__ import annotations

import asyncio

from softphone.audio.backend import AudioBackend
from softphone.audio.bridge import AudioStatus, DeviceAudioBridge
from softphone.audio.devices import AudioDeviceEvent, AudioDeviceManager, DeviceChoice, DeviceRole
from softphone.audio.player import CallTones, Ringer
from softphone.audio.session import AudioSession
from softphone.audio.tones import RingbackStyle


class AudioSystem:
    """Devices, the call bridge, the audio session and the call sounds.

    The phone layer plugs :attr:`bridge` into the SIP engine, forwards CallKit's
    audio-session callbacks to :attr:`session`, drives :attr:`ringer` and
    :attr:`tones`, and calls :meth:`poll` every ~2 s for hot-plug events to show.
    """

    def __init__(
        self,
        backend: AudioBackend | None,
        *,
        choice: DeviceChoice | None = None,
        ringback_style: RingbackStyle = RingbackStyle.US,
    ) -> None:
        self.devices = AudioDeviceManager(backend)
        self.devices.rescan()
        if choice is not None:
            self.devices.restore(choice)
        self.bridge = DeviceAudioBridge(backend)
        self.session = AudioSession(self.bridge, self._call_devices)
        self.ringer = Ringer(backend, self.devices.effective(DeviceRole.RINGER))
        self.tones = CallTones(backend, self.devices.effective(DeviceRole.SPEAKER), ringback_style)

    @classmethod
    def default(cls, choice: DeviceChoice | None = None) -> AudioSystem:
        """PortAudio (through PulseAudio when present)."""
        from softphone.audio.portaudio import PortAudioBackend

        return cls(PortAudioBackend(), choice=choice)

    def choose(self, role: DeviceRole, device_id: str | None) -> None:
        """Pick a device (ValueError for unknown ids); takes effect at once, also
        mid-call. The caller persists :attr:`devices`'s ``choice``."""
        self.devices.choose(role, device_id)
        self._apply_devices()

    def status(self) -> AudioStatus:
        """Whether call audio can work, and why not."""
        if self.devices.unavailable_reason:
            return AudioStatus(False, self.devices.unavailable_reason)
        if not self.devices.inputs():
            return AudioStatus(False, "No input device")
        if not self.devices.outputs():
            return AudioStatus(False, "No output device")
        if self.session.is_active:
            return self.bridge.status()
        return AudioStatus(True, "", self._call_devices()[0], self._call_devices()[1])

    def poll(self) -> list[AudioDeviceEvent]:
        """Re-scan devices and keep audio on working devices; returns events to show.
        A dead stream (device gone mid-call) is re-opened on the effective device;
        the call itself is untouched."""
        before = self._in_use()
        events = self.devices.rescan()
        self._follow(before)
        return events

    async def poll_async(self) -> list[AudioDeviceEvent]:
        """:meth:`poll` with the device listing (``pactl``, ~17 ms) on a worker thread,
        so the GUI thread does not stall; streams are re-opened on the caller's thread."""
        before = self._in_use()
        events = await asyncio.to_thread(self.devices.rescan)
        self._follow(before)
        return events

    def _in_use(self) -> tuple[tuple[str | None, str | None], str | None]:
        return self._call_devices(), self.devices.effective(DeviceRole.RINGER)

    def _follow(self, before: tuple[tuple[str | None, str | None], str | None]) -> None:
        if before != self._in_use() or not self.bridge.streams_healthy():
            self._apply_devices()

    def close(self) -> None:
        self.ringer.stop()
        self.tones.stop()
        self.session.deactivate()

    def _call_devices(self) -> tuple[str | None, str | None]:
        return (
            self.devices.effective(DeviceRole.MICROPHONE),
            self.devices.effective(DeviceRole.SPEAKER),
        )

    def _apply_devices(self) -> None:
        self.ringer.set_device(self.devices.effective(DeviceRole.RINGER))
        self.tones.set_device(self.devices.effective(DeviceRole.SPEAKER))
        self.session.restart()
