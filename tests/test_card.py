"""Tests of the dataset card and its chart."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

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
    assert "![claim types and topics](claims_chart.svg)" in card


def test_chart_is_an_svg_with_one_labelled_proportional_bar_per_count() -> None:
    summary = {
        "claim_types": {"quantity": 10, "law_rule": 5, "not_a_claim": 0},
        "topics": {"batteries & <EVs>": 4, "ai": 2},
    }
    svg = render_chart(summary)
    assert svg == render_chart(summary)
    root = ElementTree.fromstring(svg)
    bars = [
        element
        for element in root.iter("{http://www.w3.org/2000/svg}rect")
        if element.find("{http://www.w3.org/2000/svg}title") is not None
    ]
    titles = [bar.find("{http://www.w3.org/2000/svg}title").text for bar in bars]
    assert titles == [
        "quantity: 10",
        "law_rule: 5",
        "not_a_claim: 0",
        "batteries & <EVs>: 4",
        "ai: 2",
    ]
    widths = [float(bar.get("width")) for bar in bars]
    assert widths[0] == 2 * widths[1] and widths[2] == 0
    assert widths[3] == 2 * widths[4] == widths[0]
    labels = {text.text for text in root.iter("{http://www.w3.org/2000/svg}text")}
    assert {"Sentences per claim type", "Sentences per topic", "batteries & <EVs>"} <= labels


def test_chart_of_the_sample_corpus_has_every_claim_type(raw_dir: Path) -> None:
    root = ElementTree.fromstring(render_chart(_summary(raw_dir)))
    labels = {text.text for text in root.iter("{http://www.w3.org/2000/svg}text")}
    assert set(CLAIM_TYPES) <= labels


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
