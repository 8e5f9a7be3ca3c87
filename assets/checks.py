"""Blocking pandera checks on every table: a failure is shown in the UI with its failing rows
and stops publishing.

The pandera models run shard by shard where each shard is produced (:mod:`pipeline.stages`),
so a check here aggregates the shards' outcomes and adds what no single shard can see: ids
unique across shards, duplicates naming a kept document of another shard, and inputs =
documents + rejects over the whole run.
"""

from collections.abc import Iterable, Mapping
from typing import Any

import dagster as dg
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.engine import ShardedTable
from schemas.validation import ValidationReport


def sharded_check(
    table: str, sharded: ShardedTable, extra: Iterable[Mapping[str, Any]] = ()
) -> dg.AssetCheckResult:
    """The check result over every shard's validation outcome of ``table`` plus ``extra``
    failing rows (``schema``, ``check``, ``column``, ``key``, ``failure_case``) found across
    shards: exact failure counts per check, and a markdown table of failing rows (which row,
    which check, which value; a few per shard)."""
    extra = list(extra)
    counts = sharded.failure_counts()
    for row in extra:
        counts[row["check"]] = counts.get(row["check"], 0) + 1
    examples = [row for outcome in sharded.validation for row in outcome["examples"]]
    cases = ValidationReport(
        table=table,
        rows=sharded.rows,
        failures=pd.DataFrame([*examples, *extra], columns=_FAILURE_COLUMNS),
    )
    failing = sum(counts.values())
    metadata: dict[str, object] = {"rows": sharded.rows, "failures": failing}
    if failing:
        ordered = sorted(counts.items(), key=lambda item: -item[1])
        metadata["failed_checks"] = dg.MetadataValue.md(
            "\n".join(f"- `{name}`: {count} rows" for name, count in ordered)
        )
        metadata["failure_cases"] = dg.MetadataValue.md(cases.markdown())
        description = "\n".join(
            [f"{table}: {failing} failures in {sharded.rows} rows"]
            + [
                f"  check {name!r} failed on {count} rows, e.g. {_examples(cases, name)}"
                for name, count in ordered
            ]
        )
    else:
        description = f"{table}: all checks passed on {sharded.rows} rows"
    return dg.AssetCheckResult(passed=not failing, metadata=metadata, description=description)


_FAILURE_COLUMNS = ["schema", "check", "column", "key", "index", "failure_case"]


def _examples(report: ValidationReport, check: str, limit: int = 5) -> str:
    rows = report.failures[report.failures["check"] == check].head(limit)
    return ", ".join(
        f"{key} ({case})" for key, case in zip(rows["key"], rows["failure_case"], strict=True)
    )


@dg.asset_check(
    asset="clean_documents",
    blocking=True,
    additional_ins={"rejects": dg.AssetIn("rejects")},
)
def documents_schema(clean_documents: ShardedTable, rejects: ShardedTable) -> dg.AssetCheckResult:
    """DocumentSchema (ids, types, ranges, cleaned text), the accounting identity (every
    input is exactly one document or one reject) and duplicate rejects naming kept documents,
    in every shard and across shards."""
    doc_ids = clean_documents.arrow(["doc_id"])["doc_id"]
    extra = _repeated(doc_ids, "doc_id")
    links = rejects.arrow(["input_id", "duplicate_of"]).drop_null()
    dangling = links.filter(pc.invert(pc.is_in(links["duplicate_of"], value_set=doc_ids)))
    for row in dangling.to_pylist():
        extra.append(
            _failure(
                "CrossShard",
                "duplicate_of_is_a_document",
                "duplicate_of",
                row["duplicate_of"],
                row["input_id"],
            )
        )
    inputs = clean_documents.extra.get("inputs", 0)
    if inputs != clean_documents.rows + rejects.rows:
        detail = f"{inputs} inputs, {clean_documents.rows} documents + {rejects.rows} rejects"
        extra.append(_failure("CrossShard", "inputs_are_documents_plus_rejects", "", detail))
    return sharded_check("documents", clean_documents, extra)


@dg.asset_check(asset="rejects", blocking=True)
def rejects_schema(rejects: ShardedTable) -> dg.AssetCheckResult:
    """RejectSchema: known reason codes, unique inputs, a kept document named for duplicates."""
    return sharded_check(
        "rejects", rejects, _repeated(rejects.arrow(["input_id"])["input_id"], "input_id")
    )


@dg.asset_check(asset="sentences", blocking=True)
def sentences_schema(sentences: ShardedTable) -> dg.AssetCheckResult:
    """SentenceSchema plus offsets against documents: end > start, within the document, and
    text equal to the document slice (checked per shard against that shard's documents)."""
    return sharded_check("sentences", sentences)


@dg.asset_check(asset="claims", blocking=True)
def claims_schema(claims: ShardedTable) -> dg.AssetCheckResult:
    """ClaimSchema plus one claim row per sentence and evidence offsets that slice back to
    their cues (checked per shard against that shard's sentences)."""
    return sharded_check("claims", claims)


def _repeated(values: pa.ChunkedArray, column: str) -> list[dict[str, Any]]:
    """A ``<column>_unique`` failure for each value that occurs more than once across shards."""
    counts = pc.value_counts(values)
    return [
        _failure("CrossShard", f"{column}_unique", column, entry["values"])
        for entry in counts.filter(pc.greater(counts.field("counts"), 1)).to_pylist()
    ]


def _failure(
    schema: str, check: str, column: str, value: object, key: object = None
) -> dict[str, Any]:
    return {
        "schema": schema,
        "check": check,
        "column": column,
        "key": str(key if key is not None else value),
        "index": None,
        "failure_case": str(value),
    }


SCHEMA_CHECKS = [documents_schema, rejects_schema, sentences_schema, claims_schema]
"""Every blocking schema check, for the Definitions and for in-process runs."""
