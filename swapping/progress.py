"""A sign of life for long runs without a terminal: one line at most every 10 s (done, total, rate, ETA)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

PROGRESS_INTERVAL = 10.0   # seconds between two progress lines, at the least


def format_duration(seconds: float | None) -> str:
    """A short duration: 42 s, 7 min, 3.5 h; "?" while unknown."""
    if seconds is None:
        return "?"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


class ProgressLine:
    """Prints `what: done/total unit, rate unit/s, ETA t` to a stream, at most once per interval."""

    def __init__(self, what: str, unit: str, stream: TextIO | None = None,
                 interval: float = PROGRESS_INTERVAL, clock: Callable[[], float] = time.monotonic) -> None:
        self.what, self.unit, self.interval, self.clock = what, unit, interval, clock
        self.stream = stream
        self.start = self.last = clock()

    def __call__(self, done: int, total: int) -> None:
        """Note progress; print a line when the interval has passed since the last one (or the start)."""
        now = self.clock()
        if now - self.last < self.interval:
            return
        self.last = now
        elapsed = now - self.start
        rate = done / elapsed if elapsed > 0 else 0.0
        eta = (total - done) / rate if rate > 0 else None
        print(f"{self.what}: {done:,}/{total:,} {self.unit}, {rate:.2f} {self.unit}/s, "
              f"ETA {format_duration(eta)}", file=self.stream or sys.stderr, flush=True)
