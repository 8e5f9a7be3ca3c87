"""Asset ``raw_documents``: every input under the raw directory, readable or not."""

import dagster as dg
import pandas as pd

from assets.preview import counts_markdown, markdown_preview
from pipeline.ingest import read_raw_documents
from pipeline.progress import Progress
from pipeline.resources import ClaimsetConfig
from pipeline.versions import STAGE_VERSIONS


@dg.asset(
    code_version=STAGE_VERSIONS["raw_documents"],
    group_name="claimset",
    kinds={"python", "parquet"},
)
def raw_documents(context: dg.AssetExecutionContext, claimset: ClaimsetConfig) -> pd.DataFrame:
    """Every input document under the raw directory: .txt, .md, .html (main text extracted
    with trafilatura) and .jsonl (one document per line). Records a content-derived ``doc_id``,
    the source path and line, the sha256 of the bytes, the detected encoding and the ingestion
    time. Inputs that cannot be read keep a row with ``reject_reason`` set."""
    raw_dir = claimset.raw_path()
    frame = read_raw_documents(
        raw_dir, progress=lambda total: Progress("raw_documents", total, "files", context.log.info)
    )
    readable = int(frame["reject_reason"].isna().sum())
    context.log.info(f"read {len(frame)} inputs from {raw_dir} ({readable} readable)")
    context.add_output_metadata(
        {
            "raw_dir": dg.MetadataValue.path(str(raw_dir)),
            "inputs": len(frame),
            "readable": readable,
            "by_format": counts_markdown(frame["format"].value_counts(), "format"),
            "preview": markdown_preview(
                frame, ["source_path", "source_line", "format", "encoding", "reject_reason"]
            ),
        }
    )
    return frame
