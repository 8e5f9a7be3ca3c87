"""Compare two dataset versions: documents, sentences and claim tags that changed.

Documents are matched by their source (path and .jsonl line), so an edited file shows as
"changed" even though its content-derived ``doc_id`` is new. Sentences are matched by source and
text, so an unchanged sentence of an edited document is not reported. Claims are compared on
those matched sentences.

Only the columns a comparison needs are read. When both versions are given as part files, a
part present in both (same sha256) holds the same rows in both, so only the documents that
appear in a part that differs are compared (see :func:`diff_tables`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline.store import Part, TableData, Version, read_columns
from pipeline.tables import to_pandas

EXAMPLES = 5
"""How many examples each section of a diff lists."""

COLUMNS: dict[str, tuple[str, ...]] = {
    "documents": ("doc_id", "source_path", "source_line"),
    "sentences": ("sentence_id", "doc_id", "text"),
    "claims": ("sentence_id", "doc_id", "is_claim", "claim_type", "checkworthiness", "topics"),
}
"""The tables a diff compares and the only columns it reads from each."""


def diff_published(before: Version, after: Version) -> dict[str, Any]:
    """:func:`diff_tables` between two published versions, read from their part files."""
    return diff_tables(
        {table: before.parts(table) for table in COLUMNS},
        {table: after.parts(table) for table in COLUMNS},
    )


def diff_tables(before: Mapping[str, TableData], after: Mapping[str, TableData]) -> dict[str, Any]:
    """A JSON-ready diff between two sets of published tables (``documents``, ``sentences``,
    ``claims``; each a DataFrame or the table's part files). Counts are exact; each section
    keeps up to :data:`EXAMPLES` examples.

    When every table on both sides is given as parts, rows are read only for the documents
    that occur in a part found on one side only (by sha256): every other document has all its
    rows in parts common to both sides, so its rows, source and tags are equal on both. That
    relies on what the schema checks guarantee of a version: one document per source and per
    ``doc_id``, one claims row per sentence, with the sentence's ``doc_id``.
    """
    old, new = _comparable_rows(before, after)
    old_documents = _by_source(old["documents"])
    new_documents = _by_source(new["documents"])
    added = sorted(set(new_documents) - set(old_documents))
    removed = sorted(set(old_documents) - set(new_documents))
    changed = sorted(
        source
        for source in set(old_documents) & set(new_documents)
        if old_documents[source] != new_documents[source]
    )
    old_sentences = _sentence_keys(old)
    new_sentences = _sentence_keys(new)
    added_sentences = sorted(set(new_sentences) - set(old_sentences))
    removed_sentences = sorted(set(old_sentences) - set(new_sentences))
    retagged = _retagged(old["claims"], old_sentences, new["claims"], new_sentences)
    return {
        "documents": {
            "added": len(added),
            "removed": len(removed),
            "changed": len(changed),
            "examples": {
                "added": [_source_label(s) for s in added[:EXAMPLES]],
                "removed": [_source_label(s) for s in removed[:EXAMPLES]],
                "changed": [_source_label(s) for s in changed[:EXAMPLES]],
            },
        },
        "sentences": {
            "added": len(added_sentences),
            "removed": len(removed_sentences),
            "examples": {
                "added": [_sentence_label(k) for k in added_sentences[:EXAMPLES]],
                "removed": [_sentence_label(k) for k in removed_sentences[:EXAMPLES]],
            },
        },
        "claims": {
            "changed": len(retagged),
            "examples": [
                {
                    **_sentence_label(key),
                    "before": _tag_record(before_tag),
                    "after": _tag_record(after_tag),
                }
                for key, before_tag, after_tag in retagged[:EXAMPLES]
            ],
        },
    }


def render_diff(diff: Mapping[str, Any], name_a: str, name_b: str) -> str:
    """A human-readable account of ``diff`` between versions ``name_a`` and ``name_b``."""
    documents, sentences, claims = diff["documents"], diff["sentences"], diff["claims"]
    lines = [
        f"claimset diff {name_a} -> {name_b}",
        f"documents: +{documents['added']} added, -{documents['removed']} removed, "
        f"~{documents['changed']} changed",
    ]
    for kind, sign in (("added", "+"), ("removed", "-"), ("changed", "~")):
        lines += [f"  {sign} {source}" for source in documents["examples"][kind]]
    lines.append(f"sentences: +{sentences['added']} added, -{sentences['removed']} removed")
    for kind, sign in (("added", "+"), ("removed", "-")):
        lines += [
            f"  {sign} [{item['source']}] {item['text']}" for item in sentences["examples"][kind]
        ]
    lines.append(f"claims: {claims['changed']} sentences with changed tags")
    for item in claims["examples"]:
        before, after = item["before"], item["after"]
        lines.append(
            f"  ~ [{item['source']}] {item['text']}\n"
            f"      {before['claim_type']} ({before['checkworthiness']}) -> "
            f"{after['claim_type']} ({after['checkworthiness']})"
        )
    return "\n".join(lines)


class _Tag(NamedTuple):
    """The claim tags of one sentence that a diff compares."""

    is_claim: bool
    claim_type: str
    checkworthiness: float
    topics: tuple[str, ...]


def _comparable_rows(
    before: Mapping[str, TableData], after: Mapping[str, TableData]
) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    """The rows of each side that can differ, with the :data:`COLUMNS` of each table."""
    given = [side[table] for side in (before, after) for table in COLUMNS]
    if any(isinstance(data, pd.DataFrame) for data in given):
        return (
            {table: read_columns(before[table], COLUMNS[table]) for table in COLUMNS},
            {table: read_columns(after[table], COLUMNS[table]) for table in COLUMNS},
        )
    shared: dict[str, list[Part]] = {}
    old: dict[str, pd.DataFrame] = {}
    new: dict[str, pd.DataFrame] = {}
    for table, columns in COLUMNS.items():
        common = {part.sha256 for part in before[table]} & {part.sha256 for part in after[table]}
        shared[table] = list({p.sha256: p for p in before[table] if p.sha256 in common}.values())
        old[table] = read_columns([p for p in before[table] if p.sha256 not in common], columns)
        new[table] = read_columns([p for p in after[table] if p.sha256 not in common], columns)
    affected = {doc_id for frame in (*old.values(), *new.values()) for doc_id in frame["doc_id"]}
    for table, columns in COLUMNS.items():
        common_rows = _rows_of_documents(shared[table], columns, affected)
        old[table] = _concat([old[table], common_rows], columns)
        new[table] = _concat([new[table], common_rows], columns)
    return old, new


def _rows_of_documents(
    parts: Sequence[Part], columns: Sequence[str], doc_ids: Iterable[str]
) -> pd.DataFrame:
    """The rows of ``parts`` whose ``doc_id`` is one of ``doc_ids``. Only the ``doc_id``
    column (dictionary-encoded) is read from a part that holds none of them."""
    wanted = pa.array(sorted(set(doc_ids)), pa.string())
    pieces = []
    for part in parts if len(wanted) else ():
        ids = pq.read_table(part.path, columns=["doc_id"], read_dictionary=["doc_id"])
        mask = pc.is_in(ids["doc_id"], value_set=wanted)
        if pc.any(mask).as_py():
            pieces.append(to_pandas(pq.read_table(part.path, columns=list(columns)).filter(mask)))
    return _concat(pieces, columns)


def _concat(frames: Sequence[pd.DataFrame], columns: Sequence[str]) -> pd.DataFrame:
    """``frames`` one after another; an empty frame with ``columns`` when all are empty."""
    filled = [frame for frame in frames if len(frame)]
    if not filled:
        return pd.DataFrame({name: [] for name in columns})
    return pd.concat(filled, ignore_index=True)


def _by_source(documents: pd.DataFrame) -> dict[tuple[str, int], str]:
    return {
        (path, _line(line)): doc_id
        for path, line, doc_id in zip(
            documents["source_path"], documents["source_line"], documents["doc_id"], strict=True
        )
    }


def _sentence_keys(tables: Mapping[str, pd.DataFrame]) -> dict[tuple[str, int, str], str]:
    documents = tables["documents"]
    sources = {
        doc_id: (path, _line(line))
        for doc_id, path, line in zip(
            documents["doc_id"], documents["source_path"], documents["source_line"], strict=True
        )
    }
    sentences = tables["sentences"]
    return {
        (*sources[doc_id], text): sentence_id
        for sentence_id, doc_id, text in zip(
            sentences["sentence_id"], sentences["doc_id"], sentences["text"], strict=True
        )
        if doc_id in sources
    }


def _retagged(
    old_claims: pd.DataFrame,
    old_keys: Mapping[tuple[str, int, str], str],
    new_claims: pd.DataFrame,
    new_keys: Mapping[tuple[str, int, str], str],
) -> list[tuple[tuple[str, int, str], _Tag, _Tag]]:
    """``(sentence key, tags before, tags after)`` for every sentence key with a claims row on
    both sides whose tags differ, sorted by key. The tags of all matched sentences are
    compared as arrays; :class:`_Tag` records are built only for the ones that differ."""
    old_tags, new_tags = _tag_columns(old_claims), _tag_columns(new_claims)
    keys = [
        key
        for key, sentence_id in old_keys.items()
        if sentence_id in old_tags.index and key in new_keys and new_keys[key] in new_tags.index
    ]
    before = old_tags.loc[[old_keys[key] for key in keys]].to_numpy()
    after = new_tags.loc[[new_keys[key] for key in keys]].to_numpy()
    differs = (before != after).any(axis=1) if keys else []
    changed = [(keys[i], _Tag(*before[i]), _Tag(*after[i])) for i in np.flatnonzero(differs)]
    return sorted(changed, key=lambda item: item[0])


def _tag_columns(claims: pd.DataFrame) -> pd.DataFrame:
    """The :class:`_Tag` fields of each claims row, indexed by ``sentence_id`` (the last row
    of a repeated id counts), as plain Python values so they compare like the records."""
    frame = pd.DataFrame(
        {
            "is_claim": [bool(value) for value in claims["is_claim"]],
            "claim_type": [str(value) for value in claims["claim_type"]],
            "checkworthiness": [round(float(value), 3) for value in claims["checkworthiness"]],
            "topics": [tuple(value) for value in claims["topics"]],
        },
        index=pd.Index(claims["sentence_id"].to_numpy(dtype=object), dtype=object),
        dtype=object,
    )
    return frame[~frame.index.duplicated(keep="last")]


def _tag_record(tag: _Tag) -> dict[str, Any]:
    return {**tag._asdict(), "topics": list(tag.topics)}


def _line(line: object) -> int:
    return 0 if line is None or pd.isna(line) else int(line)


def _source_label(source: tuple[str, int]) -> str:
    path, line = source
    return f"{path}:{line}" if line else path


def _sentence_label(key: tuple[str, int, str]) -> dict[str, str]:
    path, line, text = key
    return {"source": _source_label((path, line)), "text": text}
