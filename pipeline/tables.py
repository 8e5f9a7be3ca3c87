"""Storage layout of every claimset table: one explicit Arrow schema per table.

Writing with an explicit schema keeps column types identical across runs and versions (an
all-null column stays ``string``, list columns keep their element type), so pandas, DuckDB and
polars read every version the same way. Validation rules live in :mod:`schemas`; this module only
says how the columns are stored and converts between pandas and Arrow.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

_TIMESTAMP = pa.timestamp("us", tz="UTC")


def _required(name: str, arrow_type: pa.DataType) -> pa.Field:
    return pa.field(name, arrow_type, nullable=False)


def _optional(name: str, arrow_type: pa.DataType) -> pa.Field:
    return pa.field(name, arrow_type, nullable=True)


_FEED_METADATA = [
    _optional("external_id", pa.string()),
    _optional("title", pa.string()),
    _optional("url", pa.string()),
    _optional("published", pa.string()),
]
"""Optional fields a .jsonl record (or an HTML title) supplies, kept as given."""

RAW_DOCUMENTS = pa.schema(
    [
        _required("input_id", pa.string()),
        _required("source_path", pa.string()),
        _optional("source_line", pa.int64()),
        _required("format", pa.string()),
        _optional("doc_id", pa.string()),
        _optional("sha256", pa.string()),
        _required("n_bytes", pa.int64()),
        _optional("encoding", pa.string()),
        _optional("extraction", pa.string()),
        *_FEED_METADATA,
        _optional("text", pa.large_string()),
        _optional("reject_reason", pa.string()),
        _optional("reject_detail", pa.string()),
        _required("ingested_at", _TIMESTAMP),
    ]
)
"""One row per input document (a file, or one line of a .jsonl file), readable or not."""

DOCUMENTS = pa.schema(
    [
        _required("doc_id", pa.string()),
        _required("input_id", pa.string()),
        _required("source_path", pa.string()),
        _optional("source_line", pa.int64()),
        _required("format", pa.string()),
        _required("sha256", pa.string()),
        _required("n_bytes", pa.int64()),
        _required("encoding", pa.string()),
        _required("extraction", pa.string()),
        *_FEED_METADATA,
        _required("lang", pa.string()),
        _required("lang_confidence", pa.float64()),
        _required("cleaning", pa.list_(pa.string())),
        _required("n_chars", pa.int64()),
        _required("text", pa.large_string()),
        _required("ingested_at", _TIMESTAMP),
    ]
)
"""One row per accepted document; ``text`` is the cleaned text that sentence offsets index."""

REJECTS = pa.schema(
    [
        _required("input_id", pa.string()),
        _required("source_path", pa.string()),
        _optional("source_line", pa.int64()),
        _required("format", pa.string()),
        _optional("doc_id", pa.string()),
        _optional("sha256", pa.string()),
        _required("stage", pa.string()),
        _required("reason", pa.string()),
        _required("detail", pa.string()),
        _optional("duplicate_of", pa.string()),
    ]
)
"""One row per input that did not become a document, with the reason."""

SENTENCES = pa.schema(
    [
        _required("sentence_id", pa.string()),
        _required("doc_id", pa.string()),
        _required("index", pa.int64()),
        _required("start", pa.int64()),
        _required("end", pa.int64()),
        _required("text", pa.string()),
    ]
)
"""One row per sentence; ``text == documents.text[start:end]`` of its document."""

EVIDENCE = pa.struct(
    [
        _required("rule", pa.string()),
        _required("cue", pa.string()),
        _required("start", pa.int64()),
        _required("end", pa.int64()),
    ]
)
"""One cue that fired: the rule's name, the matched text and its offsets in the sentence."""

CLAIMS = pa.schema(
    [
        _required("sentence_id", pa.string()),
        _required("doc_id", pa.string()),
        _required("is_claim", pa.bool_()),
        _required("claim_type", pa.string()),
        _required("checkworthiness", pa.float64()),
        _required("verifiable", pa.bool_()),
        _required("hedged", pa.bool_()),
        _optional("attributed_to", pa.string()),
        _required("topics", pa.list_(pa.string())),
        _required("evidence", pa.list_(EVIDENCE)),
        _required("tagger", pa.string()),
    ]
)
"""One row per sentence with its claim tags; evidence offsets index the sentence text."""

TABLE_SCHEMAS: dict[str, pa.Schema] = {
    "raw_documents": RAW_DOCUMENTS,
    "documents": DOCUMENTS,
    "clean_documents": DOCUMENTS,
    "rejects": REJECTS,
    "sentences": SENTENCES,
    "claims": CLAIMS,
}
"""Arrow schema by table or asset name."""

PUBLISHED_TABLES = ("documents", "sentences", "claims", "rejects")
"""The tables every published dataset version holds, in this order."""


def empty_frame(schema: pa.Schema) -> pd.DataFrame:
    """An empty DataFrame with the columns and pandas dtypes a table of ``schema`` reads back as."""
    return to_pandas(schema.empty_table())


def to_arrow(frame: pd.DataFrame, schema: pa.Schema) -> pa.Table:
    """Convert ``frame`` to an Arrow table with exactly ``schema`` (column order and types).

    Raises ``KeyError`` when a column is missing and ``pyarrow.ArrowInvalid``/``ArrowTypeError``
    when a value cannot be stored in its column type. Extra columns are dropped.
    """
    missing = [name for name in schema.names if name not in frame.columns]
    if missing:
        raise KeyError(f"missing columns for table: {missing}")
    columns = frame[list(schema.names)].reset_index(drop=True)
    return pa.Table.from_pandas(columns, schema=schema, preserve_index=False)


def to_pandas(table: pa.Table) -> pd.DataFrame:
    """Convert an Arrow table to pandas the way every claimset stage expects: nullable integer
    columns become the ``Int64`` dtype (required ones stay ``int64``), timestamps stay
    timezone-aware, list columns become arrays of Python objects."""
    frame = table.to_pandas()
    for field in table.schema:
        if pa.types.is_integer(field.type) and field.nullable:
            frame[field.name] = frame[field.name].astype("Int64")
    return frame
