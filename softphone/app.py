"""``softphone run``: the phone window (Qt Quick)."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from typing import TYPE_CHECKING

from softphone import APP_NAME, __version__

if TYPE_CHECKING:
    from softphone.ui.service import PhoneUiService


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of the window."""
    parser.add_argument(
        "--headless",
        action="store_true",
        help="no window: run the phone with the offscreen Qt platform (for CI and scripts)",
    )
    parser.add_argument(
        "--quit-after",
        type=float,
        default=None,
        metavar="SECONDS",
        help="quit by itself after this many seconds (smoke tests)",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="run a scripted tour (call the echo line, DTMF, hold, answer a call) "
        "and exit 0 only if every step passed",
    )
    parser.add_argument(
        "--ui-demo",
        action="store_true",
        help="screens only, on an in-memory phone: calls ring, connect and arrive by themselves",
    )


def _has_display() -> bool:
    if sys.platform != "linux":
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run(args: argparse.Namespace, service: PhoneUiService | None = None) -> int:
    """Open the window and run the event loop until it closes.

    ``service`` is the phone behind the screens; without one the in-memory demo phone
    is used (``--ui-demo`` also makes its calls ring, connect and arrive by themselves).
    """
    if args.headless:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    elif not _has_display() and not os.environ.get("QT_QPA_PLATFORM"):
        print(
            f"{APP_NAME}: no display found (DISPLAY/WAYLAND_DISPLAY unset). "
            "Run it on a desktop, under `xvfb-run -a`, or with --headless.",
            file=sys.stderr,
        )
        return 2
    if service is None and not getattr(args, "ui_demo", False):
        from softphone import session

        return session.run(args)
    return _run_screens(args, service)


def _run_screens(args: argparse.Namespace, service: PhoneUiService | None) -> int:
    """The window on a given (or the in-memory demo) service, no SIP behind it."""
    import qasync
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QGuiApplication

    from softphone.ui.window import PhoneWindow, QmlLoadError

    app = QGuiApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    demo = bool(getattr(args, "ui_demo", False))
    phone = service if service is not None else _demo_service(demo)
    try:
        window = PhoneWindow(phone, profile=getattr(args, "profile", "default"))
    except QmlLoadError as exc:
        print(f"{APP_NAME}: {exc}", file=sys.stderr)
        return 1
    if args.quit_after is not None:
        QTimer.singleShot(int(args.quit_after * 1000), app.quit)
    try:
        with loop:
            status = loop.run_until_complete(_until_quit(app))
    finally:
        window.close()
    return status


async def _until_quit(app: object) -> int:
    done: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    def finish() -> None:
        if not done.done():
            done.set_result(0)

    app.aboutToQuit.connect(finish)  # type: ignore[attr-defined]
    return await done


def _demo_service(scripted: bool) -> PhoneUiService:
    from PySide6.QtCore import QCoreApplication, QTimer

    from softphone.ui.fake_service import FakePhoneUiService
    from softphone.ui.service import CallQuality

    def later(delay: float, fn: object) -> None:
        QTimer.singleShot(int(delay * 1000), fn)  # type: ignore[call-overload]

    fake = FakePhoneUiService(auto_progress=(1.5, 2.5) if scripted else None, call_later=later)
    if scripted:
        later(4.0, lambda: fake.report_incoming("+14155550100"))

        def quality() -> None:
            for call in fake.calls():
                fake.set_quality(call.uuid, CallQuality("PCMU", 4.3, jitter_ms=8))

        timer = QTimer(QCoreApplication.instance())
        timer.setInterval(2000)
        timer.timeout.connect(quality)
        timer.start()
    return fake
