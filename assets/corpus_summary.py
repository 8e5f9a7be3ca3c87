"""Asset ``corpus_summary``: how the dataset grew, version by version."""

import json

import dagster as dg
import pandas as pd

from assets.preview import markdown_preview
from pipeline.release import SUMMARY_FILE
from pipeline.resources import ClaimsetConfig
from pipeline.versions import STAGE_VERSIONS


def summary_over_versions(config: ClaimsetConfig) -> pd.DataFrame:
    """One row per published version: creation time, row counts, claims per type and topic,
    rejects by reason (columns ``type:<name>``, ``topic:<name>``, ``reject:<reason>``)."""
    rows = []
    for version in config.store().versions():
        path = version.path / SUMMARY_FILE
        summary = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        row: dict[str, object] = {
            "version": version.name,
            "created_at": version.manifest.get("created_at"),
            **{f"rows:{table}": n for table, n in version.manifest.get("row_counts", {}).items()},
            "claims": summary.get("claims"),
        }
        for prefix, key in (("type", "claim_types"), ("topic", "topics")):
            row |= {f"{prefix}:{name}": n for name, n in summary.get(key, {}).items()}
        row |= {f"reject:{name}": n for name, n in summary.get("rejects_by_reason", {}).items()}
        rows.append(row)
    frame = pd.DataFrame(rows)
    counts = [column for column in frame.columns if column not in ("version", "created_at")]
    frame[counts] = frame[counts].fillna(0).astype("int64")
    return frame


@dg.asset(
    code_version=STAGE_VERSIONS["corpus_summary"],
    group_name="claimset",
    kinds={"python", "parquet"},
    deps=["claimset_release"],
)
def corpus_summary(context: dg.AssetExecutionContext, claimset: ClaimsetConfig) -> pd.DataFrame:
    """Documents, sentences, claims per type and topic, and rejects by reason for every
    published version: a small time series, refreshed after each release. The latest counts
    are also numeric metadata, which the UI plots across materializations."""
    frame = summary_over_versions(claimset)
    latest = frame.iloc[-1] if len(frame) else pd.Series(dtype=object)
    numbers = {
        name: int(latest[column])
        for name, column in (
            ("documents", "rows:documents"),
            ("sentences", "rows:sentences"),
            ("claims", "claims"),
            ("rejects", "rows:rejects"),
        )
        if column in latest
    }
    context.add_output_metadata(
        {
            "versions": len(frame),
            **numbers,
            "preview": markdown_preview(
                frame,
                [
                    c
                    for c in (
                        "version",
                        "created_at",
                        "rows:documents",
                        "rows:sentences",
                        "claims",
                        "rows:rejects",
                    )
                    if c in frame.columns
                ],
                rows=20,
            ),
        }
    )
    return frame
