"""Tests of stage progress reports."""

from __future__ import annotations

from pipeline.progress import Progress


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_reports_rate_and_eta_at_most_once_per_interval() -> None:
    clock = FakeClock()
    messages: list[str] = []
    progress = Progress("sentences", 100, "documents", messages.append, interval=5, clock=clock)
    clock.now = 1.0
    progress.advance(10)
    assert messages == []
    clock.now = 5.0
    progress.advance(40)
    assert messages == ["sentences: 50/100 documents (10 documents/s, ETA 5 s)"]
    clock.now = 6.0
    progress.advance(10)
    assert len(messages) == 1
    clock.now = 10.0
    progress.advance(40)
    progress.finish()
    assert messages[-1] == "sentences: 100/100 documents (10 documents/s, done)"


def test_tracked_advances_after_each_item_and_finishes() -> None:
    from pipeline.progress import tracked

    clock = FakeClock()
    messages: list[str] = []
    progress = Progress("clean", 3, "inputs", messages.append, interval=100, clock=clock)
    seen = []
    for item in tracked(["a", "b", "c"], progress):
        seen.append((item, progress.done))
        clock.now += 1.0
    assert seen == [("a", 0), ("b", 1), ("c", 2)]
    assert progress.done == 3
    assert messages == ["clean: 3/3 inputs (1 inputs/s, done)"]
    assert list(tracked(iter("xy"), None)) == ["x", "y"]
