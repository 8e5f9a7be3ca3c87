"""pandera model of the ``claims`` table, and its link to sentences."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow
import pyarrow.compute as pc
from pandera.typing import Series

from pipeline.text import CLAIM_TYPES
from schemas.documents import HEX16
from schemas.validation import ValidationReport, report, validate_frame
from schemas.vectorised import (
    Cells,
    Str,
    Table,
    arrow_array,
    list_lengths,
    positions,
    same_values,
    select,
    slices_equal,
    str_length,
    str_matches,
    strings,
    validation_frame,
)


class ClaimSchema(pa.DataFrameModel):
    """The claim tags of one sentence per row.

    Every check runs on every row, vectorised (see :mod:`schemas.vectorised`); nothing is
    sampled. The dataframe-wide checks have ``ignore_na=False``: pandera would otherwise scan the
    whole frame for nulls before each of them, only to excuse rows whose every cell is null."""

    sentence_id: Series[Str] = pa.Field(unique=True)
    doc_id: Series[Str]
    is_claim: Series[bool]
    claim_type: Series[Str] = pa.Field(isin=list(CLAIM_TYPES))
    """After Full Fact's claim types; ``not_a_claim`` for everything else."""
    checkworthiness: Series[float] = pa.Field(ge=0.0, le=1.0)
    verifiable: Series[bool]
    hedged: Series[bool]
    attributed_to: Series[Str] = pa.Field(nullable=True)
    topics: Series[Cells]
    """Topic names from the topic lexicon (list of strings)."""
    evidence: Series[Cells]
    """Cues that fired: list of {rule, cue, start, end} with offsets into the sentence."""
    tagger: Series[Str]
    """The rules or model that produced the row."""

    doc_id_format = str_matches("doc_id", HEX16)
    tagger_not_empty = str_length("tagger", 1)

    @pa.dataframe_check(ignore_na=False)
    def is_claim_agrees_with_type(cls, frame: pd.DataFrame) -> Series[bool]:
        """``is_claim`` is True exactly when ``claim_type`` is not ``not_a_claim``."""
        return frame["is_claim"] == (frame["claim_type"] != "not_a_claim")

    @pa.dataframe_check(ignore_na=False)
    def claims_have_evidence(cls, frame: pd.DataFrame) -> Series[bool]:
        """Every positive carries at least one evidence item: no unexplained positives."""
        return ~frame["is_claim"] | (list_lengths(frame["evidence"]) > 0)

    @pa.dataframe_check(ignore_na=False)
    def verifiable_follows_type(cls, frame: pd.DataFrame) -> Series[bool]:
        """Verifiable means any type but ``not_a_claim`` and ``personal_experience``."""
        expected = ~frame["claim_type"].isin(["not_a_claim", "personal_experience"])
        return frame["verifiable"] == expected

    class Config:
        strict = True
        ordered = True


class ClaimSentenceLinkSchema(pa.DataFrameModel):
    """Claims and sentences correspond one to one."""

    sentence_id: Series[Str]
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


def validate_claims(claims: Table, sentences: Table) -> ValidationReport:
    """Validate ``claims`` and its one-to-one link with ``sentences``; also check that every
    evidence offset slices the cue out of its sentence. Either table may be pandas or Arrow;
    the failures are the same."""
    strings = validation_frame(claims)
    linked = validation_frame(select(sentences, ["sentence_id", "text"]))
    return report(
        "claims",
        strings,
        [
            validate_frame(ClaimSchema, strings, key="sentence_id"),
            validate_frame(ClaimSentenceLinkSchema, _links(strings, linked), key="sentence_id"),
            validate_frame(EvidenceOffsetSchema, _evidence(strings, linked), key="sentence_id"),
        ],
    )


class EvidenceOffsetSchema(pa.DataFrameModel):
    """Each evidence item against the text of its sentence.

    Built by one vectorised pass over all items (see :func:`schemas.vectorised.slices_equal`):
    lengths are compared for every item, the characters wherever the lengths agree."""

    sentence_id: Series[Str]
    cue_matches_slice: Series[bool]

    @pa.check("cue_matches_slice")
    def evidence_cue_equals_sentence_slice(cls, series: pd.Series) -> Series[bool]:
        """``sentence.text[start:end] == cue`` for every evidence item."""
        return series


def _links(claims: pd.DataFrame, sentences: pd.DataFrame) -> pd.DataFrame:
    claim_ids, sentence_ids = claims["sentence_id"], sentences["sentence_id"]
    if same_values(claim_ids, sentence_ids):
        # One claims row per sentence row, in the same order: every link holds.
        linked = {"has_sentence": True, "has_claim": True}
        return pd.DataFrame({"sentence_id": claim_ids.array} | linked)
    ids = pd.Index(claim_ids.astype(object)).union(pd.Index(sentence_ids.astype(object)))
    return pd.DataFrame(
        {
            "sentence_id": ids.astype(str),
            "has_sentence": ids.isin(sentence_ids.astype(object)),
            "has_claim": ids.isin(claim_ids.astype(object)),
        }
    )


EVIDENCE_OFFSETS = pyarrow.list_(
    pyarrow.struct(
        [("cue", pyarrow.large_string()), ("start", pyarrow.int64()), ("end", pyarrow.int64())]
    )
)
"""The fields of an evidence item that the offset check reads."""


def _evidence_lists(evidence: pd.Series) -> pyarrow.ListArray:
    """The evidence column as an Arrow list array: as it is when it is Arrow already; else Arrow
    reads the fields out of every item dict in C++ (a missing key becomes a null field)."""
    if isinstance(evidence.dtype, pd.ArrowDtype):
        return arrow_array(evidence)
    return pyarrow.array(evidence.to_numpy(), type=EVIDENCE_OFFSETS, from_pandas=True)


def _item_field(items: pyarrow.StructArray, name: str) -> pyarrow.Array:
    """Field ``name`` of every evidence item, typed as in :data:`EVIDENCE_OFFSETS`; null for a
    null item or one without the field, so that item fails the check."""
    wanted = EVIDENCE_OFFSETS.value_type.field(name).type
    if items.type.get_field_index(name) < 0:
        return pyarrow.nulls(len(items), wanted)
    return pc.struct_field(items, name).cast(wanted)


def _evidence(claims: pd.DataFrame, sentences: pd.DataFrame) -> pd.DataFrame:
    lists = _evidence_lists(claims["evidence"])
    rows = pc.list_parent_indices(lists).to_numpy()
    items = lists.flatten()
    cues, starts, ends = (_item_field(items, name) for name in ("cue", "start", "end"))
    complete = pc.and_(pc.is_valid(starts), pc.is_valid(ends)).to_numpy(zero_copy_only=False)
    owner = positions(claims["sentence_id"], sentences["sentence_id"])[rows]
    matches = slices_equal(
        strings(sentences["text"]),
        np.where(complete, owner, -1),
        starts.fill_null(0).to_numpy(),
        ends.fill_null(0).to_numpy(),
        cues,
    )
    return pd.DataFrame(
        {"sentence_id": claims["sentence_id"].take(rows).array, "cue_matches_slice": matches}
    )
