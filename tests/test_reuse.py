"""Reusing the rows of unchanged documents: the result always equals computing everything."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.claims import claims_table
from pipeline.parts import PartCache
from pipeline.reuse import (
    Earlier,
    document_digests,
    latest_outputs,
    record_outputs,
    reuse_rows,
)
from pipeline.sentences import sentences_table
from pipeline.stages import SPLIT_INPUTS, TAG_INPUTS
from pipeline.tables import CLAIMS, SENTENCES
from tests.test_store import write_part

SENTENCE_POOL = [
    "BYD sold 3 million cars in 2023.",
    "Analysts expect prices to fall.",
    "What comes next?",
    "The plan names ten sectors, including robotics.",
    "新能源汽车产量增长了35.8%。",
    "",
]


def _documents(texts: dict[str, str]) -> pa.Table:
    langs = ["zh" if "新" in text else "en" for text in texts.values()]
    return pa.table(
        {
            "doc_id": pa.array(list(texts), pa.string()),
            "text": pa.array(list(texts.values()), pa.string()),
            "lang": pa.array(langs, pa.string()),
        }
    )


texts_by_id = st.dictionaries(
    st.text("0123456789abcdef", min_size=16, max_size=16),
    st.lists(st.sampled_from(SENTENCE_POOL), max_size=4).map(" ".join),
    max_size=8,
)


@settings(max_examples=60, deadline=None)
@given(before=texts_by_id, after=texts_by_id, keep=st.lists(st.booleans(), max_size=8))
def test_split_and_tag_with_reuse_equal_computing_everything(
    before: dict[str, str], after: dict[str, str], keep: list[bool]
) -> None:
    # The new input keeps some earlier documents (same id and text), edits or drops others,
    # and adds new ones, in its own order.
    kept = {doc_id: text for (doc_id, text), k in zip(before.items(), keep, strict=False) if k}
    new_documents = _documents(kept | after)
    old_documents = _documents(before)
    old_sentences = sentences_table(old_documents)
    new_sentences = sentences_table(new_documents)
    with tempfile.TemporaryDirectory() as directory:
        earlier_split = Earlier(
            write_part(Path(directory), old_sentences),
            tuple(document_digests(old_documents, SPLIT_INPUTS).items()),
        )
        digests = document_digests(new_documents, SPLIT_INPUTS)
        split, reused = reuse_rows(
            new_documents, digests, [earlier_split], SENTENCES, sentences_table
        )
        assert split.equals(new_sentences)
        unchanged = {d for d in kept | after if before.get(d) == (kept | after)[d]}
        assert reused == len(unchanged)

        earlier_tags = Earlier(
            write_part(Path(directory), claims_table(old_sentences)),
            tuple(document_digests(old_sentences, TAG_INPUTS).items()),
        )
        digests = document_digests(new_sentences, TAG_INPUTS)
        claims, _ = reuse_rows(new_sentences, digests, [earlier_tags], CLAIMS, claims_table)
        assert claims.equals(claims_table(new_sentences))


def test_digests_tell_apart_null_empty_and_shifted_values() -> None:
    def digest(*rows: tuple[str | None, str | None]) -> str:
        table = pa.table(
            {
                "doc_id": pa.array(["a" * 16] * len(rows), pa.string()),
                "x": pa.array([row[0] for row in rows], pa.string()),
                "y": pa.array([row[1] for row in rows], pa.string()),
            }
        )
        return document_digests(table, ["x", "y"])["a" * 16]

    assert digest((None, "b")) != digest(("", "b"))
    assert digest(("ab", "c")) != digest(("a", "bc"))
    assert digest(("a", "b"), ("c", "d")) != digest(("a", "bc"), ("", "d"))


def test_digests_follow_every_input_column() -> None:
    base = document_digests(_documents({"a" * 16: "Output rose 5%.", "b" * 16: "Hi."}), ["text"])
    edited = document_digests(_documents({"a" * 16: "Output rose 6%.", "b" * 16: "Hi."}), ["text"])
    assert list(base) == ["a" * 16, "b" * 16]
    assert base["b" * 16] == edited["b" * 16]
    assert base["a" * 16] != edited["a" * 16]
    relabelled = _documents({"a" * 16: "Output rose 5%."}).set_column(2, "lang", pa.array(["de"]))
    assert (
        document_digests(relabelled, ["text", "lang"])["a" * 16]
        != document_digests(_documents({"a" * 16: "Output rose 5%."}), ["text", "lang"])["a" * 16]
    )


def test_latest_outputs_round_trip_and_skip_missing_parts(tmp_path: Path) -> None:
    assert latest_outputs(tmp_path, "code").results == []
    part = write_part(tmp_path / "parts", sentences_table(_documents({"a" * 16: "Hi there."})))
    result = {
        "parts": {"sentences": part.__dict__},
        "documents": [["a" * 16, "d1"]],
    }
    record_outputs(tmp_path, "code", [result, {"parts": {}, "cached": True}])
    latest = latest_outputs(tmp_path, "code")
    assert latest.results == [
        {"parts": {"sentences": part.__dict__}, "documents": [["a" * 16, "d1"]]}
    ]
    assert [e.part for e in latest.holding(["a" * 16], "sentences")] == [part]
    assert latest.holding(["b" * 16], "sentences") == []
    Path(part.path).unlink()
    assert latest.holding(["a" * 16], "sentences") == []
    (tmp_path / "latest" / "code.json").write_text("{broken", encoding="utf-8")
    assert latest_outputs(tmp_path, "code").results == []


def test_an_unreadable_earlier_part_is_computed_instead(tmp_path: Path) -> None:
    documents = _documents({"a" * 16: "BYD sold 3 million cars in 2023. What comes next?"})
    digests = document_digests(documents, SPLIT_INPUTS)
    broken = write_part(tmp_path, sentences_table(documents))
    Path(broken.path).write_bytes(b"PAR1 damaged after a crash")
    rows, reused = reuse_rows(
        documents, digests, [Earlier(broken, tuple(digests.items()))], SENTENCES, sentences_table
    )
    assert (rows.equals(sentences_table(documents)), reused) == (True, 0)


def test_garbage_collection_drops_records_of_parts_it_removed(tmp_path: Path) -> None:
    cache = PartCache(tmp_path)
    kept = cache.write_part(sentences_table(_documents({"a" * 16: "Hi there."})), "k1", "s")
    gone = cache.write_part(sentences_table(_documents({"b" * 16: "Bye now."})), "k2", "s")
    record_outputs(tmp_path, "current", [{"parts": {"s": kept.__dict__}, "documents": []}])
    record_outputs(tmp_path, "retired", [{"parts": {"s": gone.__dict__}, "documents": []}])
    cache.collect_garbage({kept.path})
    assert sorted(p.name for p in (tmp_path / "latest").iterdir()) == ["current.json"]
