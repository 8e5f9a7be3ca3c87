"""Compare two dataset versions: documents, sentences and claim tags that changed.

Documents are matched by their source (path and .jsonl line), so an edited file shows as
"changed" even though its content-derived ``doc_id`` is new. Sentences are matched by source and
text, so an unchanged sentence of an edited document is not reported. Claims are compared on
those matched sentences.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

import pandas as pd

EXAMPLES = 5
"""How many examples each section of a diff lists."""


def diff_tables(
    before: Mapping[str, pd.DataFrame], after: Mapping[str, pd.DataFrame]
) -> dict[str, Any]:
    """A JSON-ready diff between two sets of published tables (``documents``, ``sentences``,
    ``claims``; each a DataFrame as read from a version). Counts are exact; each section keeps
    up to :data:`EXAMPLES` examples."""
    old_documents = _by_source(before["documents"])
    new_documents = _by_source(after["documents"])
    added = sorted(set(new_documents) - set(old_documents))
    removed = sorted(set(old_documents) - set(new_documents))
    changed = sorted(
        source
        for source in set(old_documents) & set(new_documents)
        if old_documents[source] != new_documents[source]
    )
    old_sentences = _sentence_keys(before)
    new_sentences = _sentence_keys(after)
    added_sentences = sorted(set(new_sentences) - set(old_sentences))
    removed_sentences = sorted(set(old_sentences) - set(new_sentences))
    old_tags = _tags(before, old_sentences)
    new_tags = _tags(after, new_sentences)
    retagged = sorted(
        key for key in set(old_tags) & set(new_tags) if old_tags[key] != new_tags[key]
    )
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
                    "before": _tag_record(old_tags[key]),
                    "after": _tag_record(new_tags[key]),
                }
                for key in retagged[:EXAMPLES]
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


def _tags(
    tables: Mapping[str, pd.DataFrame], keys: Mapping[tuple[str, int, str], str]
) -> dict[tuple[str, int, str], _Tag]:
    claims = tables["claims"].set_index("sentence_id")
    tags = {}
    for key, sentence_id in keys.items():
        if sentence_id not in claims.index:
            continue
        row = claims.loc[sentence_id]
        tags[key] = _Tag(
            is_claim=bool(row["is_claim"]),
            claim_type=str(row["claim_type"]),
            checkworthiness=round(float(row["checkworthiness"]), 3),
            topics=tuple(row["topics"]),
        )
    return tags


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
