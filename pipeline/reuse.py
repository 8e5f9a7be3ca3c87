"""Reuse the rows of unchanged documents when a shard changes.

The stage cache answers a whole shard whose input is unchanged. When one document of a shard
is added, edited or removed, the shard's input is new, but the split and tag stages compute
each document's rows from that document's rows alone. Those stages therefore take the rows of
every other document from the output part an earlier run wrote for it, and compute only the
documents that are new or changed.

A document is "the same" when its ``doc_id`` and the digest of every input value its rows
depend on (:func:`document_digests`) are equal; the code version is part of the stage key
under which earlier outputs are looked up (:func:`latest_outputs`), so rows made by other
code are never reused.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline.atomic import write_text_atomically
from pipeline.parts import part_from_dict
from pipeline.store import Part

DIGEST_CHARS = 32
"""Hex digits kept of a document digest (128 bits)."""


@dataclass(frozen=True)
class Earlier:
    """An output part written by an earlier run, with the digest of each document it holds
    (``documents``: ``(doc_id, digest)`` pairs)."""

    part: Part
    documents: tuple[tuple[str, str], ...]


def document_digests(table: pa.Table, columns: Sequence[str]) -> dict[str, str]:
    """For each ``doc_id`` of ``table`` (in order of first row), a digest (sha256, first
    :data:`DIGEST_CHARS` hex digits) of its rows' ``columns`` (string columns), in row order.

    Rows of one document must be contiguous (as in every ``documents`` and ``sentences``
    part). Two documents with equal digests have equal values in those columns, row by row:
    each value is hashed with a null marker and its length, so no two sequences of values
    give the same bytes.
    """
    ids = table.column("doc_id").to_pylist()
    values = [table.column(name).to_pylist() for name in columns]
    digests: dict[str, str] = {}
    current, digest = None, hashlib.sha256()
    for row, doc_id in enumerate(ids):
        if doc_id != current:
            if current is not None:
                digests[current] = digest.hexdigest()[:DIGEST_CHARS]
            current, digest = doc_id, hashlib.sha256()
        for column in values:
            value = column[row]
            if value is None:
                digest.update(b"\x00")
            else:
                data = value.encode("utf-8", "surrogatepass")
                digest.update(b"\x01" + len(data).to_bytes(8, "little") + data)
    if current is not None:
        digests[current] = digest.hexdigest()[:DIGEST_CHARS]
    return digests


def reuse_rows(
    table: pa.Table,
    digests: dict[str, str],
    earlier: Sequence[Earlier],
    schema: pa.Schema,
    compute: Callable[[pa.Table], pa.Table],
) -> tuple[pa.Table, int]:
    """The output rows for the input ``table`` (whose documents have ``digests``), in the
    order ``compute(table)`` would give them, and how many documents were reused.

    A document whose digest equals the one an ``earlier`` part recorded for it gets that
    part's rows (an earlier part that cannot be read is skipped); ``compute`` runs on the
    input rows of the other documents only. This equals
    ``compute(table)`` provided ``compute`` treats each document independently and orders
    its output by input document, then keeps each document's rows together and in order.
    """
    found: set[str] = set()
    pieces = []
    for output in earlier:
        wanted = [
            doc_id
            for doc_id, digest in output.documents
            if digests.get(doc_id) == digest and doc_id not in found
        ]
        if not wanted:
            continue
        try:
            rows = pq.read_table(output.part.path, schema=schema)
        except (OSError, pa.ArrowException):
            continue  # gone or damaged since it was listed: compute those documents instead
        pieces.append(rows.filter(pc.is_in(rows["doc_id"], value_set=pa.array(wanted))))
        found.update(wanted)
    if found:
        reused = pa.array(list(found), pa.string())
        table = table.filter(pc.invert(pc.is_in(table["doc_id"], value_set=reused)))
    if table.num_rows or not pieces:
        pieces.append(compute(table))
    combined = pa.concat_tables(pieces)
    order = {doc_id: position for position, doc_id in enumerate(digests)}
    rank = np.fromiter(
        map(order.__getitem__, combined["doc_id"].to_pylist()), np.int64, combined.num_rows
    )
    return combined.take(np.argsort(rank, kind="stable")), len(found)


class LatestOutputs:
    """The results the last run of one stage recorded (see :func:`record_outputs`), indexed
    by the documents they hold."""

    def __init__(self, results: Sequence[dict[str, Any]]) -> None:
        self.results = list(results)
        self._by_document: dict[str, list[int]] = {}
        for position, result in enumerate(self.results):
            for doc_id, _ in result.get("documents", ()):
                self._by_document.setdefault(doc_id, []).append(position)

    def holding(self, doc_ids: Iterable[str], part: str) -> list[Earlier]:
        """The ``part`` outputs that hold any of ``doc_ids`` and whose file still exists
        (``claimset prune`` may have removed it), in recorded order."""
        positions = sorted(
            {position for doc_id in doc_ids for position in self._by_document.get(doc_id, ())}
        )
        return [
            Earlier(part_from_dict(result["parts"][part]), tuple(map(tuple, result["documents"])))
            for result in (self.results[position] for position in positions)
            if Path(result["parts"][part]["path"]).is_file()
        ]


def latest_outputs(cache_root: str | Path, stage_code: str) -> LatestOutputs:
    """What the last run of the stage with code key ``stage_code`` recorded; empty when
    there is no record or it cannot be read."""
    try:
        listed = json.loads(_latest_path(cache_root, stage_code).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        listed = []
    return LatestOutputs([entry for entry in listed if isinstance(entry, dict)])


def record_outputs(
    cache_root: str | Path, stage_code: str, results: Sequence[dict[str, Any]]
) -> None:
    """Remember this run's results of the stage with code key ``stage_code`` (their parts and
    ``documents``) for the next run's :func:`latest_outputs`."""
    kept = [
        {"parts": result["parts"], "documents": result["documents"]}
        for result in results
        if "documents" in result
    ]
    write_text_atomically(_latest_path(cache_root, stage_code), json.dumps(kept))


def _latest_path(cache_root: str | Path, stage_code: str) -> Path:
    return Path(cache_root) / "latest" / f"{stage_code}.json"
