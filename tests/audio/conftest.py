"""Fixtures for real-device tests: one private PulseAudio per test module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .pulse_server import PulseServer, serving


@pytest.fixture(scope="module")
def pulse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PulseServer]:
    """A private headless PulseAudio with virtual mic/speaker/ringer; this process
    talks to it through PULSE_SERVER for the module's duration."""
    directory: Path = tmp_path_factory.mktemp("pulse")
    with serving(directory) as server:
        yield server
