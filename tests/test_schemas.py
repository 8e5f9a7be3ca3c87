"""Tests of the pandera models: valid tables pass, each broken rule is reported by name."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipeline.claims import tag_sentences
from pipeline.curate import curate_documents
from pipeline.ingest import read_raw_documents
from pipeline.sentences import split_documents
from schemas.claims import validate_claims
from schemas.documents import validate_documents
from schemas.rejects import validate_rejects
from schemas.sentences import validate_sentences


@pytest.fixture
def tables(raw_dir: Path) -> dict[str, pd.DataFrame]:
    raw = read_raw_documents(raw_dir)
    documents, rejects = curate_documents(raw)
    sentences = split_documents(documents)
    return {
        "raw": raw,
        "documents": documents,
        "rejects": rejects,
        "sentences": sentences,
        "claims": tag_sentences(sentences),
    }


def test_tables_built_by_the_pipeline_pass(tables: dict[str, pd.DataFrame]) -> None:
    reports = [
        validate_documents(tables["documents"], tables["rejects"], tables["raw"]["input_id"]),
        validate_rejects(tables["rejects"]),
        validate_sentences(tables["sentences"], tables["documents"]),
        validate_claims(tables["claims"], tables["sentences"]),
    ]
    for report in reports:
        assert report.passed, report.summary()


def test_shifted_offsets_fail_with_the_rows_named(tables: dict[str, pd.DataFrame]) -> None:
    sentences = tables["sentences"].copy()
    sentences.loc[0, "start"] += 1
    sentences.loc[1, "end"] = sentences.loc[1, "start"]
    report = validate_sentences(sentences, tables["documents"])
    assert not report.passed
    counts = report.counts_by_check()
    assert counts["end_after_start"] == 1
    assert counts["text_equals_document_slice"] == 2
    assert counts["text_length_matches_offsets"] == 2
    failing = set(report.failures["key"])
    assert {sentences.loc[0, "sentence_id"], sentences.loc[1, "sentence_id"]} <= failing
    assert "text_equals_document_slice" in report.summary()
    assert "| sentences" not in report.markdown()  # markdown rows name the schema, not the table
    assert "SentenceInDocumentSchema" in report.markdown()


def test_sentence_of_unknown_document_and_past_its_end(tables: dict[str, pd.DataFrame]) -> None:
    sentences = tables["sentences"].copy()
    sentences.loc[0, "doc_id"] = "0" * 16
    sentences.loc[1, "end"] = 10**6
    counts = validate_sentences(sentences, tables["documents"]).counts_by_check()
    assert counts["sentence_has_document"] == 1
    assert counts["offsets_within_document"] == 1


def test_claims_must_match_sentences_and_explain_positives(
    tables: dict[str, pd.DataFrame],
) -> None:
    claims = tables["claims"].copy()
    positive = claims.index[claims["is_claim"]][0]
    claims.at[positive, "evidence"] = []
    claims.loc[claims.index[-1], "claim_type"] = "gossip"
    claims = claims.drop(index=claims.index[0])
    counts = validate_claims(claims, tables["sentences"]).counts_by_check()
    assert counts["claims_have_evidence"] == 1
    assert counts["sentence_has_claim_row"] == 1
    assert any(name.startswith("isin") for name in counts)


def test_accounting_identity_catches_a_lost_input(tables: dict[str, pd.DataFrame]) -> None:
    documents = tables["documents"].iloc[1:]
    counts = validate_documents(
        documents, tables["rejects"], tables["raw"]["input_id"]
    ).counts_by_check()
    assert counts["accounted_for_exactly_once"] == 1


def test_unknown_reject_reason_fails(tables: dict[str, pd.DataFrame]) -> None:
    rejects = tables["rejects"].copy()
    rejects.loc[rejects.index[0], "reason"] = "because"
    report = validate_rejects(rejects)
    assert not report.passed
    assert report.failures["failure_case"].tolist() == ["because"]
