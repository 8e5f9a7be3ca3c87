"""Tests of the dataset card and its chart."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.card import render_card, render_chart, summarize
from pipeline.claims import tag_sentences
from pipeline.curate import curate_documents
from pipeline.ingest import read_raw_documents
from pipeline.sentences import split_documents
from pipeline.tables import TABLE_SCHEMAS, to_arrow
from pipeline.text import CLAIM_TYPES
from tests.test_store import write_part


def _tables(raw_dir: Path) -> dict[str, pd.DataFrame]:
    documents, rejects = curate_documents(read_raw_documents(raw_dir))
    sentences = split_documents(documents)
    claims = tag_sentences(sentences)
    return {"documents": documents, "sentences": sentences, "claims": claims, "rejects": rejects}


def _summary(raw_dir: Path) -> dict:
    return summarize(_tables(raw_dir))


def test_summary_counts_match_the_tables(raw_dir: Path) -> None:
    summary = _summary(raw_dir)
    assert summary["rows"]["documents"] == 4
    assert summary["rows"]["rejects"] == 5
    assert list(summary["claim_types"]) == list(CLAIM_TYPES)
    assert sum(summary["claim_types"].values()) == summary["rows"]["sentences"]
    assert summary["claims"] == summary["rows"]["sentences"] - summary["claim_types"]["not_a_claim"]
    assert summary["languages"] == {"en": 3, "zh": 1}
    assert summary["rejects_by_reason"]["duplicate"] == 1


def test_card_has_every_section(raw_dir: Path) -> None:
    summary = _summary(raw_dir)
    card = render_card("v0007", summary, {"run_id": "run-1", "code_version": "abc"}, "f" * 64)
    for heading in (
        "# claimset v0007",
        "## Provenance",
        "## Contents",
        "## Claim types",
        "## Topics",
        "## Languages",
        "## Rejects by reason",
        "## How to load",
    ):
        assert heading in card
    assert "run-1" in card and "f" * 64 in card
    assert "| duplicate | 1 |" in card
    for reader in ("pd.read_parquet", "duckdb.sql", "pl.read_parquet"):
        assert reader in card
    assert "data/datasets/claimset/v0007/claims/*.parquet" in card
    assert "![claim types and topics](claims_chart.png)" in card


def test_chart_is_a_png(raw_dir: Path) -> None:
    png = render_chart(_summary(raw_dir))
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(png) > 5_000


def test_summary_of_part_files_equals_that_of_the_frames(raw_dir: Path, tmp_path: Path) -> None:
    tables = _tables(raw_dir)
    parts = {
        name: [
            write_part(tmp_path, to_arrow(frame.iloc[start : start + 3], TABLE_SCHEMAS[name]))
            for start in range(0, len(frame), 3)
        ]
        for name, frame in tables.items()
    }
    assert len(parts["sentences"]) > 1
    assert summarize(parts) == summarize(tables)
