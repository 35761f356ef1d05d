"""Clock-drift compensation between two audio clocks meeting at a ring buffer.

The writer runs on one clock (a sound card, or PJSIP's timer), the reader on another;
they never agree exactly (typically 50-500 ppm), so a plain FIFO either runs dry or
fills up. :class:`DriftCompensator` sits on the reading side and resamples by a ratio
near 1.0 (linear interpolation) that a proportional controller drives from the
smoothed ring fill: more buffered than the target -> read slightly faster. Only when
the fill goes far past the target (a stall, a burst after a device switch) does it
jump back to the target, and after running dry it waits until the target is buffered
again instead of stuttering sample by sample.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from softphone.audio.ring import FloatArray, SampleRing


@dataclass
class DriftStats:
    """What the compensator did so far (read by the UI/benchmarks, not hot)."""

    underruns: int = 0
    resyncs: int = 0
    ratio: float = 1.0
    smoothed_fill: float = 0.0


class DriftCompensator:
    """Reads fixed-size blocks from a :class:`SampleRing` at an adaptive rate.

    :param ring: the ring to drain.
    :param target_fill: samples to keep buffered (the latency this side adds).
    :param max_block: the largest block :meth:`read` will be asked for.
    :param max_adjust: largest rate correction (0.005 = 0.5 %, inaudible on speech;
        real clocks differ by 0.005-0.05 %).
    :param gain: proportional gain from relative fill error to rate correction.
    :param max_target: let underruns raise the target up to this (adaptive playout
        under CPU/GIL pressure); default: fixed target.
    """

    def __init__(
        self,
        ring: SampleRing,
        target_fill: int,
        max_block: int,
        *,
        max_adjust: float = 0.005,
        gain: float = 0.02,
        smoothing: float = 0.02,
        resync_factor: float = 4.0,
        max_target: int | None = None,
        relax_after: int = 500,
    ) -> None:
        if target_fill <= 0 or max_block <= 0:
            raise ValueError("target_fill and max_block must be positive")
        self.ring = ring
        self.target_fill = target_fill
        self._max_adjust = max_adjust
        self._gain = gain
        self._alpha = smoothing
        self._resync_factor = resync_factor
        self._resync_at = int(target_fill * resync_factor)
        # Adaptive playout: each underrun raises the target by a quarter (up to
        # max_target); ``relax_after`` clean reads lower it by an eighth again.
        self.base_target = target_fill
        self._max_target = max_target if max_target is not None else target_fill
        self._relax_after = relax_after
        self._clean_reads = 0
        self._frac = 0.0
        self._priming = True
        self.stats = DriftStats(smoothed_fill=float(target_fill))
        span = int(max_block * (1 + max_adjust)) + 3
        self._k = np.arange(max(max_block, span), dtype=np.float64)
        self._pos = np.empty(max_block, dtype=np.float64)
        self._x = np.empty(span, dtype=np.float32)

    def reset(self) -> None:
        """Forget the clock history and wait for the target fill again."""
        self._frac = 0.0
        self._priming = True
        self._set_target(self.base_target)
        self.stats.ratio = 1.0
        self.stats.smoothed_fill = float(self.target_fill)

    def read(self, out: FloatArray) -> bool:
        """Fill ``out`` with resampled audio; silence when starved. Returns whether
        ``out`` holds real audio."""
        n = len(out)
        fill = self.ring.fill
        if self._priming:
            if fill < self.target_fill:
                out[:] = 0.0
                return False
            # Start exactly at the target: audio resumes after silence anyway, and
            # the controller is left with real clock drift only (no pitch bend
            # while it works off the start-up surplus).
            self.ring.skip(fill - self.target_fill)
            fill = self.target_fill
            self._priming = False
        if fill > self._resync_at:
            self.ring.skip(fill - self.target_fill)
            self.stats.resyncs += 1
            fill = self.target_fill
            self.stats.smoothed_fill = float(fill)
        ratio = self._update_ratio(fill)
        last = self._frac + ratio * (n - 1)
        need = int(last) + 2
        advance = self._frac + ratio * n
        consumed = int(advance)
        if not self.ring.peek_and_skip(self._x[:need], consumed):
            out[:] = 0.0
            self.stats.underruns += 1
            self._priming = True
            self._frac = 0.0
            self._set_target(self.target_fill + max(1, self.base_target // 4))
            return False
        self._clean_reads += 1
        if self._clean_reads >= self._relax_after and self.target_fill > self.base_target:
            self._set_target(self.target_fill - max(1, self.base_target // 8))
        self._interpolate(out, ratio, n, need)
        self._frac = advance - consumed
        return True

    def _set_target(self, target: int) -> None:
        self.target_fill = max(self.base_target, min(self._max_target, target))
        self._resync_at = int(self.target_fill * self._resync_factor)
        self._clean_reads = 0

    def _update_ratio(self, fill: int) -> float:
        stats = self.stats
        stats.smoothed_fill += self._alpha * (fill - stats.smoothed_fill)
        error = (stats.smoothed_fill - self.target_fill) / self.target_fill
        adjust = min(self._max_adjust, max(-self._max_adjust, self._gain * error))
        stats.ratio = 1.0 + adjust
        return stats.ratio

    def _interpolate(self, out: FloatArray, ratio: float, n: int, need: int) -> None:
        """Linear interpolation of ``self._x[:need]`` at ``frac + ratio * k``: one
        ``np.interp`` (C) instead of ten small ufunc calls (each ~1-10 us on an audio
        thread whose caches went cold since the last 10-20 ms block)."""
        pos = self._pos[:n]
        np.multiply(self._k[:n], ratio, out=pos)
        pos += self._frac
        out[:] = np.interp(pos, self._k[:need], self._x[:need])
