"""Tests of version diffs: documents matched by source, sentences by text, claims by tags."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.claims import tag_sentences
from pipeline.curate import curate_documents
from pipeline.diff import diff_tables, render_diff
from pipeline.ingest import read_raw_documents
from pipeline.sentences import split_documents


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
