"""Tests of pipeline.sentences: the Arrow table the split stage writes and the DataFrame view."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.progress import Progress
from pipeline.sentences import sentence_id, sentences_table, split_documents
from pipeline.tables import SENTENCES, empty_frame, to_pandas
from pipeline.text import split_sentences

# Sentence-ish text: words, terminators, abbreviations, CJK, line breaks, non-BMP characters.
_PIECES = st.sampled_from(
    ["The", "plant", "Mr.", "U.S.", "No.", "5", "3.5", "1.", "a)", "!", "?", ".", "...", "。",
     "！", "电池", "“Go,”", "said", "😀", "é", " ", " ", "  ", "\n", "\t", "\u2028", "•"]
)  # fmt: skip
_TEXT = st.one_of(
    st.lists(_PIECES, max_size=60).map("".join),
    st.text(st.characters(blacklist_categories=["Cs"]), max_size=200),
)
_DOCUMENTS = st.lists(
    st.tuples(st.from_regex(r"[0-9a-f]{16}", fullmatch=True), _TEXT, st.sampled_from(["en", "zh"])),
    max_size=8,
)


def _table(documents: list[tuple[str, str, str]]) -> pa.Table:
    doc_ids, texts, langs = zip(*documents, strict=True) if documents else ((), (), ())
    return pa.table(
        {"doc_id": list(doc_ids), "text": list(texts), "lang": list(langs)},
        schema=pa.schema(
            [("doc_id", pa.string()), ("text", pa.large_string()), ("lang", pa.string())]
        ),
    )


@settings(max_examples=200, deadline=None)
@given(_DOCUMENTS)
def test_table_rows_are_the_spans_of_split_sentences(documents: list[tuple[str, str, str]]) -> None:
    table = sentences_table(_table(documents))
    assert table.schema.equals(SENTENCES)
    expected = [
        (sentence_id(doc_id, index), doc_id, index, start, end, text[start:end])
        for doc_id, text, lang in documents
        for index, (start, end) in enumerate(split_sentences(text, lang))
    ]
    assert list(zip(*(table[name].to_pylist() for name in SENTENCES.names), strict=True)) == (
        expected
    )


@settings(max_examples=200, deadline=None)
@given(_DOCUMENTS, st.integers(0, 5))
def test_frame_path_equals_the_arrow_path(
    documents: list[tuple[str, str, str]], offset: int
) -> None:
    table = _table(documents)
    frame = table.to_pandas()
    frame.index = frame.index + offset  # a filtered frame: rows follow position, not label
    sentences = split_documents(frame)
    pd.testing.assert_frame_equal(sentences, to_pandas(sentences_table(table)), check_exact=True)
    if not documents or sentences.empty:
        pd.testing.assert_frame_equal(sentences, empty_frame(SENTENCES), check_exact=True)


def test_ids_are_padded_and_grow_past_four_digits() -> None:
    text = " ".join(["Solar output rose."] * 10_001)
    table = sentences_table(_table([("abc", text, "en")]))
    ids = table["sentence_id"].to_pylist()
    assert ids[:2] == ["abc-0000", "abc-0001"]
    assert ids[-1] == "abc-10000" == sentence_id("abc", 10_000)
    assert table["index"].to_pylist() == list(range(10_001))


def test_offsets_are_characters_not_bytes() -> None:
    text = "电池产量增长了。 Émile said “hi” 😀. The end."
    table = sentences_table(_table([("d", text, "zh")]))
    for start, end, sentence in zip(
        table["start"].to_pylist(), table["end"].to_pylist(), table["text"].to_pylist(), strict=True
    ):
        assert text[start:end] == sentence


def test_progress_is_advanced_once_per_document() -> None:
    progress = Progress("split", 3, "documents")
    documents = [("a", "One. Two.", "en"), ("b", "", "en"), ("c", "Three.", "en")]
    sentences_table(_table(documents), progress)
    assert progress.done == 3
