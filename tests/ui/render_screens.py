"""Render every screen to PNG: ``python -m tests.ui.render_screens OUTDIR [--only NAME...]``.

Run it under Xvfb with ``QT_QPA_PLATFORM=xcb`` (the offscreen platform drops effects).
``test_screenshots.py`` runs it and compares the PNGs with ``tests/ui/reference``.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtGui import QGuiApplication

from softphone.ui._runner import ImmediateTaskRunner
from softphone.ui.fake_service import FakePhoneUiService
from softphone.ui.service import CallQuality, CallState, UiError
from softphone.ui.window import PhoneWindow, select_graphics_backend
from tests.ui import driver as d

#: 2026-11-23 09:41:00 UTC, iOS's famous demo time (render with TZ=UTC).
NOW = time.mktime((2026, 11, 23, 9, 41, 0, 0, 0, -1))

Setup = Callable[[PhoneWindow, FakePhoneUiService], None]


def _active(svc: FakePhoneUiService, handle: str = "+14155550100", name: str = "") -> str:
    uuid = svc.report_incoming(handle, name)
    svc.answer(uuid)
    return uuid


def _in_call(win: PhoneWindow, svc: FakePhoneUiService) -> None:
    uuid = _active(svc)
    svc.set_quality(uuid, CallQuality("PCMU", 4.3))


def _transfer_sheet(win: PhoneWindow, svc: FakePhoneUiService) -> None:
    svc.set_held(_active(svc, "+14155550199", "Ann"), True)
    _active(svc)  # Ann is held: the sheet offers the attended transfer to her too
    d.pump(300)
    d.click(win, "transferButton")
    d.type_text(win, "sip:carol@pbx.example.com")


def _dialing(state: CallState) -> Setup:
    def setup(win: PhoneWindow, svc: FakePhoneUiService) -> None:
        svc.dial("+442079460958")
        if state != CallState.DIALING:
            svc.progress(svc.calls()[0].uuid, state)

    return setup


def _keypad(win: PhoneWindow, svc: FakePhoneUiService) -> None:
    d.type_text(win, "4155550100")


def _tab(name: str) -> Setup:
    return lambda win, svc: d.click(win, f"tab_{name}")


def _details(win: PhoneWindow, svc: FakePhoneUiService) -> None:
    d.click(win, "tab_recents")
    d.click(win, "recentInfo_1")


def _add_contact(win: PhoneWindow, svc: FakePhoneUiService) -> None:
    d.click(win, "tab_contacts")
    d.click(win, "addContactButton")


def _incoming_locked(win: PhoneWindow, svc: FakePhoneUiService) -> None:
    svc.set_locked(True)
    svc.report_incoming("+14155550100")


def _expanded(win: PhoneWindow, svc: FakePhoneUiService) -> None:
    svc.report_incoming("+442079460958")
    d.pump(500)
    d.click(win, "bannerBody")


def _muted_held(win: PhoneWindow, svc: FakePhoneUiService) -> None:
    uuid = _active(svc)
    svc.set_muted(uuid, True)
    svc.set_held(uuid, True)


def _reconnecting(win: PhoneWindow, svc: FakePhoneUiService) -> None:
    uuid = _active(svc, name="Jane Appleseed")
    svc.set_media_lost(uuid, True)


def _remote_hold(win: PhoneWindow, svc: FakePhoneUiService) -> None:
    uuid = _active(svc, name="Jane Appleseed")
    svc.set_remote_hold(uuid, True)  # the other party put us on hold


def _encrypted(win: PhoneWindow, svc: FakePhoneUiService) -> None:
    svc.set_encrypted(_active(svc, name="Jane Appleseed"), True)


def _dtmf(win: PhoneWindow, svc: FakePhoneUiService) -> None:
    _active(svc)
    d.pump(400)
    d.click(win, "keypadButton")
    d.type_text(win, "123#")


def _routes(win: PhoneWindow, svc: FakePhoneUiService) -> None:
    _active(svc)
    d.pump(400)
    d.click(win, "audioButton")


def _waiting(win: PhoneWindow, svc: FakePhoneUiService) -> None:
    _active(svc)
    svc.report_incoming("+34612345678")


def _two_calls(win: PhoneWindow, svc: FakePhoneUiService) -> None:
    _active(svc)
    svc.hold_and_accept(svc.report_incoming("+34612345678"))


def _conference(win: PhoneWindow, svc: FakePhoneUiService) -> None:
    _two_calls(win, svc)
    svc.merge()


def _conference_list(win: PhoneWindow, svc: FakePhoneUiService) -> None:
    _conference(win, svc)
    d.pump(400)
    d.click(win, "conferenceInfo")


def _errors(win: PhoneWindow, svc: FakePhoneUiService) -> None:
    svc.set_registration("failed", "403 Forbidden")
    svc.add_error(UiError("call-1", "Call Failed", "+1 (415) 555-0199: 486 Busy Here"))


def _no_audio(win: PhoneWindow, svc: FakePhoneUiService) -> None:
    _in_call(win, svc)
    svc.set_device(audio_available=False, audio_reason="no PulseAudio server")


def _settings(win: PhoneWindow, svc: FakePhoneUiService) -> None:
    d.click(win, "settingsButton")


SCREENS: dict[str, Setup] = {
    "keypad": _keypad,
    "recents": _tab("recents"),
    "recent_details": _details,
    "contacts": _tab("contacts"),
    "add_contact": _add_contact,
    "favorites": _tab("favorites"),
    "voicemail": _tab("voicemail"),
    "settings": _settings,
    "lock": lambda win, svc: svc.set_locked(True),
    "incoming_locked": _incoming_locked,
    "incoming_banner": lambda win, svc: svc.report_incoming("+14155550100"),
    "incoming_expanded": _expanded,
    "outgoing_calling": _dialing(CallState.DIALING),
    "outgoing_ringing": _dialing(CallState.RINGING),
    "in_call": _in_call,
    "transfer_sheet": _transfer_sheet,
    "in_call_muted_held": _muted_held,
    "in_call_keypad": _dtmf,
    "in_call_reconnecting": _reconnecting,
    "in_call_remote_hold": _remote_hold,
    "in_call_encrypted": _encrypted,
    "audio_routes": _routes,
    "call_waiting": _waiting,
    "two_calls": _two_calls,
    "conference": _conference,
    "conference_list": _conference_list,
    "errors": _errors,
    "audio_unavailable": _no_audio,
}


def render(outdir: Path, names: list[str]) -> list[Path]:
    """Render ``names`` (all when empty) into ``outdir``; returns the files written."""
    outdir.mkdir(parents=True, exist_ok=True)
    scale = QGuiApplication.primaryScreen().devicePixelRatio()
    suffix = "" if scale == 1 else f"@{scale:g}x"
    written = []
    for name in names or list(SCREENS):
        svc = FakePhoneUiService(clock=lambda: NOW - 75)
        win = PhoneWindow(svc, runner=ImmediateTaskRunner(), clock=lambda: NOW, reduce_motion=True)
        win.window.requestActivate()
        d.pump(100)
        SCREENS[name](win, svc)
        d.pump(700)  # let transitions settle
        path = outdir / f"{name}{suffix}.png"
        win.window.grabWindow().save(str(path))
        written.append(path)
        win.close()
    return written


def main(argv: list[str]) -> int:
    select_graphics_backend()  # the same renderer as the app
    app = QGuiApplication(sys.argv[:1])
    outdir = Path(argv[0])
    names = argv[argv.index("--only") + 1 :] if "--only" in argv else []
    for path in render(outdir, names):
        print(path)
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
