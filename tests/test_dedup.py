"""Duplicates across shards."""

from __future__ import annotations

from pipeline.dedup import cross_shard_duplicates
from pipeline.tables import REJECTS


def _doc(doc_id: str, text_key: str, path: str, line: int | None = None) -> list:
    return [doc_id, text_key, f"in-{path}-{line}", path, line, "txt", f"sha-{doc_id}"]


def test_first_document_in_input_order_is_kept() -> None:
    shards = [
        [_doc("a", "T1", "a.txt"), _doc("b", "T2", "b.txt")],
        [_doc("c", "T1", "c.txt")],
        [_doc("d", "T3", "d.txt"), _doc("e", "T2", "feed.jsonl", 4)],
    ]
    drop, rejects = cross_shard_duplicates(shards)
    assert drop == {
        1: {"c": ("a", "same cleaned text as a")},
        2: {"e": ("b", "same cleaned text as b")},
    }
    assert list(rejects.columns) == REJECTS.names
    assert rejects["duplicate_of"].tolist() == ["a", "b"]
    assert rejects["reason"].unique().tolist() == ["duplicate"]
    assert rejects["source_line"].tolist()[1] == 4
    assert rejects["detail"].iloc[0] == "same cleaned text as a"


def test_same_bytes_read_as_a_different_text_is_a_duplicate_too() -> None:
    shards = [[_doc("x", "T1", "page.html")], [_doc("x", "T9", "page.txt")]]
    drop, rejects = cross_shard_duplicates(shards)
    assert list(drop) == [1]
    assert drop[1]["x"][0] == "x"
    assert rejects["detail"].iloc[0].startswith("same content as x from page.html")


def test_no_duplicates_no_rows() -> None:
    drop, rejects = cross_shard_duplicates([[_doc("a", "T1", "a.txt")], []])
    assert drop == {}
    assert rejects.empty
    assert list(rejects.columns) == REJECTS.names
