"""Every screen rendered under Xvfb matches its committed reference image (with a tolerance).

Update the references after an intended change with
``TZ=UTC QT_QPA_PLATFORM=xcb xvfb-run -a python -m tests.ui.render_screens tests/ui/reference``
(and the same with ``QT_SCALE_FACTOR=2 ... --only keypad in_call`` for the HiDPI ones),
then look at them before committing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QImage

from tests.ui.render_screens import SCREENS

REFERENCE = Path(__file__).parent / "reference"
HIDPI = ("keypad", "in_call")
#: A pixel "differs" when a channel moves by more than this (antialiasing noise is below it).
CHANNEL_TOLERANCE = 40
#: At most this share of pixels may differ.
MAX_DIFFERING = 0.003


def _render(outdir: Path, scale: int, only: tuple[str, ...] = ()) -> None:
    env = {**os.environ, "TZ": "UTC", "QT_QPA_PLATFORM": "xcb", "QT_SCALE_FACTOR": str(scale)}
    cmd = [
        "xvfb-run",
        "-a",
        "-s",
        "-screen 0 1280x1024x24",
        sys.executable,
        "-m",
        "tests.ui.render_screens",
        str(outdir),
    ]
    if only:
        cmd += ["--only", *only]
    proc = subprocess.run(
        cmd, env=env, capture_output=True, text=True, timeout=240, cwd=Path(__file__).parents[2]
    )
    assert proc.returncode == 0, proc.stderr[-3000:]


def _pixels(path: Path) -> np.ndarray:
    image = QImage(str(path)).convertToFormat(QImage.Format.Format_RGBA8888)
    assert not image.isNull(), f"cannot read {path}"
    data = np.frombuffer(image.constBits(), dtype=np.uint8)
    rows = data.reshape(image.height(), image.bytesPerLine())[:, : image.width() * 4]
    return rows.reshape(image.height(), image.width(), 4).astype(np.int16)


def differing_share(a: Path, b: Path) -> float:
    """Share of pixels that differ noticeably (1.0 when the sizes differ)."""
    pa, pb = _pixels(a), _pixels(b)
    if pa.shape != pb.shape:
        return 1.0
    return float((np.abs(pa - pb).max(axis=2) > CHANNEL_TOLERANCE).mean())


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("xvfb-run") is None:
        pytest.fail("xvfb-run is required for screenshot tests (Debian package xvfb)")
    outdir = tmp_path_factory.mktemp("screens")
    _render(outdir, 1)
    _render(outdir, 2, HIDPI)
    return outdir


NAMES = [*SCREENS, *(f"{n}@2x" for n in HIDPI)]


@pytest.mark.parametrize("name", NAMES)
def test_screen_matches_reference(rendered: Path, name: str) -> None:
    """The screen looks like its reviewed reference image."""
    reference = REFERENCE / f"{name}.png"
    assert reference.exists(), f"no reference for {name}; render and review one (see module doc)"
    share = differing_share(rendered / f"{name}.png", reference)
    assert share <= MAX_DIFFERING, f"{name}: {share:.2%} of pixels differ from the reference"


def test_comparison_catches_a_change(rendered: Path) -> None:
    """Different screens do not pass as the same (the tolerance can fail)."""
    assert differing_share(rendered / "keypad.png", REFERENCE / "recents.png") > MAX_DIFFERING
    assert (
        differing_share(rendered / "in_call.png", REFERENCE / "in_call_muted_held.png")
        > MAX_DIFFERING
    )


def test_hidpi_is_rendered_at_device_pixels(rendered: Path) -> None:
    """At scale 2 the window is drawn at twice the pixels, not upscaled from 1x."""
    one, two = QImage(str(rendered / "keypad.png")), QImage(str(rendered / "keypad@2x.png"))
    assert (two.width(), two.height()) == (one.width() * 2, one.height() * 2)
