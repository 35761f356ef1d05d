"""``python -m softphone``."""

from __future__ import annotations

import sys

from softphone.cli import main

if __name__ == "__main__":
    sys.exit(main())
