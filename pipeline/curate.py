"""Turn raw documents into cleaned, language-tagged, de-duplicated documents plus rejects.

Every input row ends up in exactly one of the two outputs: ``documents`` (accepted) or
``rejects`` (with a reason code from :data:`pipeline.reasons.REJECT_REASONS`). Nothing is
dropped silently.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pandas as pd

from pipeline.progress import Progress, tracked
from pipeline.tables import DOCUMENTS, REJECTS, empty_frame
from pipeline.text import clean_text, detect_languages

# Columns curation computes; every other DOCUMENTS column is copied from the raw row.
_COMPUTED = ("lang", "lang_confidence", "cleaning", "n_chars", "text")
# Raw columns a reject row repeats; doc_id and sha256 with missing values as None.
_REJECT_COPIED = ("input_id", "source_path", "source_line", "format")
_READ = ("reject_reason", "reject_detail", "text", "doc_id", "source_path", "source_line")


def curate_documents(
    raw: pd.DataFrame, progress: Progress | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Clean every readable raw document and split the inputs into ``(documents, rejects)``.

    ``raw`` has the ``RAW_DOCUMENTS`` columns. Rows with a ``reject_reason`` become rejects at
    stage ``"ingest"``. The others are cleaned (:func:`pipeline.text.clean_text`); a document
    that is empty after cleaning is rejected as ``empty_after_cleaning``, and a document whose
    cleaned text equals an earlier one's (in source order) is rejected as ``duplicate`` with
    ``duplicate_of`` naming the kept document. So is a document with the same content bytes,
    hence the same ``doc_id``, as an earlier one but a different cleaned text (the same page
    saved as ``.txt`` and ``.html``): ``doc_id`` stays unique. Output frames have the
    ``DOCUMENTS`` and ``REJECTS`` columns, in source order;
    ``len(documents) + len(rejects) == len(raw)``. ``progress`` is advanced once per input.
    """
    kept: list[int] = []
    computed: dict[str, list[Any]] = {name: [] for name in _COMPUTED}
    rejects = _Rejects(raw)
    kept_by_text: dict[bytes, str] = {}
    kept_paths: dict[str, str] = {}  # doc_id -> where the kept document came from
    rows = zip(*(raw[name].tolist() for name in _READ), strict=True)
    for position, (reason, detail, text, doc_id, path, line) in enumerate(tracked(rows, progress)):
        if _present(reason):
            rejects.add(position, "ingest", reason, detail)
            continue
        cleaned = clean_text(text)
        if not cleaned.text:
            detail = "cleaning removed: " + (", ".join(cleaned.notes) or "whitespace only")
            rejects.add(position, "clean", "empty_after_cleaning", detail)
            continue
        text_key = hashlib.sha256(cleaned.text.encode("utf-8", "surrogatepass")).digest()
        if text_key in kept_by_text:
            original = kept_by_text[text_key]
            detail = f"same cleaned text as {original}"
            rejects.add(position, "clean", "duplicate", detail, duplicate_of=original)
            continue
        if doc_id in kept_paths:
            detail = (
                f"same content as {doc_id} from {kept_paths[doc_id]}, "
                f"read there as a different text"
            )
            rejects.add(position, "clean", "duplicate", detail, duplicate_of=doc_id)
            continue
        kept_by_text[text_key] = doc_id
        kept_paths[doc_id] = path + (f" line {line}" if _present(line) else "")
        kept.append(position)
        computed["cleaning"].append(list(cleaned.notes))
        computed["n_chars"].append(len(cleaned.text))
        computed["text"].append(cleaned.text)
    for lang, confidence in detect_languages(computed["text"]):
        computed["lang"].append(lang)
        computed["lang_confidence"].append(float(confidence))
    return _documents(raw, kept, computed), rejects.frame()


def _documents(raw: pd.DataFrame, kept: list[int], computed: dict[str, list[Any]]) -> pd.DataFrame:
    """The DOCUMENTS frame of the raw rows at ``kept`` with their ``computed`` columns."""
    empty = empty_frame(DOCUMENTS)
    if not kept:
        return empty
    copied = [name for name in DOCUMENTS.names if name not in computed and name in raw.columns]
    frame = raw.iloc[kept][copied].reset_index(drop=True)
    for name, values in computed.items():
        # A list of lists would be read as rows; as an object Series each list is one value.
        frame[name] = pd.Series(values, dtype=object if name == "cleaning" else None)
    return _typed(frame, empty)


class _Rejects:
    """REJECTS rows collected column by column, in input order."""

    def __init__(self, raw: pd.DataFrame) -> None:
        self._raw = raw
        self._positions: list[int] = []
        self._computed: dict[str, list[Any]] = {
            name: [] for name in ("stage", "reason", "detail", "duplicate_of")
        }

    def add(
        self,
        position: int,
        stage: str,
        reason: str,
        detail: object,
        duplicate_of: str | None = None,
    ) -> None:
        """Reject the raw row at ``position``; a missing ``detail`` becomes ``""``."""
        self._positions.append(position)
        self._computed["stage"].append(stage)
        self._computed["reason"].append(reason)
        self._computed["detail"].append(str(detail) if _present(detail) else "")
        self._computed["duplicate_of"].append(duplicate_of)

    def frame(self) -> pd.DataFrame:
        """The rejects so far as a frame with the REJECTS columns and dtypes."""
        empty = empty_frame(REJECTS)
        if not self._positions:
            return empty
        rows = self._raw.iloc[self._positions]
        columns: dict[str, list[Any]] = {name: rows[name].tolist() for name in _REJECT_COPIED}
        for name in ("doc_id", "sha256"):
            columns[name] = [value if _present(value) else None for value in rows[name]]
        return _typed(pd.DataFrame(columns | self._computed, columns=REJECTS.names), empty)


def _typed(frame: pd.DataFrame, empty: pd.DataFrame) -> pd.DataFrame:
    return frame[list(empty.columns)].astype(dict(empty.dtypes), copy=False)


def _present(value: object) -> bool:
    return (
        value is not None
        and not (isinstance(value, float) and pd.isna(value))
        and (value is not pd.NA)
    )
