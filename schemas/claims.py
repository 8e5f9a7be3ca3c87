"""pandera model of the ``claims`` table, and its link to sentences."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from pipeline.text import CLAIM_TYPES
from schemas.validation import ValidationReport, report, validate_frame


class ClaimSchema(pa.DataFrameModel):
    """The claim tags of one sentence per row."""

    sentence_id: Series[str] = pa.Field(unique=True)
    doc_id: Series[str] = pa.Field(str_matches=r"^[0-9a-f]{16}$")
    is_claim: Series[bool]
    claim_type: Series[str] = pa.Field(isin=list(CLAIM_TYPES))
    """After Full Fact's claim types; ``not_a_claim`` for everything else."""
    checkworthiness: Series[float] = pa.Field(ge=0.0, le=1.0)
    verifiable: Series[bool]
    hedged: Series[bool]
    attributed_to: Series[str] = pa.Field(nullable=True)
    topics: Series[object]
    """Topic names from the topic lexicon (list of strings)."""
    evidence: Series[object]
    """Cues that fired: list of {rule, cue, start, end} with offsets into the sentence."""
    tagger: Series[str] = pa.Field(str_length={"min_value": 1})
    """The rules or model that produced the row."""

    @pa.dataframe_check
    def is_claim_agrees_with_type(cls, frame: pd.DataFrame) -> Series[bool]:
        """``is_claim`` is True exactly when ``claim_type`` is not ``not_a_claim``."""
        return frame["is_claim"] == (frame["claim_type"] != "not_a_claim")

    @pa.dataframe_check
    def claims_have_evidence(cls, frame: pd.DataFrame) -> Series[bool]:
        """Every positive carries at least one evidence item: no unexplained positives."""
        has_evidence = frame["evidence"].map(lambda items: items is not None and len(items) > 0)
        return ~frame["is_claim"] | has_evidence

    @pa.dataframe_check
    def verifiable_follows_type(cls, frame: pd.DataFrame) -> Series[bool]:
        """Verifiable means any type but ``not_a_claim`` and ``personal_experience``."""
        expected = ~frame["claim_type"].isin(["not_a_claim", "personal_experience"])
        return frame["verifiable"] == expected

    class Config:
        strict = True
        ordered = True


class ClaimSentenceLinkSchema(pa.DataFrameModel):
    """Claims and sentences correspond one to one."""

    sentence_id: Series[str]
    has_sentence: Series[bool]
    has_claim: Series[bool]

    @pa.check("has_sentence")
    def claim_has_sentence(cls, series: pd.Series) -> Series[bool]:
        """Every claim row belongs to a sentence of the sentences table."""
        return series

    @pa.check("has_claim")
    def sentence_has_claim_row(cls, series: pd.Series) -> Series[bool]:
        """Every sentence has its claims row."""
        return series


def validate_claims(claims: pd.DataFrame, sentences: pd.DataFrame) -> ValidationReport:
    """Validate ``claims`` and its one-to-one link with ``sentences``; also check that every
    evidence offset slices the cue out of its sentence."""
    return report(
        "claims",
        claims,
        [
            validate_frame(ClaimSchema, claims, key="sentence_id"),
            validate_frame(ClaimSentenceLinkSchema, _links(claims, sentences), key="sentence_id"),
            validate_frame(EvidenceOffsetSchema, _evidence(claims, sentences), key="sentence_id"),
        ],
    )


class EvidenceOffsetSchema(pa.DataFrameModel):
    """Each evidence item against the text of its sentence."""

    sentence_id: Series[str]
    cue_matches_slice: Series[bool]

    @pa.check("cue_matches_slice")
    def evidence_cue_equals_sentence_slice(cls, series: pd.Series) -> Series[bool]:
        """``sentence.text[start:end] == cue`` for every evidence item."""
        return series


def _links(claims: pd.DataFrame, sentences: pd.DataFrame) -> pd.DataFrame:
    ids = pd.Index(claims["sentence_id"]).union(pd.Index(sentences["sentence_id"]))
    return pd.DataFrame(
        {
            "sentence_id": ids.astype(str),
            "has_sentence": ids.isin(sentences["sentence_id"]),
            "has_claim": ids.isin(claims["sentence_id"]),
        }
    )


def _evidence(claims: pd.DataFrame, sentences: pd.DataFrame) -> pd.DataFrame:
    texts = dict(zip(sentences["sentence_id"], sentences["text"], strict=True))
    ids: list[str] = []
    matches: list[bool] = []
    for sentence_id, items in zip(claims["sentence_id"], claims["evidence"], strict=True):
        text = texts.get(sentence_id)
        for item in items if items is not None else ():
            ids.append(sentence_id)
            matches.append(text is not None and text[item["start"] : item["end"]] == item["cue"])
    return pd.DataFrame({"sentence_id": ids, "cue_matches_slice": matches}).astype(
        {"sentence_id": object, "cue_matches_slice": bool}
    )
