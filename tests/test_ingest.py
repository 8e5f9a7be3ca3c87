"""Tests of reading raw inputs: formats, per-line .jsonl records, and unreadable inputs."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.ingest import (
    content_id,
    list_inputs,
    raw_documents_table,
    read_inputs,
    read_raw_documents,
)
from pipeline.tables import RAW_DOCUMENTS, to_arrow


def _by_path(frame, path: str, line: int | None = None):
    rows = frame[frame["source_path"] == path]
    if line is not None:
        rows = rows[rows["source_line"] == line]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def test_every_input_gets_exactly_one_row(raw_dir: Path) -> None:
    frame = read_raw_documents(raw_dir)
    assert len(frame) == 9
    assert frame["input_id"].is_unique
    assert ".hidden.txt" not in set(frame["source_path"])


def test_doc_id_is_derived_from_content(raw_dir: Path) -> None:
    frame = read_raw_documents(raw_dir)
    essay = _by_path(frame, "essay.txt")
    copy = _by_path(frame, "essay copy.txt")
    assert essay["doc_id"] == copy["doc_id"] == content_id((raw_dir / "essay.txt").read_bytes())
    assert essay["input_id"] != copy["input_id"]
    again = read_raw_documents(raw_dir)
    assert list(again["doc_id"].fillna("")) == list(frame["doc_id"].fillna(""))


def test_jsonl_records_are_read_per_line_with_reasons(raw_dir: Path) -> None:
    frame = read_raw_documents(raw_dir)
    good = _by_path(frame, "feed.jsonl", 1)
    assert good["text"] == "Exports of solar panels fell 12% in May."
    assert good["external_id"] == "w1"
    assert good["title"] == "Wire"
    assert _by_path(frame, "feed.jsonl", 2)["reject_reason"] == "malformed_json"
    assert _by_path(frame, "feed.jsonl", 3)["reject_reason"] == "missing_text"


def test_jsonl_non_string_text_and_non_object_lines(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "odd.jsonl").write_text(
        "\n".join([json.dumps({"text": 42}), "[1, 2]", "", json.dumps({"text": "Fine."})]),
        encoding="utf-8",
    )
    frame = read_raw_documents(raw)
    assert list(frame["source_line"]) == [1, 2, 4]
    assert list(frame["reject_reason"].fillna("ok")) == ["invalid_text", "malformed_json", "ok"]


def test_html_main_text_is_extracted(raw_dir: Path) -> None:
    page = _by_path(read_raw_documents(raw_dir), "page.html")
    assert "Battery makers in Fujian" in page["text"]
    assert "<p>" not in page["text"]
    assert page["extraction"] in {"trafilatura", "fallback"}


def test_unsupported_empty_and_binary_inputs_are_marked(raw_dir: Path) -> None:
    frame = read_raw_documents(raw_dir)
    assert _by_path(frame, "image.png")["reject_reason"] == "unsupported_format"
    assert _by_path(frame, "empty.txt")["reject_reason"] == "empty_file"
    (raw_dir / "nul.txt").write_bytes(b"abc\x00\x00\x00def" * 50)
    assert _by_path(read_raw_documents(raw_dir), "nul.txt")["reject_reason"] == "binary"


def test_symlink_loop_and_dangling_link_are_unreadable(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    os.symlink(raw / "loop.txt", raw / "loop.txt")
    os.symlink(raw / "missing.txt", raw / "dangling.txt")
    os.symlink(raw, raw / "self-dir")
    frame = read_raw_documents(raw)
    reasons = dict(zip(frame["source_path"], frame["reject_reason"], strict=True))
    assert reasons == {
        "dangling.txt": "unreadable",
        "loop.txt": "unreadable",
        "self-dir": "not_a_regular_file",
    }


def test_missing_raw_dir_yields_no_rows(tmp_path: Path) -> None:
    assert list_inputs(tmp_path / "nope") == []
    assert read_raw_documents(tmp_path / "nope").empty


@pytest.mark.parametrize("name", ["with space.txt", "ünïcode-文件.txt", "-leading-dash.txt"])
def test_awkward_file_names_are_read(tmp_path: Path, name: str) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / name).write_text("Solar output rose 5% in 2024.", encoding="utf-8")
    row = _by_path(read_raw_documents(raw), name)
    assert row["text"] == "Solar output rose 5% in 2024."


def test_jsonl_ids_and_metadata_never_become_paths(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    hostile = {
        "id": "../../outside",
        "title": "/etc/passwd",
        "url": "file:///etc/shadow",
        "text": "Robot exports rose 10% in 2024.",
    }
    (raw / "feed.jsonl").write_text(json.dumps(hostile) + "\n", encoding="utf-8")
    before = sorted(tmp_path.rglob("*"))
    row = _by_path(read_raw_documents(raw), "feed.jsonl", 1)
    assert row["external_id"] == "../../outside"
    assert row["source_path"] == "feed.jsonl"
    assert row["doc_id"] == content_id(hostile["text"].encode())
    assert sorted(tmp_path.rglob("*")) == before
    assert not (tmp_path.parent / "outside").exists()


def test_table_and_frame_are_the_same_rows(raw_dir: Path) -> None:
    now = datetime(2024, 5, 1, 12, 30, 15, 123456, tzinfo=UTC)
    paths = list_inputs(raw_dir)
    table = raw_documents_table(paths, raw_dir, now)
    frame = read_inputs(paths, raw_dir, now)
    assert table.schema.equals(RAW_DOCUMENTS)
    assert table.equals(to_arrow(frame, RAW_DOCUMENTS))
    assert frame["source_line"].dtype == "Int64" and frame["n_bytes"].dtype == "int64"
    assert set(frame["ingested_at"]) == {pd.Timestamp(now)}
    assert raw_documents_table([], raw_dir, now).num_rows == 0


# Record texts with CJK, emoji, odd whitespace and lone surrogates (valid JSON escapes); no
# control characters, which would make a short file look binary.
_RECORD_TEXTS = st.text(st.characters(exclude_categories=["Cc"]), max_size=40)


def _json_line(text: str, escape: bool) -> str:
    # Lone surrogates can only be written escaped ("\\ud800"): they have no UTF-8 bytes.
    escape = escape or any("\ud800" <= char <= "\udfff" for char in text)
    return json.dumps({"text": text}, ensure_ascii=escape)


@settings(max_examples=100, deadline=None)
@given(st.lists(_RECORD_TEXTS, min_size=1, max_size=5), st.sampled_from(["utf-8", "utf-16"]))
def test_jsonl_rows_hash_their_line_and_their_text(texts: list[str], encoding: str) -> None:
    lines = [_json_line(text, escape=i % 2 == 1) for i, text in enumerate(texts)]
    with tempfile.TemporaryDirectory() as directory:
        raw = Path(directory)
        (raw / "feed.jsonl").write_bytes("\n".join(lines).encode(encoding))
        frame = read_raw_documents(raw)
    assert len(frame) == len(lines)
    for (_, row), line, text in zip(frame.iterrows(), lines, texts, strict=True):
        line_bytes = line.encode("utf-8", "surrogatepass")
        assert row["sha256"] == hashlib.sha256(line_bytes).hexdigest()
        assert row["n_bytes"] == len(line_bytes)
        if text.strip():
            assert row["doc_id"] == content_id(text.encode("utf-8", "surrogatepass"))
            assert not any("\ud800" <= char <= "\udfff" for char in row["text"])
        else:
            assert row["reject_reason"] == "empty_file"
