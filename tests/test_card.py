"""Tests of the dataset card and its chart."""

from __future__ import annotations

from pathlib import Path

from pipeline.card import render_card, render_chart, summarize
from pipeline.claims import tag_sentences
from pipeline.curate import curate_documents
from pipeline.ingest import read_raw_documents
from pipeline.sentences import split_documents
from pipeline.text import CLAIM_TYPES


def _summary(raw_dir: Path) -> dict:
    documents, rejects = curate_documents(read_raw_documents(raw_dir))
    sentences = split_documents(documents)
    claims = tag_sentences(sentences)
    tables = {"documents": documents, "sentences": sentences, "claims": claims, "rejects": rejects}
    return summarize(tables)


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
    assert "data/datasets/claimset/v0007/claims.parquet" in card
    assert "![claim types and topics](claims_chart.png)" in card


def test_chart_is_a_png(raw_dir: Path) -> None:
    png = render_chart(_summary(raw_dir))
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(png) > 5_000
