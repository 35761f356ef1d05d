"""Shared test set-up: Qt runs offscreen unless a test starts its own Xvfb."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# The fixtures QA teams use (softphone.testing) are tested in tests/qa.
pytest_plugins = ["softphone.testing"]
