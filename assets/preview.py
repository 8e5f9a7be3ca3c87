"""Metadata helpers shared by the asset modules: markdown previews of tables and stage
statistics."""

import dagster as dg
import pandas as pd

from pipeline.engine import ShardedTable
from pipeline.resources import ComputeBackend


def markdown_preview(frame: pd.DataFrame, columns: list[str], rows: int = 8) -> dg.MetadataValue:
    """The first ``rows`` rows of ``columns`` as a markdown table, long strings shortened."""
    head = frame[columns].head(rows).copy()
    for column in head.columns:
        if head[column].dtype == object:
            head[column] = head[column].map(_shorten)
    return dg.MetadataValue.md(head.to_markdown(index=False) if len(head) else "_(empty)_")


def counts_markdown(counts: pd.Series, label: str) -> dg.MetadataValue:
    """A two-column markdown table of ``counts`` (value -> count)."""
    if counts.empty:
        return dg.MetadataValue.md("_(none)_")
    table = counts.rename_axis(label).reset_index(name="count")
    return dg.MetadataValue.md(table.to_markdown(index=False))


def _shorten(value: object, width: int = 90) -> object:
    if isinstance(value, str) and len(value) > width:
        return value[: width - 1] + "…"
    return value


def stage_metadata(table: ShardedTable, compute: ComputeBackend) -> dict[str, object]:
    """How a sharded stage ran: shards, how many were reused from the cache, where the work
    ran and the seconds it took (``validate_seconds``: the part of the work spent in pandera;
    ``documents_reused``: documents of recomputed shards whose rows an earlier run made)."""
    stats = table.stats
    return {
        "shards": stats.shards,
        "shards_reused": stats.reused,
        "shards_computed": stats.computed,
        "backend": compute.backend().name,
        "wall_seconds": round(stats.wall_seconds, 3),
        "work_seconds": round(stats.work_seconds, 3),
        "validate_seconds": round(stats.validate_seconds, 3),
        "documents_reused": stats.documents_reused,
    }
