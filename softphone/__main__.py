"""``python -m softphone``."""

from __future__ import annotations

import logging
import os
import sys

from softphone.cli import main


def _exit_now(code: int) -> None:
    """Leave without the interpreter's module teardown: by now the phone has ended its
    calls, unregistered and closed its files, and tearing down PySide6 and pjsua2
    module by module costs about a second of CPU (and runs C++ destructors in an order
    nobody chose)."""
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


if __name__ == "__main__":
    _exit_now(main())
