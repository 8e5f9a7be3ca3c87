"""The per-shard work of every stage, as pure functions over one task.

Each function takes a small picklable task naming its inputs (files, or upstream part files)
and a cache key, and returns a small JSON-ready result: the part files it wrote, row counts,
the shard's validation outcome and timings. Nothing else crosses process boundaries, so a
function runs the same in this process, in a local pool or on a Dask worker
(:mod:`pipeline.compute`). When the cache already holds the key's result, the function returns
it without recomputing. No Dagster import here.

Validation runs where the data is, right after a shard is produced: the pandera models of
:mod:`schemas` over the shard's frames. The outcome travels with the result, so the asset
checks aggregate it without reading the data again, and cached shards keep theirs.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline.claims import claims_table
from pipeline.curate import curate_documents
from pipeline.ingest import raw_documents_table
from pipeline.parts import PartCache, part_from_dict
from pipeline.reuse import Earlier, document_digests, reuse_rows
from pipeline.sentences import sentences_table
from pipeline.shards import current_content
from pipeline.store import Part
from pipeline.tables import (
    CLAIMS,
    DOCUMENTS,
    REJECTS,
    SENTENCES,
    to_arrow,
    to_pandas,
)
from pipeline.text import ClaimModel, load_claim_model
from schemas.claims import validate_claims
from schemas.documents import validate_documents
from schemas.rejects import validate_rejects
from schemas.sentences import validate_sentences
from schemas.validation import ValidationReport

FAILURE_EXAMPLES = 20
"""Failing rows kept per table and shard in a result (all failures are counted)."""


@dataclass(frozen=True)
class IngestTask:
    """Read the files ``relatives`` (POSIX paths under ``raw_dir``) of one shard, whose
    contents the inventory found to be ``contents`` (see :func:`pipeline.shards.inventory`)."""

    stage: ClassVar[str] = "ingest"

    key: str
    cache_root: str
    raw_dir: str
    relatives: tuple[str, ...]
    ingested_at: str
    contents: tuple[str, ...]


@dataclass(frozen=True)
class CleanTask:
    """Clean the raw documents of one shard into documents and rejects."""

    stage: ClassVar[str] = "clean"

    key: str
    cache_root: str
    raw: Part


@dataclass(frozen=True)
class DropTask:
    """Remove the documents ``replace`` names (duplicates of documents in earlier shards) and
    point the shard's rejects that named them at the kept documents: ``replace`` holds
    ``(removed doc_id, kept doc_id, detail)``."""

    stage: ClassVar[str] = "dedup"

    key: str
    cache_root: str
    documents: Part
    rejects: Part
    replace: tuple[tuple[str, str, str], ...]


@dataclass(frozen=True)
class SplitTask:
    """Split the documents of one shard into sentences; ``earlier`` are sentences parts of
    earlier runs that hold some of its documents (see :mod:`pipeline.reuse`)."""

    stage: ClassVar[str] = "split"

    key: str
    cache_root: str
    documents: Part
    earlier: tuple[Earlier, ...] = ()


@dataclass(frozen=True)
class TagTask:
    """Tag the sentences of one shard; ``model_dir`` names a trained model (None: rules)."""

    stage: ClassVar[str] = "tag"

    key: str
    cache_root: str
    sentences: Part
    model_name: str | None
    model_dir: str | None
    model_sha256: str | None = None
    """The model's ``weights_sha256``: a worker reloads a model whose weights changed."""
    earlier: tuple[Earlier, ...] = ()
    """Claims parts of earlier runs, with this tagger, that hold some of its documents."""


def ingest_shard(task: IngestTask) -> dict[str, Any]:
    """Read the shard's files into one ``raw`` part (``RAW_DOCUMENTS`` rows, path order).
    Unreadable inputs keep a row with their reject reason (see :mod:`pipeline.ingest`).

    The task's key stands for the contents the inventory saw. A file rewritten since then
    was read with other content, so the result lists it under ``changed_inputs`` and is not
    cached under that key: a later run reads the file again."""

    def work() -> tuple[dict[str, pa.Table], dict[str, Any]]:
        raw_dir = Path(task.raw_dir)
        paths = [raw_dir / relative for relative in task.relatives]
        raw = raw_documents_table(paths, raw_dir, datetime.fromisoformat(task.ingested_at))
        changed = [
            relative
            for relative, path, expected in zip(task.relatives, paths, task.contents, strict=True)
            if current_content(path) != expected
        ]
        return {"raw": raw}, {"changed_inputs": changed} if changed else {}

    return _cached(task, work)


def clean_shard(task: CleanTask) -> dict[str, Any]:
    """Clean one shard's raw documents into ``documents`` and ``rejects`` parts
    (:func:`pipeline.curate.curate_documents`: duplicates within the shard are rejects), and
    validate both, including the identity inputs = documents + rejects for the shard.

    The result's ``index`` lists, per kept document in order, ``[doc_id, text_sha256,
    input_id, source_path, source_line, format, sha256]``: what finding duplicates across
    shards needs, without reading texts again."""

    def work() -> tuple[dict[str, pa.Table], dict[str, Any]]:
        raw = to_pandas(pq.read_table(task.raw.path))
        documents, rejects = curate_documents(raw)
        started = time.perf_counter()
        reports = [
            validate_documents(documents, rejects, raw["input_id"]),
            validate_rejects(rejects),
        ]
        validation = _outcomes(reports, time.perf_counter() - started)
        index = [
            [
                doc_id,
                hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(),
                input_id,
                path,
                None if pd.isna(line) else int(line),
                fmt,
                sha,
            ]
            for doc_id, text, input_id, path, line, fmt, sha in zip(
                documents["doc_id"],
                documents["text"],
                documents["input_id"],
                documents["source_path"],
                documents["source_line"],
                documents["format"],
                documents["sha256"],
                strict=True,
            )
        ]
        tables = {
            "documents": to_arrow(documents, DOCUMENTS),
            "rejects": to_arrow(rejects, REJECTS),
        }
        return tables, {"inputs": len(raw), "index": index, **validation}

    return _cached(task, work)


def drop_documents(task: DropTask) -> dict[str, Any]:
    """The shard's ``documents`` part without the removed documents, and its ``rejects`` part
    with every ``duplicate_of`` that named one naming the kept document instead."""

    def work() -> tuple[dict[str, pa.Table], dict[str, Any]]:
        removed = pa.array([entry[0] for entry in task.replace], pa.string())
        table = pq.read_table(task.documents.path, schema=DOCUMENTS)
        documents = table.filter(pc.invert(pc.is_in(table["doc_id"], value_set=removed)))
        rejects = to_pandas(pq.read_table(task.rejects.path, schema=REJECTS))
        for old, new, detail in task.replace:
            named = rejects["duplicate_of"] == old
            rejects.loc[named, "duplicate_of"] = new
            rejects.loc[named, "detail"] = detail
        return {"documents": documents, "rejects": to_arrow(rejects, REJECTS)}, {}

    return _cached(task, work)


def split_shard(task: SplitTask) -> dict[str, Any]:
    """Split one shard's documents into a ``sentences`` part
    (:func:`pipeline.sentences.sentences_table`) and validate it against the documents.
    Documents found unchanged in ``task.earlier`` keep their rows from there; the result
    records each document's digest (``documents``) and how many were reused."""

    def work() -> tuple[dict[str, pa.Table], dict[str, Any]]:
        documents = pq.read_table(task.documents.path, schema=DOCUMENTS)
        digests = document_digests(documents, SPLIT_INPUTS)
        sentences, reused = reuse_rows(documents, digests, task.earlier, SENTENCES, sentences_table)
        started = time.perf_counter()
        report = validate_sentences(sentences, documents)
        validation = _outcomes([report], time.perf_counter() - started)
        return {"sentences": sentences}, validation | _reuse_record(digests, reused)

    return _cached(task, work)


def tag_shard(task: TagTask) -> dict[str, Any]:
    """Tag one shard's sentences into a ``claims`` part (rules, or the trained model in
    ``model_dir``) and validate it against the sentences. Documents whose sentences are
    unchanged in ``task.earlier`` keep their claims rows from there (tags depend on the
    sentence alone)."""

    def work() -> tuple[dict[str, pa.Table], dict[str, Any]]:
        sentences = pq.read_table(task.sentences.path, schema=SENTENCES)
        model = (
            (task.model_name, _model(task.model_dir, task.model_sha256))
            if task.model_dir is not None and task.model_name is not None
            else None
        )
        digests = document_digests(sentences, TAG_INPUTS)
        claims, reused = reuse_rows(
            sentences, digests, task.earlier, CLAIMS, lambda rows: claims_table(rows, model)
        )
        started = time.perf_counter()
        report = validate_claims(claims, sentences)
        validation = _outcomes([report], time.perf_counter() - started)
        return {"claims": claims}, validation | _reuse_record(digests, reused)

    return _cached(task, work)


_MODELS: dict[tuple[str, str | None], ClaimModel] = {}


def _model(directory: str, digest: str | None) -> ClaimModel:
    # A worker tags many shards with the same model: load it once per process and version.
    if (directory, digest) not in _MODELS:
        _MODELS[(directory, digest)] = load_claim_model(directory)
    return _MODELS[(directory, digest)]


SPLIT_INPUTS = ("text", "lang")
"""The document columns a document's sentence rows depend on (besides its ``doc_id``)."""

TAG_INPUTS = ("sentence_id", "text")
"""The sentence columns a document's claims rows depend on (besides its ``doc_id``)."""


def _reuse_record(digests: dict[str, str], reused: int) -> dict[str, Any]:
    return {"documents": list(digests.items()), "reused_documents": reused}


def _cached(task: Any, work: Any) -> dict[str, Any]:
    stage, key = task.stage, task.key
    cache = PartCache(task.cache_root)
    found = cache.load_result(stage, key)
    if found is not None:
        return found | {"cached": True}
    started = time.perf_counter()
    tables, extra = work()
    parts = {name: cache.write_part(table, key, name) for name, table in tables.items()}
    result = {
        "stage": stage,
        "key": key,
        "parts": {name: _part_dict(part) for name, part in parts.items()},
        "seconds": time.perf_counter() - started,
        **extra,
    }
    if not result.get("changed_inputs"):
        cache.save_result(stage, key, result)
    return result | {"cached": False}


def _part_dict(part: Part) -> dict[str, Any]:
    return {"path": part.path, "rows": part.rows, "bytes": part.bytes, "sha256": part.sha256}


def result_part(result: dict[str, Any], name: str) -> Part:
    """The part ``name`` of a stage result."""
    return part_from_dict(result["parts"][name])


def _outcomes(reports: list[ValidationReport], seconds: float) -> dict[str, Any]:
    outcomes = [
        {
            "table": report.table,
            "rows": report.rows,
            "counts": report.counts_by_check(),
            "examples": report.failures.head(FAILURE_EXAMPLES).astype(str).to_dict("records"),
        }
        for report in reports
    ]
    return {"validation": outcomes, "validate_seconds": seconds}
