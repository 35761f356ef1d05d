"""The app's audio: CallKit's audio-session callbacks start and stop the device bridge,
and the system's call events drive the ringtone, ringback, key tones and beeps."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from softphone.callkit import (
    CallConnected,
    CallEnded,
    CallState,
    CallStateChanged,
    CallSystem,
    IncomingCallReported,
)

if TYPE_CHECKING:
    from softphone.audio import AudioSystem

log = logging.getLogger(__name__)


class AudioController:
    """Implements the VoIP app's ``AudioControl`` over an :class:`AudioSystem`."""

    def __init__(
        self,
        audio: AudioSystem,
        system: CallSystem,
        emit: Callable[..., None] | None = None,
    ) -> None:
        self.audio = audio
        self.system = system
        self._emit = emit or (lambda *_a, **_k: None)
        self._unsubscribe = system.subscribe(self._on_event)

    # ---- AudioControl (called by the VoIP app) ------------------------------------

    def activate(self) -> None:
        """``did_activate_audio_session``: only now do the microphone and speaker open."""
        status = self.audio.session.activate()
        if not status.available:
            self._emit("audio.unavailable", reason=status.reason)

    def deactivate(self) -> None:
        self.audio.session.deactivate()

    def ringback(self, on: bool) -> None:
        if on:
            self.audio.tones.start_ringback()
        else:
            self.audio.tones.stop_ringback()

    def key_tone(self, digit: str) -> None:
        self.audio.tones.key(digit)

    def end_tone(self) -> None:
        self.audio.tones.end_of_call()

    # ---- the system's call events ---------------------------------------------------

    def _others_live(self, uuid: Any) -> bool:
        return any(
            c.uuid != uuid and c.has_connected and not c.has_ended for c in self.system.calls
        )

    def _ringing(self) -> bool:
        return any(c.state is CallState.RINGING for c in self.system.calls)

    def _on_event(self, event: object) -> None:
        try:
            if isinstance(event, IncomingCallReported):
                if self._others_live(event.call_uuid):
                    self.audio.tones.call_waiting()  # iOS beeps instead of ringing
                else:
                    self.audio.ringer.start()
            elif _ends_ringing(event) and not self._ringing():
                self.audio.ringer.stop()
        except Exception:  # a sound must never break a call
            log.exception("audio for %r failed", event)

    async def poll_devices(self) -> list[str]:
        """Hot-plug: re-scan devices; messages for the user (falls back mid-call)."""
        return [e.message for e in await self.audio.poll_async()]

    def close(self) -> None:
        self._unsubscribe()
        self.audio.close()


def _ends_ringing(event: object) -> bool:
    if isinstance(event, (CallConnected, CallEnded)):
        return True
    return isinstance(event, CallStateChanged) and event.old is CallState.RINGING
