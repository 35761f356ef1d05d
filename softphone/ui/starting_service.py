"""The screens' service while the phone starts.

The window is drawn before the SIP engine, CallKit, the control API and the rest of the
phone are even imported (as iOS draws the Phone app at once): until :meth:`attach` hands
over to the running phone's service, the screens show the accounts as registering and
no calls, and an intent says the phone is still starting.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from softphone.settings import Settings
from softphone.ui.service import (
    AccountStatus,
    AudioRoute,
    CallSnapshot,
    DeviceSnapshot,
    IntentResult,
    PhoneUiService,
    Subscribers,
    UiError,
)


class PhoneStartingError(RuntimeError):
    """An intent arrived before the phone was running."""


class StartingPhoneService:
    """A :class:`PhoneUiService` (and ``LabService``) that forwards to the real one once
    it is attached; before that it shows the phone as it looks while starting."""

    def __init__(self, settings: Settings, *, test_line: bool = True) -> None:
        self._settings = settings
        self._test_line = test_line
        self._real: Any = None
        self._subscribers = Subscribers()

    @property
    def attached(self) -> bool:
        return self._real is not None

    def attach(self, real: PhoneUiService) -> None:
        """From now on the screens see ``real``; they are told to re-read everything."""
        self._real = real
        real.subscribe(self._notify)
        self._notify()

    def _notify(self) -> None:
        self._subscribers.notify()

    def _running(self) -> Any:
        if self._real is None:
            raise PhoneStartingError("The phone is still starting; try again in a moment.")
        return self._real

    # ---- state ---------------------------------------------------------------------------

    def calls(self) -> list[CallSnapshot]:
        return self._real.calls() if self._real is not None else []

    def device(self) -> DeviceSnapshot:
        if self._real is not None:
            return self._real.device()
        accounts = tuple(
            AccountStatus(
                acc.id,
                acc.display_name or acc.uri,
                "registering" if acc.enabled else "disabled",
            )
            for acc in self._settings.accounts
        )
        if not accounts and self._test_line:
            accounts = (AccountStatus("test-line", "Test line (no server)", "registered"),)
        return DeviceSnapshot(
            accounts=accounts,
            audio_routes=(AudioRoute("default", "System default", "receiver", True),),
        )

    def errors(self) -> list[UiError]:
        return self._real.errors() if self._real is not None else []

    def subscribe(self, callback: Callable[[], None]) -> Callable[[], None]:
        return self._subscribers.add(callback)

    # ---- intents (the running phone's, or "still starting") ----------------------------

    def dial(self, target: str) -> IntentResult:
        return self._running().dial(target)

    def answer(self, uuid: str) -> IntentResult:
        return self._running().answer(uuid)

    def decline(self, uuid: str) -> IntentResult:
        return self._running().decline(uuid)

    def end(self, uuid: str) -> IntentResult:
        return self._running().end(uuid)

    def set_muted(self, uuid: str, muted: bool) -> IntentResult:
        return self._running().set_muted(uuid, muted)

    def set_held(self, uuid: str, held: bool) -> IntentResult:
        return self._running().set_held(uuid, held)

    def send_dtmf(self, uuid: str, digits: str) -> IntentResult:
        return self._running().send_dtmf(uuid, digits)

    def swap(self) -> IntentResult:
        return self._running().swap()

    def merge(self) -> IntentResult:
        return self._running().merge()

    def unmerge(self, uuid: str) -> IntentResult:
        return self._running().unmerge(uuid)

    def transfer(self, uuid: str, to: str) -> IntentResult:
        return self._running().transfer(uuid, to)

    def hold_and_accept(self, uuid: str) -> IntentResult:
        return self._running().hold_and_accept(uuid)

    def end_and_accept(self, uuid: str) -> IntentResult:
        return self._running().end_and_accept(uuid)

    def set_audio_route(self, device_id: str) -> IntentResult:
        return self._running().set_audio_route(device_id)

    def set_locked(self, locked: bool) -> IntentResult:
        return self._running().set_locked(locked)

    def set_do_not_disturb(self, enabled: bool) -> IntentResult:
        return self._running().set_do_not_disturb(enabled)

    def dismiss_error(self, error_id: str) -> IntentResult:
        return self._running().dismiss_error(error_id)

    def is_blocked(self, handle: str) -> bool:
        return self._real is not None and bool(self._real.is_blocked(handle))

    def set_blocked(self, handle: str, blocked: bool) -> IntentResult:
        return self._running().set_blocked(handle, blocked)

    def settings(self) -> dict[str, Any]:
        if self._real is not None:
            return self._real.settings()
        return settings_view(self._settings)  # the device lists come with the phone

    def apply_settings(self, settings: dict[str, Any]) -> IntentResult:
        return self._running().apply_settings(settings)

    # ---- the QA lab ------------------------------------------------------------------------

    def lab(self, name: str, options: dict[str, Any]) -> Awaitable[str]:
        return self._running().lab(name, options)

    def diagnostics(self) -> str:
        return str(self._running().diagnostics())


CODECS = ("PCMU", "PCMA", "G722", "speex", "iLBC", "GSM")


def settings_view(
    s: Settings, inputs: list[str] | None = None, outputs: list[str] | None = None
) -> dict[str, Any]:
    """The Settings page's data: accounts, audio devices, codecs, transport, DTMF, push."""
    enabled = {c.split("/", 1)[0] for c in s.sip.codecs}
    return {
        "accounts": [
            {
                "id": a.id,
                "label": a.display_name or a.uri,
                "uri": a.uri,
                "registrar": a.registrar,
                "enabled": a.enabled,
            }
            for a in s.accounts
        ],
        "audio": {
            "input": s.audio.microphone or "default",
            "output": s.audio.speaker or "default",
            "inputs": ["default", *(inputs or [])],
            "outputs": ["default", *(outputs or [])],
        },
        "codecs": [{"name": c, "enabled": c in enabled} for c in CODECS],
        "transport": (s.accounts[0].transport if s.accounts else "udp"),
        "dtmf_method": s.sip.dtmf_method,
        "push": {
            "enabled": s.push.enabled,
            "provider": "apns",
            "environment": s.push.environment,
        },
    }
