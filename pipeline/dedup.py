"""Find documents that duplicate a document of an earlier shard.

Each shard removes its own duplicates when it is cleaned; this finishes the job across shards
with the same rule as :func:`pipeline.curate.curate_documents`: in input order, the first
document with a given cleaned text (or with given content bytes, hence ``doc_id``) is kept and
every later one becomes a ``duplicate`` reject naming it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from pipeline.tables import REJECTS


def cross_shard_duplicates(
    indexes: Sequence[Sequence[Sequence[Any]]],
) -> tuple[dict[int, dict[str, tuple[str, str]]], pd.DataFrame]:
    """Given, per shard in input order, the kept documents' index rows ``[doc_id,
    text_sha256, input_id, source_path, source_line, format, sha256]`` (see
    :func:`pipeline.stages.clean_shard`), return ``(drop, rejects)``.

    ``drop`` maps a shard's position (only shards with something to drop) to ``{removed
    doc_id: (kept doc_id, detail)}``: the shard's own duplicate rejects that named a removed
    document must name the kept one instead, with that detail. ``rejects`` has one
    ``REJECTS`` row per removed document, in input order.

    One case differs from deduplicating the whole corpus in one pass: when a removed document
    had the same bytes as the kept one but was read as a different text, a later document of
    its shard with that text stays a duplicate (of the kept document) instead of becoming a
    document itself."""
    kept_by_text: dict[str, str] = {}
    kept_paths: dict[str, str] = {}
    drop: dict[int, dict[str, tuple[str, str]]] = {}
    rows: list[dict[str, Any]] = []
    for position, index in enumerate(indexes):
        for doc_id, text_key, input_id, path, line, fmt, sha in index:
            original = kept_by_text.get(text_key)
            if original is not None:
                detail = f"same cleaned text as {original}"
                repointed = detail
            elif doc_id in kept_paths:
                original = doc_id
                detail = (
                    f"same content as {original} from {kept_paths[original]}, "
                    f"read there as a different text"
                )
                repointed = f"same cleaned text as a document whose content duplicates {original}"
            else:
                kept_by_text[text_key] = doc_id
                kept_paths[doc_id] = path + (f" line {line}" if line is not None else "")
                continue
            drop.setdefault(position, {})[doc_id] = (original, repointed)
            rows.append(
                {
                    "input_id": input_id,
                    "source_path": path,
                    "source_line": line,
                    "format": fmt,
                    "doc_id": doc_id,
                    "sha256": sha,
                    "stage": "clean",
                    "reason": "duplicate",
                    "detail": detail,
                    "duplicate_of": original,
                }
            )
    frame = pd.DataFrame.from_records(rows, columns=REJECTS.names)
    frame["source_line"] = frame["source_line"].astype("Int64")
    return drop, frame
