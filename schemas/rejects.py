"""pandera model of the ``rejects`` table: every input that did not become a document."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from pipeline.reasons import REJECT_REASONS
from schemas.validation import ValidationReport, report, validate_frame


class RejectSchema(pa.DataFrameModel):
    """One rejected input per row, with a reason code and a human-readable detail."""

    input_id: Series[str] = pa.Field(unique=True, str_matches=r"^[0-9a-f]{16}$")
    source_path: Series[str] = pa.Field(str_length={"min_value": 1})
    source_line: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1)
    format: Series[str]
    doc_id: Series[str] = pa.Field(nullable=True)
    """Content id when the input could be read, else null."""
    sha256: Series[str] = pa.Field(nullable=True, str_matches=r"^[0-9a-f]{64}$")
    stage: Series[str] = pa.Field(isin=["ingest", "clean"])
    """The stage that rejected the input."""
    reason: Series[str] = pa.Field(isin=sorted(REJECT_REASONS))
    """Stable reason code (see ``pipeline.reasons.REJECT_REASONS``)."""
    detail: Series[str]
    duplicate_of: Series[str] = pa.Field(nullable=True)
    """For duplicates: the doc_id of the document that was kept."""

    @pa.dataframe_check
    def duplicates_name_the_kept_document(cls, frame: pd.DataFrame) -> Series[bool]:
        """A duplicate says which document it duplicates; nothing else does."""
        return (frame["reason"] == "duplicate") == frame["duplicate_of"].notna()

    class Config:
        strict = True
        ordered = True


def validate_rejects(rejects: pd.DataFrame) -> ValidationReport:
    """Validate ``rejects`` on its own (links to documents are checked with the documents)."""
    return report("rejects", rejects, [validate_frame(RejectSchema, rejects, key="input_id")])
