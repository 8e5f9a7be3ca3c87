"""pandera model of the ``documents`` table, and the accounting of every input."""

from __future__ import annotations

from typing import Annotated

import pandas as pd
import pandera.pandas as pa
import pyarrow
from pandera.typing import Series

from schemas.validation import ValidationReport, report, validate_frame
from schemas.vectorised import (
    Cells,
    Str,
    Table,
    char_lengths,
    is_stripped,
    str_length,
    str_matches,
    validation_frame,
)

FORMATS = ["txt", "md", "html", "jsonl"]
"""Input formats a document can come from."""

HEX16 = r"^[0-9a-f]{16}$"
"""A 16-hex-digit id (``doc_id``, ``input_id``)."""
SHA256 = r"^[0-9a-f]{64}$"
"""A sha256 hex digest."""


class DocumentSchema(pa.DataFrameModel):
    """One accepted, cleaned document per row."""

    doc_id: Series[Str] = pa.Field(unique=True)
    """sha256 of the document's content bytes, first 16 hex digits: stable across runs."""
    input_id: Series[Str] = pa.Field(unique=True)
    """Which input (path and line) the document came from."""
    source_path: Series[Str]
    """Path of the source file, relative to the raw directory."""
    source_line: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1)
    """1-based line of a .jsonl record; null for whole-file documents."""
    format: Series[Str] = pa.Field(isin=FORMATS)
    """Input format."""
    sha256: Series[Str]
    """sha256 of the input bytes (the file, or the .jsonl line)."""
    n_bytes: Series[int] = pa.Field(ge=1)
    """Size of the input in bytes."""
    encoding: Series[Str]
    """Detected text encoding of the input bytes."""
    extraction: Series[Str] = pa.Field(isin=["plain", "trafilatura", "fallback"])
    """How the text was obtained: as is, or extracted from HTML."""
    external_id: Series[Str] = pa.Field(nullable=True)
    title: Series[Str] = pa.Field(nullable=True)
    url: Series[Str] = pa.Field(nullable=True)
    published: Series[Str] = pa.Field(nullable=True)
    lang: Series[Str]
    """ISO 639-1 language code, or "und" when undetermined."""
    lang_confidence: Series[float] = pa.Field(ge=0.0, le=1.0)
    cleaning: Series[Cells]
    """Codes of what cleaning changed (list of strings)."""
    n_chars: Series[int] = pa.Field(ge=1)
    text: Series[Str]
    """The cleaned text; sentence offsets index it."""
    ingested_at: Series[Annotated[pd.DatetimeTZDtype, "us", "UTC"]]

    doc_id_format = str_matches("doc_id", HEX16)
    input_id_format = str_matches("input_id", HEX16)
    source_path_not_empty = str_length("source_path", 1)
    sha256_format = str_matches("sha256", SHA256)
    lang_format = str_matches("lang", r"^([a-z]{2,3}|und)$")
    text_not_empty = str_length("text", 1)

    @pa.dataframe_check
    def n_chars_is_text_length(cls, frame: pd.DataFrame) -> Series[bool]:
        """``n_chars`` counts the characters of ``text``."""
        return char_lengths(frame["text"]) == frame["n_chars"]

    @pa.dataframe_check
    def text_has_no_outer_whitespace(cls, frame: pd.DataFrame) -> Series[bool]:
        """Cleaned text is stripped."""
        return is_stripped(frame["text"])

    class Config:
        strict = True
        ordered = True


class InputAccountingSchema(pa.DataFrameModel):
    """One row per raw input: it must land in exactly one of documents and rejects."""

    input_id: Series[Str] = pa.Field(unique=True)
    in_documents: Series[int] = pa.Field(ge=0)
    in_rejects: Series[int] = pa.Field(ge=0)

    @pa.dataframe_check
    def accounted_for_exactly_once(cls, frame: pd.DataFrame) -> Series[bool]:
        """inputs == accepted + rejected: each input is a document or a reject, never both."""
        return frame["in_documents"] + frame["in_rejects"] == 1


class DuplicateLinkSchema(pa.DataFrameModel):
    """Each duplicate reject points at a document that is in the documents table."""

    input_id: Series[Str]
    duplicate_of: Series[Str]
    kept_document_exists: Series[bool]

    @pa.check("kept_document_exists")
    def duplicate_of_is_a_document(cls, series: pd.Series) -> Series[bool]:
        """``duplicate_of`` is the doc_id of an accepted document."""
        return series


def validate_documents(
    documents: Table,
    rejects: Table,
    raw_input_ids: pd.Series | pyarrow.Array | pyarrow.ChunkedArray,
) -> ValidationReport:
    """Validate ``documents``; check that every raw input id appears exactly once in
    ``documents`` or ``rejects`` (and that neither holds ids that were never input), and that
    every duplicate reject names an accepted document. The tables may be pandas or Arrow, the
    ids a pandas or an Arrow column; the failures are the same."""
    documents, rejects = validation_frame(documents), validation_frame(rejects)
    if not isinstance(raw_input_ids, pd.Series):
        raw_input_ids = pd.Series(pd.arrays.ArrowExtensionArray(raw_input_ids))
    duplicates = rejects.loc[rejects["duplicate_of"].notna(), ["input_id", "duplicate_of"]]
    links = duplicates.assign(
        kept_document_exists=duplicates["duplicate_of"].isin(documents["doc_id"]).astype(bool)
    )
    return report(
        "documents",
        documents,
        [
            validate_frame(DocumentSchema, documents, key="doc_id"),
            validate_frame(
                InputAccountingSchema,
                _accounting_frame(documents, rejects, raw_input_ids),
                key="input_id",
            ),
            validate_frame(DuplicateLinkSchema, links, key="input_id"),
        ],
    )


def _accounting_frame(
    documents: pd.DataFrame, rejects: pd.DataFrame, raw_input_ids: pd.Series
) -> pd.DataFrame:
    # One id per input: few enough rows per shard to count as Python strings.
    raw = raw_input_ids.astype(object).astype(str)
    accepted, rejected = documents["input_id"].astype(object), rejects["input_id"].astype(object)
    ids = pd.Index(raw).union(accepted).union(rejected)
    in_raw = ids.isin(raw)
    in_documents = accepted.value_counts().reindex(ids, fill_value=0)
    in_rejects = rejected.value_counts().reindex(ids, fill_value=0)
    # An id that was never input counts twice over, so the identity fails for it too.
    stray = (~in_raw).astype(int)
    return pd.DataFrame(
        {
            "input_id": ids.astype(str),
            "in_documents": (in_documents.to_numpy() + stray).astype("int64"),
            "in_rejects": (in_rejects.to_numpy() + stray).astype("int64"),
        }
    )
