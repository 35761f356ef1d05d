"""Fuzz batteries record how many inputs they sent; the test run prints the counts.

A battery calls :func:`record` once it has run (``record("SIP messages", 2400, crashes=0)``);
``tests/conftest.py`` prints every recorded line in pytest's terminal summary, so the counts
show in ``bash dev.sh test``'s output.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FuzzCount:
    battery: str
    inputs: int
    crashes: int
    note: str = ""


RECORDED: list[FuzzCount] = []


def record(battery: str, inputs: int, *, crashes: int = 0, note: str = "") -> None:
    """Note that ``battery`` sent ``inputs`` inputs and saw ``crashes`` crashes."""
    RECORDED.append(FuzzCount(battery, inputs, crashes, note))
