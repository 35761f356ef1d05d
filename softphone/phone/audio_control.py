"""The app's audio: CallKit's audio-session callbacks start and stop the device bridge,
and the system's call events drive the ringtone, ringback, key tones and beeps.

The devices open with the first call, not at start-up (:class:`LazyAudioSystem`): as on
iOS, nothing touches the sound card until a call needs it, and the phone starts without
numpy, PortAudio and ALSA's plugins (~35 MB, ~150 ms)."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from softphone.callkit import (
    CallConnected,
    CallEnded,
    CallState,
    CallStateChanged,
    CallSystem,
    IncomingCallReported,
    OutgoingCallStarted,
    TransactionRequested,
)
from softphone.phone.side_effects import SideEffects
from softphone.sip.media import ClockedAudioBridge

if TYPE_CHECKING:
    from softphone.audio import AudioDeviceEvent, AudioSystem
    from softphone.sip.media import AudioBridge, MediaClock

log = logging.getLogger(__name__)


class LateBridge:
    """The engine's audio bridge until the devices are open: the microphone sends
    silence and received audio is dropped; afterwards every frame goes to the real one.
    Runs on PJSIP's clock thread like any bridge."""

    def __init__(self) -> None:
        self._target: AudioBridge | None = None
        self._media = False
        self._clock: MediaClock | None = None

    def attach(self, target: AudioBridge) -> None:
        if self._media:
            target.media_started()
        if isinstance(target, ClockedAudioBridge):
            target.use_clock(self._clock)
        self._target = target

    def use_clock(self, clock: MediaClock | None) -> None:
        """The engine's conference clock, passed on to the real bridge (now or when it
        is attached): its devices clock PJSIP; until then PJSIP's null device does."""
        self._clock = clock
        if isinstance(self._target, ClockedAudioBridge):
            self._target.use_clock(clock)

    def mic_frame(self, out: memoryview) -> None:
        target = self._target
        if target is not None:
            target.mic_frame(out)
        else:
            out[:] = bytes(len(out))

    def speaker_frame(self, data: memoryview) -> None:
        target = self._target
        if target is not None:
            target.speaker_frame(data)

    def media_started(self) -> None:
        self._media = True
        if self._target is not None:
            self._target.media_started()

    def media_stopped(self) -> None:
        self._media = False
        if self._target is not None:
            self._target.media_stopped()


class _NotOpened(NamedTuple):
    """``AudioSystem.status()`` before the devices are opened (they are checked then)."""

    available: bool = True
    reason: str = ""


class LazyAudioSystem:
    """An :class:`AudioSystem` made on first use: by the first call (on a worker thread,
    see :class:`AudioController`), or at once when something needs its devices (the
    Settings' device lists, choosing a route). ``on_open(system, error)`` runs on the
    caller's thread once it exists; ``error`` says why there is no sound (the system is
    then a silent one, as without a backend)."""

    def __init__(
        self,
        factory: Callable[[], AudioSystem],
        on_open: Callable[[AudioSystem, str], None] | None = None,
    ) -> None:
        self._factory = factory
        self._on_open = on_open
        self._lock = threading.Lock()
        self._made: tuple[AudioSystem, str] | None = None
        self._real: AudioSystem | None = None
        self._opening: asyncio.Future[tuple[AudioSystem, str]] | None = None
        self.bridge = LateBridge()

    @property
    def is_open(self) -> bool:
        return self._real is not None

    def open(self) -> AudioSystem:
        """The real system, made now on this thread if needed (never raises)."""
        if self._real is None:
            self._finish(self._create())
        assert self._real is not None
        return self._real

    async def open_async(self) -> AudioSystem:
        """:meth:`open` with the slow part (imports, PortAudio, device scan) on a worker
        thread, so the GUI stays responsive."""
        if self._real is None:
            if self._opening is None:
                self._opening = asyncio.ensure_future(asyncio.to_thread(self._create))
            self._finish(await asyncio.shield(self._opening))
        assert self._real is not None
        return self._real

    def _create(self) -> tuple[AudioSystem, str]:
        with self._lock:  # one maker, whichever thread asks first
            if self._made is None:
                try:
                    self._made = (self._factory(), "")
                except Exception as exc:
                    from softphone.audio import AudioSystem

                    log.warning("audio unavailable: %s", exc)
                    self._made = (AudioSystem(None), str(exc))
            return self._made

    def _finish(self, made: tuple[AudioSystem, str]) -> None:
        if self._real is not None:
            return
        real, error = made
        self._real = real
        self.bridge.attach(real.bridge)
        if self._on_open is not None:
            self._on_open(real, error)

    # ---- what the phone uses of an AudioSystem ---------------------------------------

    def status(self) -> Any:
        return self._real.status() if self._real is not None else _NotOpened()

    async def poll_async(self) -> list[AudioDeviceEvent]:
        """Hot-plug: nothing to watch before the devices are open."""
        return await self._real.poll_async() if self._real is not None else []

    def close(self) -> None:
        if self._real is not None:
            self._real.close()

    def __getattr__(self, name: str) -> Any:  # devices, choose, session, ringer, tones
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.open(), name)


class AudioController:
    """Implements the VoIP app's ``AudioControl`` over an :class:`AudioSystem`."""

    def __init__(
        self,
        audio: AudioSystem | LazyAudioSystem,
        system: CallSystem,
        emit: Callable[..., None] | None = None,
        effects: SideEffects | None = None,
    ) -> None:
        self.audio = audio
        self.system = system
        self._emit = emit or (lambda *_a, **_k: None)
        self.effects = effects or SideEffects()
        self._unsubscribe = system.subscribe(self.effects.guard("ringer", self._on_event))
        # What the calls want while a LazyAudioSystem opens (applied once it is open).
        self._active = False
        self._ringback = False
        self._task: asyncio.Task[None] | None = None

    def _ready(self) -> AudioSystem | None:
        """The system if its devices are open; else start opening it and return None."""
        audio = self.audio
        if not isinstance(audio, LazyAudioSystem):
            return audio
        if audio.is_open:
            return audio.open()
        if self._task is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:  # no event loop (scripts): open here
                audio.open()
                return audio.open()
            self._task = loop.create_task(self._open(audio))
        return None

    async def _open(self, audio: LazyAudioSystem) -> None:
        opened = await audio.open_async()
        self.effects.run("audio catch-up", self._catch_up, opened)

    def _catch_up(self, opened: AudioSystem) -> None:
        """Do what the calls asked for while the devices were opening."""
        if self._ringback:
            opened.tones.start_ringback()
        if self._ringing() and not self._others_live(None):
            opened.ringer.start()
        if self._active:
            self.activate()

    # ---- AudioControl (called by the VoIP app) ------------------------------------

    def activate(self) -> None:
        """``did_activate_audio_session``: only now do the microphone and speaker open."""
        self._active = True
        audio = self._ready()
        if audio is None:
            return
        status = audio.session.activate()
        if not status.available:
            self._emit("audio.unavailable", reason=status.reason)

    def deactivate(self) -> None:
        self._active = False
        audio = self._ready()
        if audio is not None:
            audio.session.deactivate()

    def ringback(self, on: bool) -> None:
        self._ringback = on
        audio = self._ready()
        if audio is None:
            return
        if on:
            audio.tones.start_ringback()
        else:
            audio.tones.stop_ringback()

    def key_tone(self, digit: str) -> None:
        audio = self._ready()
        if audio is not None:
            audio.tones.key(digit)

    def end_tone(self) -> None:
        audio = self._ready()
        if audio is not None:
            audio.tones.end_of_call()

    # ---- the system's call events ---------------------------------------------------

    def _others_live(self, uuid: Any) -> bool:
        return any(
            c.uuid != uuid and c.has_connected and not c.has_ended for c in self.system.calls
        )

    def _ringing(self) -> bool:
        return any(c.state is CallState.RINGING for c in self.system.calls)

    def _on_event(self, event: object) -> None:
        """The ringer follows the system's calls (a side effect: see ``effects``)."""
        if isinstance(self.audio, LazyAudioSystem) and not self.audio.is_open:
            if isinstance(event, (IncomingCallReported, TransactionRequested, OutgoingCallStarted)):
                self._ready()  # a call is coming: open the devices now
            return
        audio = self.audio
        if isinstance(event, IncomingCallReported):
            if self._others_live(event.call_uuid):
                audio.tones.call_waiting()  # iOS beeps instead of ringing
            else:
                audio.ringer.start()
        elif _ends_ringing(event) and not self._ringing():
            audio.ringer.stop()

    def playing(self) -> dict[str, Any]:
        """What the call sounds are doing, for ``state``: the tone now sounding on the
        speaker (e.g. ``ringback-us``), whether ringback is wanted, and the ringer."""
        audio = self.audio
        opened = not isinstance(audio, LazyAudioSystem) or audio.is_open
        tone = audio.tones.player.current if opened else None
        return {
            "tone": tone.name if tone is not None else None,
            "ringback": self._ringback,
            "ringing": bool(opened and getattr(audio.ringer, "is_ringing", False)),
        }

    async def poll_devices(self) -> list[str]:
        """Hot-plug: re-scan devices; messages for the user (falls back mid-call)."""
        return [e.message for e in await self.audio.poll_async()]

    def close(self) -> None:
        self._unsubscribe()
        if self._task is not None:
            self._task.cancel()
        self.audio.close()


def _ends_ringing(event: object) -> bool:
    if isinstance(event, (CallConnected, CallEnded)):
        return True
    return isinstance(event, CallStateChanged) and event.old is CallState.RINGING
