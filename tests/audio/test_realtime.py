import sys
from collections.abc import Iterator

import pytest

from softphone.audio import prefer_audio_threads


@pytest.fixture
def restore_interval() -> Iterator[None]:
    saved = sys.getswitchinterval()
    yield
    sys.setswitchinterval(saved)


def test_shortens_the_gil_switch_interval(restore_interval: None) -> None:
    sys.setswitchinterval(0.005)
    assert prefer_audio_threads() == pytest.approx(0.005)
    assert sys.getswitchinterval() == pytest.approx(0.001)


@pytest.mark.parametrize("bad", [0.0, -1.0, 0.05, float("nan")])
def test_rejects_intervals_that_would_not_help(restore_interval: None, bad: float) -> None:
    before = sys.getswitchinterval()
    with pytest.raises(ValueError, match="switch interval"):
        prefer_audio_threads(bad)
    assert sys.getswitchinterval() == before
