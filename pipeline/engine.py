"""Run each stage over every shard: plan the tasks, reuse cached shards, map the rest on a
compute backend, and collect the part files into a :class:`ShardedTable`.

The Dagster assets call these functions (one per stage) and pass the returned tables, which
name part files rather than hold rows, from asset to asset. A worker holds one shard at a
time; the driver holds no rows, only per-file and per-document bookkeeping (the inventory,
and the ids and hashes that cross-shard dedup compares: about a hundred bytes per document),
so its memory grows slowly and linearly with the corpus. Cache keys combine the stage's code version
with the content of its inputs, so unchanged shards are reused and, e.g., a new tagger version
re-tags every shard without splitting any again.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

import schemas
from pipeline.claims import RULE_TAGGER
from pipeline.compute import Backend
from pipeline.dedup import cross_shard_duplicates
from pipeline.parts import PartCache, cache_key
from pipeline.progress import Progress
from pipeline.reuse import latest_outputs, record_outputs
from pipeline.shards import Shard
from pipeline.stages import (
    SPLIT_INPUTS,
    TAG_INPUTS,
    CleanTask,
    DropTask,
    IngestTask,
    SplitTask,
    TagTask,
    clean_shard,
    drop_documents,
    ingest_shard,
    result_part,
    split_shard,
    tag_shard,
)
from pipeline.store import Part, sha256_file
from pipeline.tables import REJECTS, TABLE_SCHEMAS, to_arrow, to_pandas
from pipeline.text.model import stored_weights_sha256
from pipeline.versions import STAGE_VERSIONS, library_versions, pipeline_version


def _schemas_digest() -> str:
    # Shards keep their validation outcome in the cache: a changed check must re-validate.
    sources = sorted(Path(schemas.__file__).parent.glob("*.py"))
    return cache_key([[path.name, sha256_file(path)] for path in sources])


SCHEMAS_DIGEST = _schemas_digest()
"""A digest of the pandera models' source, part of every validating stage's cache key."""


@dataclass(frozen=True)
class StageStats:
    """How a stage went: shards computed and reused, and seconds spent (wall clock, and
    summed over the computed shards, which is larger when shards ran in parallel; of the
    latter, ``validate_seconds`` went to the pandera checks)."""

    shards: int = 0
    computed: int = 0
    reused: int = 0
    wall_seconds: float = 0.0
    work_seconds: float = 0.0
    validate_seconds: float = 0.0
    documents_reused: int = 0
    """Documents of computed shards whose rows came from an earlier run's part."""


@dataclass(frozen=True)
class ShardedTable:
    """A table stored as part files, one per shard, in input order.

    ``validation`` holds one entry per validated table and shard: ``table``, ``rows``,
    ``counts`` (failing rows per check) and ``examples`` (some failing rows)."""

    name: str
    parts: tuple[Part, ...]
    validation: tuple[dict[str, Any], ...] = ()
    stats: StageStats = field(default_factory=StageStats)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        """Rows over all parts."""
        return sum(part.rows for part in self.parts)

    def read(self, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """All rows as one pandas frame (only for small tables, tests and previews)."""
        return to_pandas(self.arrow(columns))

    def arrow(self, columns: Sequence[str] | None = None) -> pa.Table:
        """All rows (or only ``columns``) as one Arrow table; without parts, an empty table
        with the table's schema."""
        tables = [pq.read_table(part.path, columns=columns) for part in self.parts]
        if tables:
            return pa.concat_tables(tables)
        empty = self._schema().empty_table()
        return empty.select(list(columns)) if columns is not None else empty

    def head(self, rows: int = 8) -> pd.DataFrame:
        """The first ``rows`` rows (from the first non-empty part), for previews."""
        for part in self.parts:
            if part.rows:
                batch = next(pq.ParquetFile(part.path).iter_batches(batch_size=rows))
                return to_pandas(pa.Table.from_batches([batch]))
        return to_pandas(self._schema().empty_table())

    def _schema(self) -> pa.Schema:
        return TABLE_SCHEMAS[self.name]

    def failure_counts(self) -> dict[str, int]:
        """Failing rows per check over every shard (empty when all checks passed)."""
        counts: dict[str, int] = {}
        for outcome in self.validation:
            for check, count in outcome["counts"].items():
                counts[check] = counts.get(check, 0) + count
        return counts


def ingest(
    shards: Sequence[Shard],
    raw_dir: Path,
    cache: PartCache,
    backend: Backend,
    progress: Progress | None = None,
) -> ShardedTable:
    """The ``raw_documents`` of every shard (one part each). ``ingested_at`` is when a
    shard's current content was first read; a cached shard keeps its time. ``extra`` holds
    ``inputs_digest``, a digest of every input path and content, and ``changed_inputs``, the
    files rewritten between the inventory and their reading (their shards are not cached)."""
    now = datetime.now(UTC).isoformat()
    tasks = [
        IngestTask(
            key=cache_key("ingest", STAGE_VERSIONS["raw_documents"], library_versions(), s.key()),
            cache_root=str(cache.root),
            raw_dir=str(raw_dir),
            relatives=tuple(file.relative for file in s.files),
            ingested_at=now,
            contents=tuple(file.content for file in s.files),
        )
        for s in shards
    ]
    results, stats = _run(ingest_shard, tasks, [s.bytes for s in shards], backend, progress)
    digest = cache_key("inputs", [[f.relative, f.content] for s in shards for f in s.files])
    changed = sorted(path for result in results for path in result.get("changed_inputs", []))
    if changed:
        # What was read is not what the inventory hashed: make sure no later run takes this
        # run's output for the inventory's contents (a release keyed on it would never match).
        digest = cache_key(digest, changed, now)
    return ShardedTable(
        "raw_documents",
        _parts(results, "raw"),
        stats=stats,
        extra={"inputs_digest": digest, "changed_inputs": changed},
    )


def clean(
    raw: ShardedTable,
    cache: PartCache,
    backend: Backend,
    progress: Progress | None = None,
) -> tuple[ShardedTable, ShardedTable]:
    """``(documents, rejects)``: every shard cleaned, then duplicates across shards removed
    (:mod:`pipeline.dedup`): a removed document's shard gets new documents and rejects parts
    (its own duplicates of the removed document now name the kept one), and the removed
    document's reject row goes to one extra rejects part at the end. Inputs = documents +
    rejects."""
    version = cache_key(STAGE_VERSIONS["clean_documents"], library_versions(), SCHEMAS_DIGEST)
    tasks = [
        CleanTask(cache_key("clean", version, part.sha256), str(cache.root), part)
        for part in raw.parts
    ]
    results, stats = _run(clean_shard, tasks, _sizes(raw.parts), backend, progress)
    drop, duplicate_rows = cross_shard_duplicates([result["index"] for result in results])
    documents = list(_parts(results, "documents"))
    rejects = list(_parts(results, "rejects"))
    if drop:
        drop_tasks = []
        for position, replaced in sorted(drop.items()):
            replace = tuple((old, new, detail) for old, (new, detail) in replaced.items())
            key = cache_key("dedup", documents[position].sha256, rejects[position].sha256, replace)
            drop_tasks.append(
                DropTask(key, str(cache.root), documents[position], rejects[position], replace)
            )
        dropped, _ = _run(
            drop_documents, drop_tasks, [task.documents.bytes for task in drop_tasks], backend, None
        )
        for (position, _), result in zip(sorted(drop.items()), dropped, strict=True):
            documents[position] = result_part(result, "documents")
            rejects[position] = result_part(result, "rejects")
    if len(duplicate_rows):
        table = to_arrow(duplicate_rows, REJECTS)
        rejects.append(
            cache.write_part(table, cache_key("duplicates", table.to_pylist()), "rejects")
        )
    validation = tuple(outcome for result in results for outcome in result["validation"])
    inputs = sum(result["inputs"] for result in results)
    return (
        ShardedTable(
            "clean_documents",
            tuple(documents),
            tuple(v for v in validation if v["table"] == "documents"),
            stats,
            {
                "inputs": inputs,
                "cross_shard_duplicates": len(duplicate_rows),
                "inputs_digest": raw.extra.get("inputs_digest"),
            },
        ),
        ShardedTable(
            "rejects",
            tuple(rejects),
            tuple(v for v in validation if v["table"] == "rejects"),
            stats,
            {"inputs": inputs},
        ),
    )


def split(
    documents: ShardedTable,
    cache: PartCache,
    backend: Backend,
    progress: Progress | None = None,
) -> ShardedTable:
    """The ``sentences`` of every documents part (one part each, same order), validated
    against their documents."""
    code = cache_key("split", STAGE_VERSIONS["sentences"], SCHEMAS_DIGEST, SPLIT_INPUTS)
    tasks = [
        SplitTask(cache_key(code, part.sha256), str(cache.root), part) for part in documents.parts
    ]
    prepare = _with_earlier(cache, code, lambda task: task.documents, "sentences")
    results, stats = _run(split_shard, tasks, _sizes(documents.parts), backend, progress, prepare)
    record_outputs(cache.root, code, results)
    return ShardedTable("sentences", _parts(results, "sentences"), _validation(results), stats)


def tag(
    sentences: ShardedTable,
    cache: PartCache,
    backend: Backend,
    model: tuple[str, Path] | None = None,
    progress: Progress | None = None,
) -> ShardedTable:
    """The ``claims`` of every sentences part (one part each, same order), by the rules or by
    ``model`` (its name and directory), validated against their sentences. ``extra`` holds
    the ``tagger`` name stored in the rows."""
    name, directory = (model[0], str(model[1])) if model else (None, None)
    # The model's name derives from its training data only; its weights say what it computes.
    weights = stored_weights_sha256(model[1]) if model else None
    tagger = cache_key(STAGE_VERSIONS["claims"], SCHEMAS_DIGEST, name, weights)
    code = cache_key("tag", tagger, TAG_INPUTS)
    tasks = [
        TagTask(cache_key(code, part.sha256), str(cache.root), part, name, directory, weights)
        for part in sentences.parts
    ]
    prepare = _with_earlier(cache, code, lambda task: task.sentences, "claims")
    results, stats = _run(tag_shard, tasks, _sizes(sentences.parts), backend, progress, prepare)
    record_outputs(cache.root, code, results)
    tagger_name = f"model/{name}" if name else RULE_TAGGER
    return ShardedTable(
        "claims", _parts(results, "claims"), _validation(results), stats, {"tagger": tagger_name}
    )


def fingerprint(documents: ShardedTable, claims: ShardedTable) -> str:
    """A digest of every input (path and content), of the pipeline version and of the claim
    tagger: equal fingerprints mean the same inputs went through the same code and model, so
    a version published from them would hold the same data."""
    return cache_key(
        "release", pipeline_version(), documents.extra["inputs_digest"], claims.extra["tagger"]
    )


def _with_earlier(
    cache: PartCache, code: str, source: Callable[[Any], Part], output: str
) -> Callable[[Any], Any]:
    """A ``prepare`` for :func:`_run`: gives a task to compute the ``output`` parts of the
    last run of the stage ``code`` that hold documents of its input part ``source(task)``."""
    latest = latest_outputs(cache.root, code)

    def prepare(task: Any) -> Any:
        if not latest.results:
            return task
        doc_ids = pq.read_table(source(task).path, columns=["doc_id"])["doc_id"]
        earlier = latest.holding(pc.unique(doc_ids).to_pylist(), output)
        return dataclasses.replace(task, earlier=tuple(earlier))

    return prepare


def _run(
    function: Callable[[Any], dict[str, Any]],
    tasks: Sequence[Any],
    sizes: Sequence[int],
    backend: Backend,
    progress: Progress | None,
    prepare: Callable[[Any], Any] | None = None,
) -> tuple[list[dict[str, Any]], StageStats]:
    # Cached shards are answered here, without a round trip to a worker. The others go out
    # largest input first, so the stage does not end waiting on one big shard (shard sizes
    # vary: boundaries are content-defined); ``prepare`` completes each of them first.
    started = time.perf_counter()
    results: list[dict[str, Any] | None] = [None] * len(tasks)
    pending: list[int] = []
    for position, task in enumerate(tasks):
        found = PartCache(task.cache_root).load_result(task.stage, task.key)
        if found is None:
            pending.append(position)
        else:
            results[position] = found | {"cached": True}
            if progress is not None:
                progress.advance()
    pending.sort(key=lambda position: -sizes[position])
    sent = [prepare(tasks[p]) if prepare else tasks[p] for p in pending]
    for index, result in backend.map(function, sent):
        results[pending[index]] = result
        if progress is not None:
            progress.advance()
    if progress is not None:
        progress.finish()
    done = [result for result in results if result is not None]
    computed = [result for result in done if not result["cached"]]
    stats = StageStats(
        shards=len(done),
        computed=len(computed),
        reused=len(done) - len(computed),
        wall_seconds=time.perf_counter() - started,
        work_seconds=sum(result["seconds"] for result in computed),
        validate_seconds=sum(result.get("validate_seconds", 0.0) for result in computed),
        documents_reused=sum(result.get("reused_documents", 0) for result in computed),
    )
    return done, stats


def _sizes(parts: Sequence[Part]) -> list[int]:
    return [part.bytes for part in parts]


def _parts(results: Sequence[dict[str, Any]], name: str) -> tuple[Part, ...]:
    return tuple(result_part(result, name) for result in results)


def _validation(results: Sequence[dict[str, Any]]) -> tuple[dict[str, Any], ...]:
    return tuple(outcome for result in results for outcome in result["validation"])
