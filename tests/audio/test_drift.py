"""Ring buffer and clock-drift compensation, with simulated device clocks."""

from __future__ import annotations

import numpy as np
import pytest

from softphone.audio._format import FRAME_SAMPLES, SAMPLE_RATE
from softphone.audio.drift import DriftCompensator
from softphone.audio.ring import SampleRing


class TestSampleRing:
    def test_fifo_order_across_wraparound(self) -> None:
        """Samples come out in the order written, also across the end of the buffer."""
        ring = SampleRing(8)
        out = np.zeros(5, dtype=np.float32)
        ring.write(np.arange(5, dtype=np.float32))
        assert ring.read(out) == 5
        ring.write(np.arange(5, 11, dtype=np.float32))
        assert ring.read(out) == 5 and list(out) == [5, 6, 7, 8, 9]
        assert ring.fill == 1

    def test_overflow_drops_oldest_and_counts(self) -> None:
        """Writing past capacity keeps the newest samples and counts one overrun."""
        ring = SampleRing(4)
        ring.write(np.arange(6, dtype=np.float32))
        out = np.zeros(4, dtype=np.float32)
        assert ring.read(out) == 4 and list(out) == [2, 3, 4, 5]
        assert ring.overruns == 1

    def test_rejects_bad_capacity(self) -> None:
        """A ring needs room for at least one sample."""
        with pytest.raises(ValueError, match="positive"):
            SampleRing(0)


def _simulate(ppm: float, seconds: float, block: int = 256) -> tuple[DriftCompensator, np.ndarray]:
    """Writer on a clock ``ppm`` off nominal (device blocks of ``block`` samples, a
    1 kHz sine), reader pulling 20 ms frames at exactly nominal rate."""
    ring = SampleRing(SAMPLE_RATE // 2)
    comp = DriftCompensator(ring, target_fill=640, max_block=FRAME_SAMPLES)
    writer_rate = SAMPLE_RATE * (1 + ppm / 1e6)
    written = 0
    out = []
    frame = np.zeros(FRAME_SAMPLES, dtype=np.float32)
    for i in range(int(seconds * 50)):
        now = (i + 1) * FRAME_SAMPLES / SAMPLE_RATE
        while written + block <= now * writer_rate:
            t = (written + np.arange(block)) / writer_rate
            ring.write(np.sin(2 * np.pi * 1000 * t).astype(np.float32))
            written += block
        comp.read(frame)
        out.append(frame.copy())
    return comp, np.concatenate(out)


class TestDriftCompensator:
    @pytest.mark.parametrize("ppm", [-2000.0, -300.0, 300.0, 2000.0])
    def test_fill_stays_near_target_with_drifting_clock(self, ppm: float) -> None:
        """A writer clock off by up to 0.2 % neither starves nor floods the reader:
        after settling, no underruns or resyncs, and the rate ratio tracks the drift."""
        comp, _ = _simulate(ppm, seconds=20)
        settled = comp.stats.underruns, comp.stats.resyncs
        comp_more, _audio = _simulate(ppm, seconds=120)
        assert (comp_more.stats.underruns, comp_more.stats.resyncs) == settled
        assert settled[1] == 0
        assert (comp_more.stats.ratio - 1) * ppm > 0  # reads faster from a faster writer
        # Uncompensated, 300 ppm over 120 s would move the fill by 576 samples.
        assert abs(comp_more.stats.smoothed_fill - 640) < 200

    def test_output_is_a_clean_tone(self) -> None:
        """Resampling keeps the tone clean: at most -40 dB of energy off the 1 kHz peak."""
        _, audio = _simulate(1000.0, seconds=30)
        tail = audio[-SAMPLE_RATE * 4 :].astype(np.float64)
        spectrum = np.abs(np.fft.rfft(tail * np.hanning(len(tail)))) ** 2
        freqs = np.fft.rfftfreq(len(tail), 1 / SAMPLE_RATE)
        near = np.abs(freqs - 1000) < 20
        assert spectrum[~near].sum() / spectrum[near].sum() < 1e-4

    def test_without_compensation_a_fast_clock_would_overflow(self) -> None:
        """Control experiment: the same fast writer into a plain FIFO overruns."""
        ring = SampleRing(SAMPLE_RATE // 2)
        out = np.zeros(FRAME_SAMPLES, dtype=np.float32)
        block = np.zeros(FRAME_SAMPLES + 2, dtype=np.float32)  # +0.6 %
        for _ in range(120 * 50):
            ring.write(block)
            ring.read(out)
        assert ring.overruns > 0

    def test_starved_reader_outputs_silence_then_waits_for_target(self) -> None:
        """Running dry gives silence and one underrun, and reading resumes only once
        the target fill is buffered again (no sample-by-sample stutter)."""
        ring = SampleRing(4000)
        comp = DriftCompensator(ring, target_fill=640, max_block=320)
        frame = np.ones(320, dtype=np.float32)
        ring.write(np.ones(700, dtype=np.float32))
        assert comp.read(frame) and comp.read(frame)
        assert not comp.read(frame) and not frame.any()
        assert comp.stats.underruns == 1
        ring.write(np.ones(400, dtype=np.float32))
        assert not comp.read(frame)  # 460 < 640 buffered: still priming
        ring.write(np.ones(400, dtype=np.float32))
        assert comp.read(frame) and frame.all()

    def test_start_skips_surplus_beyond_target(self) -> None:
        """When priming ends, audio beyond the target is dropped at once (no pitch
        bend while the controller would work it off)."""
        ring = SampleRing(8000)
        comp = DriftCompensator(ring, target_fill=640, max_block=320)
        ring.write(np.ones(900, dtype=np.float32))
        assert comp.read(np.zeros(320, dtype=np.float32))
        assert ring.fill == 320 and comp.stats.ratio == 1.0

    def test_large_backlog_jumps_back_to_target(self) -> None:
        """A burst far past the target is cut to the target once (a resync)."""
        ring = SampleRing(8000)
        comp = DriftCompensator(ring, target_fill=640, max_block=320)
        frame = np.zeros(320, dtype=np.float32)
        ring.write(np.ones(640, dtype=np.float32))
        assert comp.read(frame)
        ring.write(np.ones(5000, dtype=np.float32))
        assert comp.read(frame)
        assert comp.stats.resyncs == 1
        assert 300 <= ring.fill <= 340


class TestAdaptivePlayout:
    def test_underruns_raise_the_target_and_calm_lowers_it(self) -> None:
        """Each underrun adds a quarter of the base target (capped); after enough
        clean reads the target steps back down towards the base."""
        ring = SampleRing(16000)
        comp = DriftCompensator(ring, 640, 320, max_target=1000, relax_after=10)
        frame = np.zeros(320, dtype=np.float32)
        for expected in (800, 960, 1000):
            ring.write(np.ones(comp.target_fill, dtype=np.float32))
            while comp.read(frame):
                pass
            assert comp.target_fill == expected
        ring.write(np.ones(1000, dtype=np.float32))
        for _ in range(10):
            ring.write(np.ones(320, dtype=np.float32))
            assert comp.read(frame)
        assert comp.target_fill == 920
        comp.reset()
        assert comp.target_fill == 640
