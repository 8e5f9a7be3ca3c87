"""Tag every sentence with its claim type, check-worthiness, topics and evidence."""

from __future__ import annotations

import pandas as pd

from pipeline.progress import Progress
from pipeline.tables import CLAIMS, empty_frame
from pipeline.text import ClaimModel, tag_claims

RULE_TAGGER = "rules/1"
"""Name and version of the rule-based tagger, stored in every claim row's ``tagger`` column."""


BATCH = 20_000
"""Sentences tagged per call, so progress can be reported on large inputs."""


def tag_sentences(
    sentences: pd.DataFrame,
    progress: Progress | None = None,
    model: tuple[str, ClaimModel] | None = None,
) -> pd.DataFrame:
    """One claims row per sentence row, in the same order, with the ``CLAIMS`` columns.

    ``model`` is ``(name, trained model)`` for the trained mode, or None for the rules alone.
    Evidence offsets index the sentence ``text``; ``tagger`` names the rules (``rules/1``) or
    the model (``model/<name>``) that produced the row. ``progress`` is advanced by the number
    of sentences tagged.
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
        tagger=f"model/{model[0]}" if model else RULE_TAGGER,
    )
    return frame[CLAIMS.names]
