"""Tag every sentence with its claim type, check-worthiness, topics and evidence."""

from __future__ import annotations

import pandas as pd

from pipeline.tables import CLAIMS, empty_frame
from pipeline.text import tag_claims

RULE_TAGGER = "rules/1"
"""Name and version of the rule-based tagger, stored in every claim row's ``tagger`` column."""


def tag_sentences(sentences: pd.DataFrame) -> pd.DataFrame:
    """One claims row per sentence row, in the same order, with the ``CLAIMS`` columns.

    Evidence offsets index the sentence ``text``; ``tagger`` names the rules or model that
    produced the row.
    """
    if sentences.empty:
        return empty_frame(CLAIMS)
    tags = tag_claims(sentences["text"].tolist())
    frame = tags.assign(
        sentence_id=sentences["sentence_id"].to_numpy(),
        doc_id=sentences["doc_id"].to_numpy(),
        tagger=RULE_TAGGER,
    )
    return frame[CLAIMS.names]
