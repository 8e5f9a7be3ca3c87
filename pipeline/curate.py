"""Turn raw documents into cleaned, language-tagged, de-duplicated documents plus rejects.

Every input row ends up in exactly one of the two outputs: ``documents`` (accepted) or
``rejects`` (with a reason code from :data:`pipeline.reasons.REJECT_REASONS`). Nothing is
dropped silently.
"""

from __future__ import annotations

import hashlib

import pandas as pd

from pipeline.progress import Progress, tracked
from pipeline.tables import DOCUMENTS, REJECTS, empty_frame
from pipeline.text import clean_text, detect_language


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
    documents: list[dict] = []
    rejects: list[dict] = []
    kept_by_text: dict[str, str] = {}
    kept_paths: dict[str, str] = {}  # doc_id -> where the kept document came from
    for row in tracked(raw.to_dict("records"), progress):
        if _present(row["reject_reason"]):
            rejects.append(_reject_row(row, "ingest", row["reject_reason"], row["reject_detail"]))
            continue
        cleaned = clean_text(row["text"])
        if not cleaned.text:
            detail = "cleaning removed: " + (", ".join(cleaned.notes) or "whitespace only")
            rejects.append(_reject_row(row, "clean", "empty_after_cleaning", detail))
            continue
        text_key = hashlib.sha256(cleaned.text.encode("utf-8", "surrogatepass")).hexdigest()
        if text_key in kept_by_text:
            original = kept_by_text[text_key]
            rejects.append(
                _reject_row(row, "clean", "duplicate", f"same cleaned text as {original}")
                | {"duplicate_of": original}
            )
            continue
        if row["doc_id"] in kept_paths:
            original = row["doc_id"]
            detail = (
                f"same content as {original} from {kept_paths[original]}, "
                f"read there as a different text"
            )
            rejects.append(
                _reject_row(row, "clean", "duplicate", detail) | {"duplicate_of": original}
            )
            continue
        kept_by_text[text_key] = row["doc_id"]
        kept_paths[row["doc_id"]] = _where(row)
        lang, confidence = detect_language(cleaned.text)
        document = {name: row[name] for name in DOCUMENTS.names if name in row}
        document |= {
            "lang": lang,
            "lang_confidence": float(confidence),
            "cleaning": list(cleaned.notes),
            "n_chars": len(cleaned.text),
            "text": cleaned.text,
        }
        documents.append(document)
    return _frame(documents, DOCUMENTS.names, empty_frame(DOCUMENTS)), _frame(
        rejects, REJECTS.names, empty_frame(REJECTS)
    )


def _reject_row(row: dict, stage: str, reason: str, detail: object) -> dict:
    return {
        "input_id": row["input_id"],
        "source_path": row["source_path"],
        "source_line": row["source_line"],
        "format": row["format"],
        "doc_id": row["doc_id"] if _present(row["doc_id"]) else None,
        "sha256": row["sha256"] if _present(row["sha256"]) else None,
        "stage": stage,
        "reason": reason,
        "detail": str(detail) if _present(detail) else "",
        "duplicate_of": None,
    }


def _where(row: dict) -> str:
    line = row["source_line"]
    return row["source_path"] + (f" line {line}" if _present(line) else "")


def _frame(rows: list[dict], columns: list[str], empty: pd.DataFrame) -> pd.DataFrame:
    if not rows:
        return empty
    frame = pd.DataFrame.from_records(rows, columns=columns)
    return frame.astype({name: dtype for name, dtype in empty.dtypes.items()}, copy=False)


def _present(value: object) -> bool:
    return (
        value is not None
        and not (isinstance(value, float) and pd.isna(value))
        and (value is not pd.NA)
    )
