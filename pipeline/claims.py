"""Tag every sentence with its claim type, check-worthiness, topics and evidence."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.progress import Progress
from pipeline.tables import CLAIMS, SENTENCES, empty_frame
from pipeline.text import ClaimModel, tag_claims
from pipeline.text.tagging import tag_claims_arrow

RULE_TAGGER = "rules/2"
"""Name and version of the rule-based tagger, stored in every claim row's ``tagger`` column."""


BATCH = 20_000
"""Sentences tagged per call, so progress can be reported on large inputs."""


def _tagger(model: tuple[str, ClaimModel] | None) -> str:
    return f"model/{model[0]}" if model else RULE_TAGGER


def tag_sentences(
    sentences: pd.DataFrame,
    progress: Progress | None = None,
    model: tuple[str, ClaimModel] | None = None,
) -> pd.DataFrame:
    """One claims row per sentence row, in the same order, with the ``CLAIMS`` columns.

    ``model`` is ``(name, trained model)`` for the trained mode, or None for the rules alone.
    Evidence offsets index the sentence ``text``; ``tagger`` names the rules (``rules/2``) or
    the model (``model/<name>``) that produced the row. ``progress`` is advanced by the number
    of sentences tagged. The values are those of :func:`claims_table` on the same sentences.
    """
    if sentences.empty:
        return empty_frame(CLAIMS)
    texts = sentences["text"].tolist()
    batches = []
    for offset in range(0, len(texts), BATCH):
        batches.append(
            tag_claims(texts[offset : offset + BATCH], model=model[1] if model else None)
        )
        if progress is not None:
            progress.advance(len(batches[-1]))
    if progress is not None:
        progress.finish()
    tags = pd.concat(batches, ignore_index=True)
    frame = tags.assign(
        sentence_id=sentences["sentence_id"].to_numpy(),
        doc_id=sentences["doc_id"].to_numpy(),
        tagger=_tagger(model),
    )
    return frame[CLAIMS.names]


def claims_table(sentences: pa.Table, model: tuple[str, ClaimModel] | None = None) -> pa.Table:
    """The claims of a table of sentences, as Arrow, without going through pandas.

    ``sentences`` has the ``SENTENCES`` columns (extra columns are ignored); the result has
    exactly the ``CLAIMS`` schema, one row per sentence in the same order, with the values
    :func:`tag_sentences` gives for the same rows. ``model`` is ``(name, trained model)`` for
    the trained mode, or None for the rules alone. Raises ``KeyError`` when a ``SENTENCES``
    column is missing and ``TypeError`` when a text is null.
    """
    missing = [name for name in SENTENCES.names if name not in sentences.column_names]
    if missing:
        raise KeyError(f"missing columns for table: {missing}")
    tags = tag_claims_arrow(sentences.column("text"), model=model[1] if model else None)
    n = sentences.num_rows
    tagger = pc.take(pa.array([_tagger(model)], pa.string()), np.zeros(n, dtype=np.int32))
    columns = {
        "sentence_id": sentences.column("sentence_id"),
        "doc_id": sentences.column("doc_id"),
        "tagger": tagger,
        **{name: tags.column(name) for name in tags.column_names},
    }
    return pa.Table.from_arrays([columns[name] for name in CLAIMS.names], schema=CLAIMS)
