"""Tests of version diffs: documents matched by source, sentences by text, claims by tags;
versions that share part files compare only the documents in parts that differ."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest

import pipeline.diff
from pipeline.claims import tag_sentences
from pipeline.curate import curate_documents
from pipeline.diff import COLUMNS, diff_published, diff_tables, render_diff
from pipeline.ingest import read_raw_documents
from pipeline.sentences import split_documents
from pipeline.store import DatasetStore, Part
from tests.test_store import write_part


def _tables(raw_dir: Path) -> dict[str, pd.DataFrame]:
    documents, _ = curate_documents(read_raw_documents(raw_dir))
    sentences = split_documents(documents)
    return {"documents": documents, "sentences": sentences, "claims": tag_sentences(sentences)}


def test_identical_tables_have_an_empty_diff(raw_dir: Path) -> None:
    tables = _tables(raw_dir)
    diff = diff_tables(tables, tables)
    assert (diff["documents"]["added"], diff["documents"]["removed"]) == (0, 0)
    assert diff["documents"]["changed"] == 0
    assert (diff["sentences"]["added"], diff["sentences"]["removed"]) == (0, 0)
    assert diff["claims"]["changed"] == 0


def test_edit_add_and_remove_documents(raw_dir: Path) -> None:
    before = _tables(raw_dir)
    page = raw_dir / "page.html"
    page.write_text(page.read_text(encoding="utf-8").replace("by 40 gigawatt", "by 45 gigawatt"))
    (raw_dir / "zh.txt").unlink()
    (raw_dir / "new.txt").write_text("Chip exports fell 3% in June.", encoding="utf-8")
    diff = diff_tables(before, _tables(raw_dir))
    documents = diff["documents"]
    assert (documents["added"], documents["removed"], documents["changed"]) == (1, 1, 1)
    assert documents["examples"] == {
        "added": ["new.txt"],
        "removed": ["zh.txt"],
        "changed": ["page.html"],
    }
    added = {item["text"] for item in diff["sentences"]["examples"]["added"]}
    removed = {item["text"] for item in diff["sentences"]["examples"]["removed"]}
    assert any("by 45 gigawatt-hours" in text for text in added)
    assert any("by 40 gigawatt-hours" in text for text in removed)
    assert "Chip exports fell 3% in June." in added
    # zh.txt has 3 sentences, the edited page 1 changed sentence, new.txt 1 sentence
    assert diff["sentences"]["removed"] == 3 + 1
    assert diff["sentences"]["added"] == 1 + 1
    text = render_diff(diff, "v0001", "v0002")
    assert "documents: +1 added, -1 removed, ~1 changed" in text
    assert "~ page.html" in text


def test_changed_tags_are_reported_with_before_and_after(raw_dir: Path) -> None:
    before = _tables(raw_dir)
    after = {name: frame.copy() for name, frame in before.items()}
    row = after["claims"].index[0]
    old_type = after["claims"].at[row, "claim_type"]
    after["claims"].at[row, "claim_type"] = "law_rule" if old_type != "law_rule" else "quantity"
    diff = diff_tables(before, after)
    assert diff["claims"]["changed"] == 1
    [example] = diff["claims"]["examples"]
    assert example["before"]["claim_type"] == old_type
    assert example["after"]["claim_type"] != old_type
    assert example["text"] == before["sentences"].loc[0, "text"]


def _parts(
    tables: dict[str, pd.DataFrame], directory: Path, written: dict[tuple[str, str], Part]
) -> dict[str, list[Part]]:
    """One part per document and table (the diff's columns), in document order, as one-document
    shards would give. ``written`` maps content to the part already written for it, so equal
    rows reuse the same part, as the shard cache does."""
    parts: dict[str, list[Part]] = {table: [] for table in COLUMNS}
    for doc_id in tables["documents"]["doc_id"]:
        for table, columns in COLUMNS.items():
            frame = tables[table]
            rows = pa.Table.from_pandas(
                frame.loc[frame["doc_id"] == doc_id, list(columns)], preserve_index=False
            )
            key = (table, json.dumps(rows.to_pylist(), default=str))
            if key not in written:
                written[key] = write_part(directory, rows)
            parts[table].append(written[key])
    return parts


def _changed_checksums(before: dict[str, list[Part]], after: dict[str, list[Part]]) -> set[str]:
    return {part.sha256 for table in COLUMNS for part in set(before[table]) ^ set(after[table])}


def test_a_version_sharing_all_but_one_part_diffs_only_the_changed_document(
    raw_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _tables(raw_dir)
    page = raw_dir / "page.html"
    page.write_text(page.read_text(encoding="utf-8").replace("by 40 gigawatt", "by 45 gigawatt"))
    after = _tables(raw_dir)
    written: dict[tuple[str, str], Part] = {}
    old_parts = _parts(before, tmp_path / "cache", written)
    new_parts = _parts(after, tmp_path / "cache", written)
    changed = _changed_checksums(old_parts, new_parts)
    assert len(changed) == 2 * len(COLUMNS)
    expected = diff_tables(before, after)
    store = DatasetStore(tmp_path / "ds")
    for fingerprint, parts in (("f1", old_parts), ("f2", new_parts)):
        store.publish(parts, fingerprint=fingerprint, provenance={})
    read_in_full: list[Part] = []
    read_columns = pipeline.diff.read_columns

    def recording(data: list[Part], columns: Any) -> pd.DataFrame:
        read_in_full.extend(data)
        return read_columns(data, columns)

    monkeypatch.setattr(pipeline.diff, "read_columns", recording)
    diff = diff_published(store.get("v0001"), store.get("v0002"))
    assert sorted(part.sha256 for part in read_in_full) == sorted(changed)
    documents = diff["documents"]
    assert (documents["added"], documents["removed"], documents["changed"]) == (0, 0, 1)
    assert documents["examples"]["changed"] == ["page.html"]
    assert (diff["sentences"]["added"], diff["sentences"]["removed"]) == (1, 1)
    assert diff == expected


def _rename_first_document(tables: dict[str, pd.DataFrame]) -> None:
    tables["documents"].loc[0, "source_path"] = "renamed.txt"


def _retag_first_sentence(tables: dict[str, pd.DataFrame]) -> None:
    old_type = tables["claims"].loc[0, "claim_type"]
    tables["claims"].loc[0, "claim_type"] = "law_rule" if old_type != "law_rule" else "quantity"


@pytest.mark.parametrize("edit", [_rename_first_document, _retag_first_sentence])
def test_shared_parts_of_a_changed_document_are_still_compared(
    edit: Callable[[dict[str, pd.DataFrame]], None], raw_dir: Path, tmp_path: Path
) -> None:
    """A renamed document keeps its sentence parts, and a retagged sentence its document and
    sentence parts: the diff still finds what changed."""
    before = _tables(raw_dir)
    after = {name: frame.copy() for name, frame in before.items()}
    edit(after)
    written: dict[tuple[str, str], Part] = {}
    old_parts = _parts(before, tmp_path, written)
    new_parts = _parts(after, tmp_path, written)
    assert len(_changed_checksums(old_parts, new_parts)) == 2
    diff = diff_tables(old_parts, new_parts)
    assert diff == diff_tables(before, after)
    assert diff["documents"]["added"] + diff["claims"]["changed"] == 1
