"""Tests of the cleaning stage's accounting: accepted documents, duplicates and rejects."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.curate import curate_documents
from pipeline.ingest import read_raw_documents
from pipeline.tables import DOCUMENTS, REJECTS, empty_frame
from tests.conftest import write_corpus


def test_every_input_is_a_document_or_a_reject(tmp_path: Path) -> None:
    expected = write_corpus(tmp_path / "raw")
    raw = read_raw_documents(tmp_path / "raw")
    documents, rejects = curate_documents(raw)
    assert len(raw) == expected["inputs"]
    assert len(documents) == expected["documents"]
    assert len(rejects) == expected["rejects"]
    assert set(documents["input_id"]) | set(rejects["input_id"]) == set(raw["input_id"])
    assert not set(documents["input_id"]) & set(rejects["input_id"])


def test_byte_identical_copy_is_rejected_as_duplicate(raw_dir: Path) -> None:
    documents, rejects = curate_documents(read_raw_documents(raw_dir))
    duplicate = rejects[rejects["reason"] == "duplicate"].iloc[0]
    kept = documents[documents["source_path"] == "essay copy.txt"].iloc[0]
    # "essay copy.txt" sorts before "essay.txt", so the copy is kept and the other rejected.
    assert duplicate["source_path"] == "essay.txt"
    assert duplicate["duplicate_of"] == kept["doc_id"]
    assert documents["doc_id"].is_unique


def test_documents_carry_language_and_cleaned_text(raw_dir: Path) -> None:
    documents, _ = curate_documents(read_raw_documents(raw_dir))
    langs = dict(zip(documents["source_path"], documents["lang"], strict=True))
    assert langs["zh.txt"] == "zh"
    assert langs["essay copy.txt"] == "en"
    assert (documents["n_chars"] == documents["text"].str.len()).all()


def test_boilerplate_only_document_is_rejected_after_cleaning(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "widget.txt").write_text("Leave a Reply\n\n发表回复\n", encoding="utf-8")
    documents, rejects = curate_documents(read_raw_documents(raw))
    assert documents.empty
    assert list(rejects["reason"]) == ["empty_after_cleaning"]
    assert list(rejects["stage"]) == ["clean"]


def test_frames_have_the_table_columns_dtypes_and_a_fresh_index(tmp_path: Path) -> None:
    write_corpus(tmp_path / "raw")
    documents, rejects = curate_documents(read_raw_documents(tmp_path / "raw"))
    assert len(documents) and len(rejects)
    for frame, schema in ((documents, DOCUMENTS), (rejects, REJECTS)):
        empty = empty_frame(schema)
        assert list(frame.columns) == list(empty.columns)
        assert dict(frame.dtypes) == dict(empty.dtypes)
        assert frame.index.equals(pd.RangeIndex(len(frame)))
    assert all(isinstance(notes, list) for notes in documents["cleaning"])
    assert all(isinstance(value, float) for value in documents["lang_confidence"])
