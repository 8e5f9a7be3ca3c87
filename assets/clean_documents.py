"""Assets ``clean_documents`` and ``rejects``: cleaned, de-duplicated documents, and every
input that did not make it, with the reason."""

import dagster as dg

from assets.preview import counts_markdown, markdown_preview, stage_metadata
from pipeline.engine import ShardedTable, clean
from pipeline.progress import Progress
from pipeline.resources import ClaimsetConfig, ComputeBackend
from pipeline.versions import STAGE_VERSIONS


@dg.multi_asset(
    outs={
        "clean_documents": dg.AssetOut(
            description=(
                "Accepted documents: encoding and mojibake repaired, control characters "
                "removed, whitespace and paragraphs normalised, web boilerplate (reply "
                "widgets, share bars, cookie notices) removed, language identified, exact "
                "duplicates removed. Published as the `documents` table."
            ),
            code_version=STAGE_VERSIONS["clean_documents"],
            group_name="claimset",
            kinds={"python", "parquet"},
        ),
        "rejects": dg.AssetOut(
            description=(
                "Every input that did not become a document, with a stable reason code "
                "(unreadable, binary, undecodable, malformed_json, empty_after_cleaning, "
                "duplicate, ...) and a detail. Inputs = documents + rejects."
            ),
            code_version=STAGE_VERSIONS["clean_documents"],
            group_name="claimset",
            kinds={"python", "parquet"},
        ),
    },
)
def clean_documents(
    context: dg.AssetExecutionContext,
    claimset: ClaimsetConfig,
    compute: ComputeBackend,
    raw_documents: ShardedTable,
) -> tuple[ShardedTable, ShardedTable]:
    """Clean the raw documents shard by shard, remove duplicates within and across shards,
    and sort every input into documents or rejects."""
    progress = Progress("clean_documents", len(raw_documents.parts), "shards", context.log.info)
    documents, rejects = clean(raw_documents, claimset.cache(), compute.backend(), progress)
    context.log.info(f"{documents.rows} documents accepted, {rejects.rows} inputs rejected")
    columns = documents.arrow(["lang", "n_chars"]).to_pandas()
    reasons = rejects.arrow(["reason"]).to_pandas()
    context.add_output_metadata(
        {
            "documents": documents.rows,
            "languages": counts_markdown(columns["lang"].value_counts(), "lang"),
            "characters": int(columns["n_chars"].sum()),
            "duplicates_across_shards": documents.extra["cross_shard_duplicates"],
            "preview": markdown_preview(
                documents.head(), ["doc_id", "source_path", "lang", "n_chars", "text"]
            ),
            **stage_metadata(documents, compute),
        },
        output_name="clean_documents",
    )
    context.add_output_metadata(
        {
            "rejects": rejects.rows,
            "by_reason": counts_markdown(reasons["reason"].value_counts(), "reason"),
            "preview": markdown_preview(
                rejects.head(), ["source_path", "source_line", "stage", "reason", "detail"]
            ),
        },
        output_name="rejects",
    )
    return documents, rejects
