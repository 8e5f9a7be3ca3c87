"""Asset ``raw_documents``: every input under the raw directory, readable or not."""

import dagster as dg
import pyarrow.compute as pc

from assets.preview import counts_markdown, markdown_preview, stage_metadata
from pipeline.engine import ShardedTable, ingest
from pipeline.progress import Progress
from pipeline.resources import ClaimsetConfig, ComputeBackend
from pipeline.shards import inventory, plan_shards
from pipeline.versions import STAGE_VERSIONS


@dg.asset(
    code_version=STAGE_VERSIONS["raw_documents"],
    group_name="claimset",
    kinds={"python", "parquet"},
)
def raw_documents(
    context: dg.AssetExecutionContext, claimset: ClaimsetConfig, compute: ComputeBackend
) -> ShardedTable:
    """Every input document under the raw directory: .txt, .md, .html (main text extracted
    with trafilatura) and .jsonl (one document per line). Records a content-derived ``doc_id``,
    the source path and line, the sha256 of the bytes, the detected encoding and the ingestion
    time. Inputs that cannot be read keep a row with ``reject_reason`` set. The files are
    divided into shards of about ``shard_bytes`` (one part file each); shards whose files are
    unchanged since an earlier run are reused from the cache."""
    raw_dir = claimset.raw_path()
    cache = claimset.cache()
    files = inventory(raw_dir, cache.root / "inventory.json")
    shards = plan_shards(files, compute.shard_bytes)
    progress = Progress("raw_documents", len(shards), "shards", context.log.info)
    table = ingest(shards, raw_dir, cache, compute.backend(), progress)
    columns = table.arrow(["format", "reject_reason"])
    readable = int(pc.sum(pc.is_null(columns["reject_reason"])).as_py() or 0)
    context.log.info(
        f"read {table.rows} inputs in {len(files)} files from {raw_dir} ({readable} readable)"
    )
    changed = table.extra["changed_inputs"]
    if changed:
        context.log.warning(
            f"{len(changed)} files changed while this run read them (e.g. {changed[0]}); "
            "their new content is used and the next run reads them again"
        )
    context.add_output_metadata(
        {
            "raw_dir": dg.MetadataValue.path(str(raw_dir)),
            "inputs": table.rows,
            "files": len(files),
            "bytes": sum(file.size for file in files),
            "readable": readable,
            "by_format": counts_markdown(columns["format"].to_pandas().value_counts(), "format"),
            "preview": markdown_preview(
                table.head(),
                ["source_path", "source_line", "format", "encoding", "reject_reason"],
            ),
            **stage_metadata(table, compute),
        }
    )
    return table
