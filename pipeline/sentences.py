"""Split cleaned documents into sentence rows with exact character offsets."""

from __future__ import annotations

import pandas as pd

from pipeline.progress import Progress, tracked
from pipeline.tables import SENTENCES, empty_frame
from pipeline.text import split_sentences


def sentence_id(doc_id: str, index: int) -> str:
    """The stable id of the ``index``-th sentence of document ``doc_id``."""
    return f"{doc_id}-{index:04d}"


def split_documents(documents: pd.DataFrame, progress: Progress | None = None) -> pd.DataFrame:
    """One row per sentence of every document, with the ``SENTENCES`` columns.

    Offsets index the document's cleaned ``text``: for every row,
    ``documents.text[start:end] == text``; ``index`` counts from 0 within a document; rows are
    ordered by document (input order) then position. Sentence ids are derived from ``doc_id``
    and ``index``, so an unchanged document keeps its sentence ids across runs. ``progress``
    is advanced once per document.
    """
    doc_ids: list[str] = []
    indexes: list[int] = []
    starts: list[int] = []
    ends: list[int] = []
    texts: list[str] = []
    rows = zip(documents["doc_id"], documents["text"], documents["lang"], strict=True)
    for doc_id, text, lang in tracked(rows, progress):
        for index, (start, end) in enumerate(split_sentences(text, lang)):
            doc_ids.append(doc_id)
            indexes.append(index)
            starts.append(start)
            ends.append(end)
            texts.append(text[start:end])
    if not doc_ids:
        return empty_frame(SENTENCES)
    return pd.DataFrame(
        {
            "sentence_id": [sentence_id(d, i) for d, i in zip(doc_ids, indexes, strict=True)],
            "doc_id": doc_ids,
            "index": pd.array(indexes, dtype="int64"),
            "start": pd.array(starts, dtype="int64"),
            "end": pd.array(ends, dtype="int64"),
            "text": texts,
        }
    )
