"""A bounded single-producer/single-consumer ring of float32 samples."""

from __future__ import annotations

import threading

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]


class SampleRing:
    """Fixed-capacity sample FIFO shared by two threads (a device callback and PJSIP's
    clock thread). Writing past capacity drops the oldest samples and counts an
    overrun; nothing here allocates after construction."""

    def __init__(self, capacity: int) -> None:
        if capacity <= 0:
            raise ValueError(f"ring capacity must be positive, got {capacity}")
        self._buf = np.zeros(capacity, dtype=np.float32)
        self._cap = capacity
        self._read = 0  # absolute sample counters; index = counter % capacity
        self._write = 0
        self._lock = threading.Lock()
        self.overruns = 0

    @property
    def capacity(self) -> int:
        return self._cap

    @property
    def fill(self) -> int:
        """Samples waiting to be read."""
        return self._write - self._read

    def write(self, samples: FloatArray) -> None:
        """Append samples; on overflow the oldest are dropped (and counted)."""
        n = len(samples)
        truncated = n > self._cap
        if truncated:
            samples = samples[n - self._cap :]
            n = self._cap
        with self._lock:
            overflow = self._write + n - self._read - self._cap
            if overflow > 0 or truncated:
                self._read += max(0, overflow)
                self.overruns += 1
            start = self._write % self._cap
            first = min(n, self._cap - start)
            self._buf[start : start + first] = samples[:first]
            if first < n:
                self._buf[: n - first] = samples[first:]
            self._write += n

    def peek(self, out: FloatArray) -> int:
        """Copy up to ``len(out)`` samples without consuming them; returns the count."""
        with self._lock:
            n = min(len(out), self._write - self._read)
            start = self._read % self._cap
            first = min(n, self._cap - start)
            out[:first] = self._buf[start : start + first]
            if first < n:
                out[first:n] = self._buf[: n - first]
            return n

    def peek_and_skip(self, out: FloatArray, n: int) -> bool:
        """Copy ``len(out)`` samples without consuming them, then consume ``n`` of
        them (``n <= len(out)``), under one lock; False (nothing done) when fewer than
        ``len(out)`` are buffered."""
        need = len(out)
        with self._lock:
            if self._write - self._read < need:
                return False
            start = self._read % self._cap
            first = self._cap - start
            if first >= need:
                out[:] = self._buf[start : start + need]
            else:
                out[:first] = self._buf[start:]
                out[first:] = self._buf[: need - first]
            self._read += n
            return True

    def latest(self, out: FloatArray) -> int:
        """Copy the ``len(out)`` most recently written samples (read or not: a level
        meter's view); returns the count (fewer before that many were written)."""
        with self._lock:
            n = min(len(out), self._write, self._cap)
            start = (self._write - n) % self._cap
            first = min(n, self._cap - start)
            out[:first] = self._buf[start : start + first]
            if first < n:
                out[first:n] = self._buf[: n - first]
            return n

    def skip(self, n: int) -> int:
        """Consume (discard) up to ``n`` samples; returns how many were consumed."""
        with self._lock:
            n = max(0, min(n, self._write - self._read))
            self._read += n
            return n

    def read(self, out: FloatArray) -> int:
        """Consume up to ``len(out)`` samples into ``out``; returns the count."""
        with self._lock:
            n = min(len(out), self._write - self._read)
            start = self._read % self._cap
            first = min(n, self._cap - start)
            out[:first] = self._buf[start : start + first]
            if first < n:
                out[first:n] = self._buf[: n - first]
            self._read += n
            return n

    def clear(self) -> None:
        """Drop everything buffered."""
        with self._lock:
            self._read = self._write
