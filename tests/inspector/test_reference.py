"""Pixel check: the demo window rendered under Xvfb (platform xcb) matches the reference PNG.

Regenerate the reference after an intended visual change with
``python -m softphone.ui.inspector --demo --select-sip 8 --screenshot
tests/inspector/reference/inspector_demo.png`` under ``xvfb-run -a`` and LOOK at it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QImage

REFERENCE = Path(__file__).parent / "reference" / "inspector_demo.png"
# Tolerances: anti-aliasing and font hinting may differ a little between machines.
MAX_CHANGED_FRACTION = 0.01  # pixels whose colour moved by more than 48 of 255
MAX_MEAN_DIFF = 2.0

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="Xvfb exists on Linux only")


@pytest.fixture(scope="module")
def xvfb_display() -> Iterator[str]:
    """A private Xvfb server; killed at the end."""
    xvfb = shutil.which("Xvfb")
    assert xvfb, "Xvfb is missing: apt-get install xvfb"
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        [xvfb, "-displayfd", str(write_fd), "-screen", "0", "1600x1000x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    try:
        with os.fdopen(read_fd) as pipe:
            number = pipe.readline().strip()
        assert number, "Xvfb did not report a display"
        yield f":{number}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def render(display: str, out: Path, *extra: str) -> QImage:
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
    cmd = [sys.executable, "-m", "softphone.ui.inspector", "--demo", "--screenshot", str(out)]
    subprocess.run(
        cmd + list(extra), env=env, timeout=90, check=True, cwd=Path(__file__).parents[2]
    )
    image = QImage(str(out))
    assert not image.isNull(), f"no screenshot at {out}"
    return image


def pixels(image: QImage) -> np.ndarray:
    rgb = image.convertToFormat(QImage.Format.Format_RGB32)
    arr = np.frombuffer(rgb.constBits(), dtype=np.uint8, count=rgb.sizeInBytes())
    # Copy: the converted QImage owns the memory and dies when this function returns.
    return arr.reshape(rgb.height(), rgb.bytesPerLine() // 4, 4)[:, : rgb.width(), :3].copy()


def difference(a: QImage, b: QImage) -> tuple[float, float]:
    """(fraction of clearly changed pixels, mean absolute channel difference)."""
    assert (a.width(), a.height()) == (b.width(), b.height()), "sizes differ"
    diff = np.abs(pixels(a).astype(np.int16) - pixels(b).astype(np.int16))
    return float((diff.max(axis=2) > 48).mean()), float(diff.mean())


class TestReferenceImage:
    def test_demo_window_matches_the_reference(self, xvfb_display: str, tmp_path: Path) -> None:
        """The demo (Bob's call, hold re-INVITE selected) looks like the committed PNG."""
        shot = render(xvfb_display, tmp_path / "demo.png", "--select-sip", "8")
        changed, mean = difference(shot, QImage(str(REFERENCE)))
        if changed > MAX_CHANGED_FRACTION or mean > MAX_MEAN_DIFF:
            shot.save(str(tmp_path / "actual.png"))
        assert changed <= MAX_CHANGED_FRACTION, f"{changed:.2%} of pixels changed; see {tmp_path}"
        assert mean <= MAX_MEAN_DIFF

    def test_comparison_notices_a_different_window(self, xvfb_display: str, tmp_path: Path) -> None:
        """A window in another state (all calls, nothing selected) fails the same tolerance."""
        other = render(xvfb_display, tmp_path / "other.png")
        changed, _ = difference(other, QImage(str(REFERENCE)))
        assert changed > MAX_CHANGED_FRACTION
