"""Shared fixtures: small raw corpora written by the tests, and the shared data beside the repo."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Shared, noisy machines: property tests are judged on correctness, never on speed.
settings.register_profile("claimset", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("claimset")

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = REPO_ROOT.parent / "shared"
SHARED_CORPUS = SHARED_DIR / "corpus"

ESSAY = (
    "China’s factories are changing fast. Industrial robot installations rose 7% in 2023, "
    "according to the International Federation of Robotics.\n"
    "Dr. Chen said the U.S. market is expected to follow. Output will double by 2030.\n"
    "The 14th Five-Year Plan sets targets for the digital economy."
)

CHINESE = "新质生产力正在重塑制造业。新能源汽车产量增长了35.8%！这意味着什么？"


def write_corpus(raw_dir: Path) -> dict[str, int]:
    """Write a small corpus with one of each kind of input; return the expected accounting:
    inputs, accepted documents and rejects."""
    raw_dir.mkdir(parents=True, exist_ok=True)
    (raw_dir / "essay.txt").write_text(ESSAY, encoding="utf-8")
    (raw_dir / "essay copy.txt").write_text(ESSAY, encoding="utf-8")
    (raw_dir / "zh.txt").write_text(CHINESE, encoding="utf-8")
    (raw_dir / "page.html").write_text(
        "<html><head><title>Batteries</title></head><body><nav>Home | News</nav><article>"
        "<p>Battery makers in Fujian expanded capacity by 40 gigawatt-hours last year, "
        "the company reported in its annual filing to investors.</p>"
        "<p>Analysts expect prices for lithium iron phosphate cells to fall further in 2025 "
        "as new plants come online across the country.</p></article></body></html>",
        encoding="utf-8",
    )
    lines = [
        json.dumps(
            {"id": "w1", "title": "Wire", "text": "Exports of solar panels fell 12% in May."}
        ),
        "{not json",
        json.dumps({"id": "w3", "title": "No text"}),
    ]
    (raw_dir / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (raw_dir / "empty.txt").write_bytes(b"")
    (raw_dir / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    (raw_dir / ".hidden.txt").write_text("not an input", encoding="utf-8")
    # inputs: essay, copy, zh, page, 3 jsonl lines, empty, png = 9 (hidden file ignored)
    return {"inputs": 9, "documents": 4, "rejects": 5}


@pytest.fixture
def raw_dir(tmp_path: Path) -> Path:
    """A raw directory holding the small mixed corpus of :func:`write_corpus`."""
    directory = tmp_path / "raw"
    write_corpus(directory)
    return directory


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """An empty data directory."""
    return tmp_path / "data"


@pytest.fixture
def shared_corpus() -> Path:
    """The two source essays in ../shared/corpus; skips the test when they are absent."""
    if not SHARED_CORPUS.is_dir():
        pytest.skip("../shared/corpus is not present")
    return SHARED_CORPUS
