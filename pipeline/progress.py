"""Progress reports for long stages: items done, rate and time left.

Reports go to a callback (Dagster's ``context.log.info`` in assets), at most once per
``interval`` seconds plus once at the end. When ``CLAIMSET_PROGRESS_BAR=1`` (set by
``claimset run`` on a terminal) a tqdm bar is also drawn on stderr.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

BAR_ENV = "CLAIMSET_PROGRESS_BAR"

Item = TypeVar("Item")


class Progress:
    """Track ``total`` items of one stage and report ``done/total (rate/s, ETA)``."""

    def __init__(
        self,
        stage: str,
        total: int,
        unit: str,
        report: Callable[[str], None] | None = None,
        interval: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stage, self.total, self.unit = stage, total, unit
        self.report, self.interval, self.clock = report, interval, clock
        self.done = 0
        self.started = self.last_report = clock()
        self.bar = None
        if os.environ.get(BAR_ENV) == "1" and sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=stage, unit=f" {unit}", leave=False)

    def advance(self, count: int = 1) -> None:
        """Record ``count`` more items done; report if ``interval`` seconds have passed."""
        self.done += count
        if self.bar is not None:
            self.bar.update(count)
        now = self.clock()
        if self.report is not None and now - self.last_report >= self.interval:
            self.last_report = now
            self.report(self.message())

    def finish(self) -> None:
        """Report the final count and rate, and close the bar."""
        if self.bar is not None:
            self.bar.close()
        if self.report is not None:
            self.report(self.message())

    def message(self) -> str:
        """``stage: done/total unit (rate unit/s, ETA s)``."""
        elapsed = max(self.clock() - self.started, 1e-9)
        rate = self.done / elapsed
        left = (self.total - self.done) / rate if rate > 0 else float("inf")
        eta = "done" if self.done >= self.total else f"ETA {left:.0f} s"
        return (
            f"{self.stage}: {self.done}/{self.total} {self.unit} ({rate:,.0f} {self.unit}/s, {eta})"
        )


def tracked(items: Iterable[Item], progress: Progress | None) -> Iterator[Item]:
    """Yield ``items`` unchanged; after each item's work, advance ``progress`` by one, and
    finish it when the items run out. With ``progress`` None this is plain iteration."""
    for item in items:
        yield item
        if progress is not None:
            progress.advance()
    if progress is not None:
        progress.finish()
