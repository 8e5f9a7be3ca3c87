"""Split cleaned documents into sentence rows with exact character offsets."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.progress import Progress, tracked
from pipeline.tables import SENTENCES, to_pandas
from pipeline.text import split_sentences

INDEX_DIGITS = 4
"""Sentence indexes are zero-padded to at least this many digits in sentence ids."""


def sentence_id(doc_id: str, index: int) -> str:
    """The stable id of the ``index``-th sentence of document ``doc_id``: ``doc_id``, a dash,
    and ``index`` zero-padded to :data:`INDEX_DIGITS` digits (longer when it needs more)."""
    return f"{doc_id}-{index:0{INDEX_DIGITS}d}"


def sentences_table(documents: pa.Table, progress: Progress | None = None) -> pa.Table:
    """The ``SENTENCES`` table of a table with ``doc_id``, ``text`` and ``lang`` columns (a
    ``DOCUMENTS`` part, say): one row per sentence of every document.

    Offsets index the document's ``text`` in characters (code points): for every row,
    ``text == document_text[start:end]``; ``index`` counts from 0 within a document; rows are
    ordered by document (table order) then position; ``sentence_id`` is
    :func:`sentence_id` of ``doc_id`` and ``index``, so an unchanged document keeps its
    sentence ids across runs. ``progress`` is advanced once per document.
    """
    return _sentences(
        documents["doc_id"],
        documents["text"].to_pylist(),
        documents["lang"].to_pylist(),
        progress,
    )


def split_documents(documents: pd.DataFrame, progress: Progress | None = None) -> pd.DataFrame:
    """The rows of :func:`sentences_table` as a DataFrame with the ``SENTENCES`` columns (as
    :func:`pipeline.tables.to_pandas` reads them), for a frame of documents.

    Same promises as :func:`sentences_table`, with rows ordered by the frame's row order.
    Texts must be valid Unicode (no lone surrogates), as every stored documents table is.
    """
    doc_ids = pa.array(documents["doc_id"].tolist(), type=pa.string())
    table = _sentences(doc_ids, documents["text"].tolist(), documents["lang"].tolist(), progress)
    return to_pandas(table)


def _sentences(
    doc_ids: pa.Array | pa.ChunkedArray,
    texts: Sequence[str],
    langs: Sequence[str | None],
    progress: Progress | None,
) -> pa.Table:
    """Split every ``texts[i]`` (of document ``doc_ids[i]``) into the ``SENTENCES`` rows.

    Only the splitting and the slicing of sentence texts run per sentence in Python; ids,
    indexes and offsets are built column-wise.
    """
    counts = np.zeros(len(texts), dtype=np.int64)
    spans: list[tuple[int, int]] = []
    pieces: list[str] = []
    for position, (text, lang) in enumerate(tracked(zip(texts, langs, strict=True), progress)):
        found = split_sentences(text, lang)
        counts[position] = len(found)
        spans += found
        pieces += [text[start:end] for start, end in found]
    rows = len(spans)
    offsets = np.fromiter(chain.from_iterable(spans), dtype=np.int64, count=2 * rows)
    offsets = offsets.reshape(rows, 2)
    firsts = np.cumsum(counts) - counts  # row of each document's first sentence
    index = np.arange(rows, dtype=np.int64) - np.repeat(firsts, counts)
    owners = pc.take(doc_ids, pa.array(np.repeat(np.arange(len(texts)), counts)))
    padded = pc.utf8_lpad(pc.cast(pa.array(index), pa.string()), INDEX_DIGITS, "0")
    return pa.table(
        {
            "sentence_id": pc.binary_join_element_wise(owners, padded, "-"),
            "doc_id": owners,
            "index": index,
            "start": offsets[:, 0],
            "end": offsets[:, 1],
            "text": pa.array(pieces, type=pa.string()),
        },
        schema=SENTENCES,
    )
