"""The audio session gate: devices run only between activate and deactivate."""

from __future__ import annotations

from collections.abc import Callable

from softphone.audio.bridge import AudioStatus, DeviceAudioBridge


class AudioSession:
    """Mirrors iOS's ``AVAudioSession`` as CallKit hands it to an app: the phone
    layer calls :meth:`activate` from ``provider(_:didActivate:)`` and
    :meth:`deactivate` from ``provider(_:didDeactivate:)``. Starting audio before
    activation is the classic "no audio after answering from the lock screen" bug,
    so the bridge opens devices here and nowhere else.

    :param devices: returns the (microphone id, speaker id) to use now; ``None``
        means the system default.
    """

    def __init__(
        self,
        bridge: DeviceAudioBridge,
        devices: Callable[[], tuple[str | None, str | None]] = lambda: (None, None),
    ) -> None:
        self._bridge = bridge
        self._devices = devices
        self._active = False

    @property
    def is_active(self) -> bool:
        return self._active

    def activate(self) -> AudioStatus:
        """Start the microphone and speaker; returns what came up."""
        self._active = True
        mic, speaker = self._devices()
        self._bridge.start_devices(mic, speaker)
        return self._bridge.status()

    def deactivate(self) -> None:
        """Stop and release the devices (idempotent)."""
        self._active = False
        self._bridge.stop_devices()

    def restart(self) -> AudioStatus:
        """Re-open the devices after a device change, if active (the call goes on)."""
        if self._active:
            return self.activate()
        return self._bridge.status()
