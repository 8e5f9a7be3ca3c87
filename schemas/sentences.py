"""pandera model of the ``sentences`` table, and its offsets checked against documents."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas.validation import ValidationReport, report, validate_frame


class SentenceSchema(pa.DataFrameModel):
    """One sentence per row, located by character offsets in its document's cleaned text."""

    sentence_id: Series[str] = pa.Field(unique=True, str_matches=r"^[0-9a-f]{16}-\d{4,}$")
    """``<doc_id>-<index>``: stable while the document and splitter are unchanged."""
    doc_id: Series[str] = pa.Field(str_matches=r"^[0-9a-f]{16}$")
    index: Series[int] = pa.Field(ge=0)
    """Position of the sentence in its document, from 0."""
    start: Series[int] = pa.Field(ge=0)
    """Offset of the first character in the document's ``text``."""
    end: Series[int] = pa.Field(ge=1)
    """Offset one past the last character."""
    text: Series[str] = pa.Field(str_length={"min_value": 1})

    @pa.dataframe_check
    def end_after_start(cls, frame: pd.DataFrame) -> Series[bool]:
        """``end > start``."""
        return frame["end"] > frame["start"]

    @pa.dataframe_check
    def text_length_matches_offsets(cls, frame: pd.DataFrame) -> Series[bool]:
        """``len(text) == end - start``."""
        return frame["text"].str.len() == frame["end"] - frame["start"]

    @pa.dataframe_check
    def text_has_no_outer_whitespace(cls, frame: pd.DataFrame) -> Series[bool]:
        """A sentence never begins or ends on whitespace."""
        return frame["text"].str.strip() == frame["text"]

    @pa.dataframe_check
    def index_unique_within_document(cls, frame: pd.DataFrame) -> Series[bool]:
        """No two sentences of a document share an index."""
        return ~frame.duplicated(subset=["doc_id", "index"], keep=False)

    class Config:
        strict = True
        ordered = True


class SentenceInDocumentSchema(pa.DataFrameModel):
    """Each sentence checked against the document it claims to come from."""

    sentence_id: Series[str]
    document_exists: Series[bool]
    end: Series[int]
    document_chars: Series[int]
    text_matches_slice: Series[bool]

    @pa.check("document_exists")
    def sentence_has_document(cls, series: pd.Series) -> Series[bool]:
        """The sentence's doc_id is in the documents table."""
        return series

    @pa.dataframe_check
    def offsets_within_document(cls, frame: pd.DataFrame) -> Series[bool]:
        """``end <= len(document.text)`` (for sentences whose document exists)."""
        return ~frame["document_exists"] | (frame["end"] <= frame["document_chars"])

    @pa.check("text_matches_slice")
    def text_equals_document_slice(cls, series: pd.Series) -> Series[bool]:
        """``text == document.text[start:end]``, exactly."""
        return series


def validate_sentences(sentences: pd.DataFrame, documents: pd.DataFrame) -> ValidationReport:
    """Validate ``sentences`` on its own and against ``documents`` (existence, offsets within
    the document, text equal to the document slice)."""
    return report(
        "sentences",
        sentences,
        [
            validate_frame(SentenceSchema, sentences, key="sentence_id"),
            validate_frame(
                SentenceInDocumentSchema,
                _against_documents(sentences, documents),
                key="sentence_id",
            ),
        ],
    )


def _against_documents(sentences: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    texts = dict(zip(documents["doc_id"], documents["text"], strict=True))
    document_texts = [texts.get(doc_id) for doc_id in sentences["doc_id"]]
    matches = [
        document is not None and document[start:end] == text
        for document, start, end, text in zip(
            document_texts, sentences["start"], sentences["end"], sentences["text"], strict=True
        )
    ]
    return pd.DataFrame(
        {
            "sentence_id": sentences["sentence_id"].to_numpy(),
            "document_exists": [document is not None for document in document_texts],
            "end": sentences["end"].to_numpy(dtype="int64"),
            "document_chars": [len(document or "") for document in document_texts],
            "text_matches_slice": matches,
        },
        index=sentences.index,
    ).astype({"document_chars": "int64", "document_exists": bool, "text_matches_slice": bool})
