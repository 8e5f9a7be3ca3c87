"""Asset ``sentences``: one row per sentence with exact character offsets."""

import dagster as dg

from assets.preview import markdown_preview, stage_metadata
from pipeline.engine import ShardedTable, split
from pipeline.progress import Progress
from pipeline.resources import ClaimsetConfig, ComputeBackend
from pipeline.versions import STAGE_VERSIONS


@dg.asset(
    code_version=STAGE_VERSIONS["sentences"],
    group_name="claimset",
    kinds={"python", "parquet"},
)
def sentences(
    context: dg.AssetExecutionContext,
    claimset: ClaimsetConfig,
    compute: ComputeBackend,
    clean_documents: ShardedTable,
) -> ShardedTable:
    """Sentences of every cleaned document: ``doc_id``, stable ``sentence_id``, ``index``,
    ``start``/``end`` character offsets into the document's cleaned text, and ``text``, which
    equals ``document.text[start:end]`` exactly. Split by ``pipeline.text.split_sentences``
    (English and Chinese rules), shard by shard; unchanged shards come from the cache."""
    progress = Progress("sentences", len(clean_documents.parts), "shards", context.log.info)
    table = split(clean_documents, claimset.cache(), compute.backend(), progress)
    documents = clean_documents.rows
    context.log.info(f"{table.rows} sentences from {documents} documents")
    context.add_output_metadata(
        {
            "documents": documents,
            "mean_sentences_per_document": table.rows / documents if documents else 0.0,
            "preview": markdown_preview(table.head(), ["sentence_id", "start", "end", "text"]),
            **stage_metadata(table, compute),
        }
    )
    return table
