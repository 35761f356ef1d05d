"""``python -m softphone.ui.inspector --demo``: the Inspector over a sample session."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m softphone.ui.inspector")
    parser.add_argument("--demo", action="store_true", help="show a sample session")
    parser.add_argument("--load", metavar="FILE.json", help="show a saved JSON session")
    parser.add_argument("--screenshot", metavar="FILE.png", help="save a PNG and quit")
    parser.add_argument(
        "--select-sip",
        type=int,
        default=-1,
        metavar="ROW",
        help="click this ladder row first (for screenshots)",
    )
    args = parser.parse_args(argv)
    if not args.demo and not args.load:
        parser.error("give --demo or --load FILE.json")

    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QGuiApplication

    from softphone.ui.inspector.export import SessionFileError, load_session
    from softphone.ui.inspector.sample import make_sample_feed
    from softphone.ui.inspector.window import open_inspector

    try:
        feed = load_session(args.load) if args.load else make_sample_feed()
    except SessionFileError as exc:
        print(exc, file=sys.stderr)
        return 2
    app = QGuiApplication(sys.argv[:1])
    app.setApplicationName("Softphone Inspector")
    inspector = open_inspector(feed)
    if args.select_sip >= 0:
        inspector.view_model.setCurrentCallIndex(2)
        inspector.view_model.selectSip(args.select_sip)
    if args.screenshot:

        def shoot() -> None:
            inspector.grab(Path(args.screenshot))
            app.quit()

        QTimer.singleShot(800, shoot)
    code = app.exec()
    inspector.close()
    return code


if __name__ == "__main__":
    sys.exit(main())
