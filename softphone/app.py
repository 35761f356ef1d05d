"""``softphone run``: the phone window (Qt Quick)."""

from __future__ import annotations

import argparse
import os
import sys

from softphone import APP_NAME, __version__


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


def _has_display() -> bool:
    if sys.platform != "linux":
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run(args: argparse.Namespace) -> int:
    """Open the window and run the event loop until it closes."""
    if args.headless:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    elif not _has_display() and not os.environ.get("QT_QPA_PLATFORM"):
        print(
            f"{APP_NAME}: no display found (DISPLAY/WAYLAND_DISPLAY unset). "
            "Run it on a desktop, under `xvfb-run -a`, or with --headless.",
            file=sys.stderr,
        )
        return 2
    from softphone import session

    return session.run(args)


def _placeholder(args: argparse.Namespace) -> int:
    from PySide6.QtCore import QTimer, QUrl
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtQml import QQmlApplicationEngine

    from softphone.resources import resource_path

    app = QGuiApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    engine = QQmlApplicationEngine()
    engine.setInitialProperties({"appVersion": __version__, "profile": args.profile})
    engine.load(QUrl.fromLocalFile(str(resource_path("qml", "Main.qml"))))
    if not engine.rootObjects():
        print(f"{APP_NAME}: the QML user interface failed to load", file=sys.stderr)
        return 1
    if args.quit_after is not None:
        QTimer.singleShot(int(args.quit_after * 1000), app.quit)
    return app.exec()
