"""pandera model of the ``rejects`` table: every input that did not become a document."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from pipeline.reasons import REJECT_REASONS
from schemas.documents import HEX16, SHA256
from schemas.validation import ValidationReport, report, validate_frame
from schemas.vectorised import Str, Table, str_length, str_matches, validation_frame


class RejectSchema(pa.DataFrameModel):
    """One rejected input per row, with a reason code and a human-readable detail."""

    input_id: Series[Str] = pa.Field(unique=True)
    source_path: Series[Str]
    source_line: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1)
    format: Series[Str]
    doc_id: Series[Str] = pa.Field(nullable=True)
    """Content id when the input could be read, else null."""
    sha256: Series[Str] = pa.Field(nullable=True)
    stage: Series[Str] = pa.Field(isin=["ingest", "clean"])
    """The stage that rejected the input."""
    reason: Series[Str] = pa.Field(isin=sorted(REJECT_REASONS))
    """Stable reason code (see ``pipeline.reasons.REJECT_REASONS``)."""
    detail: Series[Str]
    duplicate_of: Series[Str] = pa.Field(nullable=True)
    """For duplicates: the doc_id of the document that was kept."""

    input_id_format = str_matches("input_id", HEX16)
    source_path_not_empty = str_length("source_path", 1)
    sha256_format = str_matches("sha256", SHA256)

    @pa.dataframe_check
    def duplicates_name_the_kept_document(cls, frame: pd.DataFrame) -> Series[bool]:
        """A duplicate says which document it duplicates; nothing else does."""
        return (frame["reason"] == "duplicate") == frame["duplicate_of"].notna()

    class Config:
        strict = True
        ordered = True


def validate_rejects(rejects: Table) -> ValidationReport:
    """Validate ``rejects`` (pandas or Arrow) on its own (links to documents are checked with
    the documents)."""
    frame = validation_frame(rejects)
    return report("rejects", frame, [validate_frame(RejectSchema, frame, key="input_id")])
