"""Device choice and hot-plug: which microphone, speaker and ringer to use now."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum

from softphone.audio.backend import AudioBackend, AudioDevice, AudioUnavailableError, DeviceKind


class DeviceRole(Enum):
    MICROPHONE = "microphone"
    SPEAKER = "speaker"
    RINGER = "ringer"

    @property
    def kind(self) -> DeviceKind:
        return DeviceKind.INPUT if self is DeviceRole.MICROPHONE else DeviceKind.OUTPUT


@dataclass(frozen=True)
class DeviceChoice:
    """The user's picks as stable device ids (``None`` = follow the system default).
    Plain strings so the caller can keep them in settings."""

    microphone: str | None = None
    speaker: str | None = None
    ringer: str | None = None

    def get(self, role: DeviceRole) -> str | None:
        value: str | None = getattr(self, role.value)
        return value


class DeviceEventKind(Enum):
    ADDED = "added"
    REMOVED = "removed"
    FELL_BACK = "fell_back"  # a chosen device vanished: the default is used
    RESTORED = "restored"  # the chosen device is back
    UNAVAILABLE = "unavailable"  # the sound system itself is gone
    AVAILABLE = "available"


@dataclass(frozen=True)
class AudioDeviceEvent:
    """Something the user should be told about, with the sentence to show."""

    kind: DeviceEventKind
    message: str
    device_id: str | None = None
    role: DeviceRole | None = None


class AudioDeviceManager:
    """Lists devices, holds the user's choice and turns re-scans into events.

    Call :meth:`rescan` periodically (e.g. every 2 s from the app's loop): devices
    that appear or vanish produce :class:`AudioDeviceEvent`s, and :meth:`effective`
    answers which device each role should use now (the choice when present, else
    the default), so a device vanishing mid-call only moves the audio.
    """

    def __init__(self, backend: AudioBackend | None) -> None:
        self._backend = backend
        self._devices: dict[str, AudioDevice] = {}
        self.choice = DeviceChoice()
        self.unavailable_reason = "Not scanned yet" if backend is not None else "No audio backend"
        self._scanned_before = False

    @property
    def devices(self) -> list[AudioDevice]:
        return list(self._devices.values())

    def inputs(self) -> list[AudioDevice]:
        return [d for d in self._devices.values() if d.kind is DeviceKind.INPUT]

    def outputs(self) -> list[AudioDevice]:
        return [d for d in self._devices.values() if d.kind is DeviceKind.OUTPUT]

    def default(self, kind: DeviceKind) -> AudioDevice | None:
        return next((d for d in self._devices.values() if d.kind is kind and d.is_default), None)

    def choose(self, role: DeviceRole, device_id: str | None) -> None:
        """Pick a device for a role (``None`` = default). Unknown ids or a device of
        the wrong kind raise ValueError and leave the choice unchanged."""
        if device_id is not None:
            device = self._devices.get(device_id)
            if device is None:
                known = ", ".join(d.id for d in self._devices.values() if d.kind is role.kind)
                raise ValueError(f"no {role.kind.value} device {device_id!r}; known: {known}")
            if device.kind is not role.kind:
                raise ValueError(
                    f"{device_id!r} is an {device.kind.value} device, not a {role.value}"
                )
        self.choice = replace(self.choice, **{role.value: device_id})

    def restore(self, choice: DeviceChoice) -> None:
        """Take a saved choice as is (devices may be absent now; they fall back)."""
        self.choice = choice

    def effective(self, role: DeviceRole) -> str | None:
        """The device id to open for ``role`` now (``None`` = system default)."""
        wanted = self.choice.get(role)
        return wanted if wanted is not None and wanted in self._devices else None

    def rescan(self) -> list[AudioDeviceEvent]:
        """Re-list devices; returns what changed since the last scan."""
        before = dict(self._devices)
        was_available = not self.unavailable_reason
        scanned_before, self._scanned_before = self._scanned_before, True
        try:
            if self._backend is None:
                raise AudioUnavailableError("No audio backend")
            listed = self._backend.list_devices()
        except AudioUnavailableError as exc:
            self._devices = {}
            changed = was_available or self.unavailable_reason != str(exc)
            self.unavailable_reason = str(exc)
            if changed:
                return [AudioDeviceEvent(DeviceEventKind.UNAVAILABLE, f"Audio unavailable: {exc}")]
            return []
        self._devices = {d.id: d for d in listed}
        self.unavailable_reason = ""
        events = []
        if not was_available and scanned_before:
            events.append(AudioDeviceEvent(DeviceEventKind.AVAILABLE, "Audio is available again"))
        return events + self._diff(before)

    def _diff(self, before: dict[str, AudioDevice]) -> list[AudioDeviceEvent]:
        events = []
        now = self._devices
        for dev_id in now.keys() - before.keys():
            if before:
                events.append(
                    AudioDeviceEvent(DeviceEventKind.ADDED, f"{now[dev_id].name} connected", dev_id)
                )
        for dev_id in before.keys() - now.keys():
            events.append(
                AudioDeviceEvent(
                    DeviceEventKind.REMOVED, f"{before[dev_id].name} disconnected", dev_id
                )
            )
        for role in DeviceRole:
            wanted = self.choice.get(role)
            if wanted is None:
                continue
            known = now.get(wanted) or before.get(wanted)
            label = known.name if known else wanted
            if wanted in before and wanted not in now:
                default = self.default(role.kind)
                target = default.name if default else "none"
                events.append(
                    AudioDeviceEvent(
                        DeviceEventKind.FELL_BACK,
                        f"{label} disconnected; {role.value} now uses {target}",
                        wanted,
                        role,
                    )
                )
            elif wanted in now and wanted not in before and before:
                events.append(
                    AudioDeviceEvent(
                        DeviceEventKind.RESTORED, f"{role.value} back on {label}", wanted, role
                    )
                )
        return events
