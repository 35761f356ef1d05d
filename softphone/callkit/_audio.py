"""The app's audio session as CallKit manages it (Apple: ``AVAudioSession`` with CallKit)."""

from __future__ import annotations

__all__ = ["AudioSession"]


class AudioSession:
    """Apple: the ``AVAudioSession`` handed to ``provider(_:didActivate:)``.

    Only the system activates it, after a start or answer action is fulfilled; the app
    starts audio when told (``did_activate_audio_session``), never before.
    """

    def __init__(self, owner_name: str) -> None:
        self.owner_name = owner_name
        self.is_active = False
        self.category = "playAndRecord"
        self.mode = "voiceChat"
        self.activation_count = 0

    def __repr__(self) -> str:
        state = "active" if self.is_active else "inactive"
        return f"<AudioSession {self.owner_name} {state}>"
