"""pandera model of the ``sentences`` table, and its offsets checked against documents."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow.compute as pc
from pandera.typing import Series

from schemas.documents import HEX16
from schemas.validation import ValidationReport, report, validate_frame
from schemas.vectorised import (
    Str,
    Table,
    char_lengths,
    is_stripped,
    positions,
    select,
    slices_equal,
    str_length,
    str_matches,
    strings,
    validation_frame,
)


class SentenceSchema(pa.DataFrameModel):
    """One sentence per row, located by character offsets in its document's cleaned text.

    Every check runs on every row, vectorised (see :mod:`schemas.vectorised`); nothing is
    sampled. The dataframe-wide checks have ``ignore_na=False``: pandera would otherwise scan the
    whole frame for nulls before each of them, only to excuse rows whose every cell is null."""

    sentence_id: Series[Str] = pa.Field(unique=True)
    """``<doc_id>-<index>``: stable while the document and splitter are unchanged."""
    doc_id: Series[Str]
    index: Series[int] = pa.Field(ge=0)
    """Position of the sentence in its document, from 0."""
    start: Series[int] = pa.Field(ge=0)
    """Offset of the first character in the document's ``text``."""
    end: Series[int] = pa.Field(ge=1)
    """Offset one past the last character."""
    text: Series[Str]

    sentence_id_format = str_matches("sentence_id", r"^[0-9a-f]{16}-\d{4,}$")
    doc_id_format = str_matches("doc_id", HEX16)
    text_not_empty = str_length("text", 1)

    @pa.dataframe_check(ignore_na=False)
    def end_after_start(cls, frame: pd.DataFrame) -> Series[bool]:
        """``end > start``."""
        return frame["end"] > frame["start"]

    @pa.dataframe_check(ignore_na=False)
    def text_length_matches_offsets(cls, frame: pd.DataFrame) -> Series[bool]:
        """``len(text) == end - start``."""
        return char_lengths(frame["text"]) == frame["end"] - frame["start"]

    @pa.dataframe_check(ignore_na=False)
    def text_has_no_outer_whitespace(cls, frame: pd.DataFrame) -> Series[bool]:
        """A sentence never begins or ends on whitespace."""
        return is_stripped(frame["text"])

    @pa.dataframe_check(ignore_na=False)
    def index_unique_within_document(cls, frame: pd.DataFrame) -> Series[bool]:
        """No two sentences of a document share an index."""
        return ~frame.duplicated(subset=["doc_id", "index"], keep=False)

    class Config:
        strict = True
        ordered = True


class SentenceInDocumentSchema(pa.DataFrameModel):
    """Each sentence checked against the document it claims to come from.

    Built by one vectorised pass over all rows (see :func:`schemas.vectorised.slices_equal`):
    lengths are compared for every row, the characters wherever the lengths agree."""

    sentence_id: Series[Str]
    document_exists: Series[bool]
    end: Series[int]
    document_chars: Series[int]
    text_matches_slice: Series[bool]

    @pa.check("document_exists")
    def sentence_has_document(cls, series: pd.Series) -> Series[bool]:
        """The sentence's doc_id is in the documents table."""
        return series

    @pa.dataframe_check(ignore_na=False)
    def offsets_within_document(cls, frame: pd.DataFrame) -> Series[bool]:
        """``end <= len(document.text)`` (for sentences whose document exists)."""
        return ~frame["document_exists"] | (frame["end"] <= frame["document_chars"])

    @pa.check("text_matches_slice")
    def text_equals_document_slice(cls, series: pd.Series) -> Series[bool]:
        """``text == document.text[start:end]``, exactly."""
        return series


def validate_sentences(sentences: Table, documents: Table) -> ValidationReport:
    """Validate ``sentences`` on its own and against ``documents`` (existence, offsets within
    the document, text equal to the document slice). Either table may be pandas or Arrow; the
    failures are the same."""
    strings = validation_frame(sentences)
    texts = validation_frame(select(documents, ["doc_id", "text"]))
    return report(
        "sentences",
        strings,
        [
            validate_frame(SentenceSchema, strings, key="sentence_id"),
            validate_frame(
                SentenceInDocumentSchema,
                _against_documents(strings, texts),
                key="sentence_id",
            ),
        ],
    )


def _against_documents(sentences: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    owner = positions(sentences["doc_id"], documents["doc_id"])
    document_texts = strings(documents["text"])
    readable = pc.is_valid(document_texts).to_numpy(zero_copy_only=False)
    exists = owner >= 0
    exists[exists] = readable[owner[exists]]
    document_chars = np.zeros(len(owner), dtype=np.int64)
    document_chars[exists] = pc.utf8_length(document_texts).fill_null(0).to_numpy()[owner[exists]]
    end = sentences["end"].to_numpy(dtype="int64")
    return pd.DataFrame(
        {
            "sentence_id": sentences["sentence_id"].array,
            "document_exists": exists,
            "end": end,
            "document_chars": document_chars,
            "text_matches_slice": slices_equal(
                document_texts,
                np.where(exists, owner, -1),
                sentences["start"].to_numpy(dtype="int64"),
                end,
                strings(sentences["text"]),
            ),
        },
        index=sentences.index,
    )
