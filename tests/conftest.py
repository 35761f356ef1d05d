"""Shared test set-up: Qt runs offscreen unless a test starts its own Xvfb."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# The fixtures QA teams use (softphone.testing) are tested in tests/qa.
pytest_plugins = ["softphone.testing"]


def pytest_terminal_summary(terminalreporter: object) -> None:
    """Print the fuzz batteries' counts (tests/fuzz_counts.py)."""
    from tests.fuzz_counts import RECORDED

    if not RECORDED:
        return
    tr = terminalreporter
    tr.section("fuzz batteries")  # type: ignore[attr-defined]
    for c in RECORDED:
        extra = f" ({c.note})" if c.note else ""
        tr.write_line(  # type: ignore[attr-defined]
            f"{c.battery}: {c.inputs} inputs, {c.crashes} crashes{extra}"
        )
