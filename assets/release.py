"""Asset ``claimset_release``: publish documents, sentences, claims and rejects as a new
immutable dataset version."""

import dagster as dg
import pandas as pd

from pipeline.card import CHART_FILE
from pipeline.engine import ShardedTable, fingerprint
from pipeline.mirror import mirror_version
from pipeline.release import CARD_FILE, publish_release
from pipeline.resources import ClaimsetConfig
from pipeline.versions import STAGE_VERSIONS


@dg.asset(
    code_version=STAGE_VERSIONS["claimset_release"],
    group_name="claimset",
    kinds={"parquet"},
)
def claimset_release(
    context: dg.AssetExecutionContext,
    claimset: ClaimsetConfig,
    clean_documents: ShardedTable,
    sentences: ShardedTable,
    claims: ShardedTable,
    rejects: ShardedTable,
) -> dg.MaterializeResult:
    """Publish the validated tables as ``<data_dir>/datasets/claimset/vNNNN/`` (a directory
    of Parquet part files per table, hard-linked from the stage cache, plus manifest.json with
    checksums and provenance), assembled in a staging directory and renamed into place, with
    a dataset card (README.md and a chart of claim types and topics) and a changelog against
    the previous version. Runs only after every blocking schema check passed. When the inputs
    and code are unchanged since the latest version, nothing new is published. With a
    ``publish_uri`` (S3, GCS, ...), the version is also copied there, manifest and LATEST
    last."""
    tables = {
        "documents": clean_documents,
        "sentences": sentences,
        "claims": claims,
        "rejects": rejects,
    }
    result = publish_release(
        claimset.store(),
        {name: table.parts for name, table in tables.items()},
        fingerprint=fingerprint(clean_documents, claims),
        run_id=context.run.run_id,
        data_dir=claimset.data_path(),
    )
    version = result.version
    if result.created:
        context.log.info(f"published {version.name} at {version.path}")
    else:
        context.log.info(f"inputs and code unchanged: {version.name} is up to date, not published")
    mirrored: dict[str, object] = {}
    if claimset.mirror_uri():
        mirror = mirror_version(version, claimset.mirror_uri())
        context.log.info(f"mirrored {version.name} to {mirror.uri} ({mirror.uploaded} files)")
        mirrored = {"mirror": mirror.uri, "mirror_uploaded_files": mirror.uploaded}
    counts = version.manifest["row_counts"]
    card = version.path / CARD_FILE
    return dg.MaterializeResult(
        metadata={
            "dataset_card": dg.MetadataValue.md(card.read_text(encoding="utf-8")),
            "chart": dg.MetadataValue.path(str(version.path / CHART_FILE)),
            "version": version.name,
            "published": result.created,
            "path": dg.MetadataValue.path(str(version.path)),
            "input_fingerprint": version.manifest["input_fingerprint"],
            "code_version": version.manifest["code_version"],
            "row_counts": dg.MetadataValue.md(
                pd.Series(counts)
                .rename_axis("table")
                .reset_index(name="rows")
                .to_markdown(index=False)
            ),
            **{f"rows_{table}": int(rows) for table, rows in counts.items()},
            **mirrored,
        }
    )
