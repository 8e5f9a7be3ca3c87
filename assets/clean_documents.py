"""Assets ``clean_documents`` and ``rejects``: cleaned, de-duplicated documents, and every
input that did not make it, with the reason."""

import dagster as dg
import pandas as pd

from assets.preview import counts_markdown, markdown_preview
from pipeline.curate import curate_documents
from pipeline.progress import Progress
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
    context: dg.AssetExecutionContext, raw_documents: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Clean the raw documents and sort every input into documents or rejects."""
    progress = Progress("clean_documents", len(raw_documents), "inputs", context.log.info)
    documents, rejects = curate_documents(raw_documents, progress)
    context.log.info(f"{len(documents)} documents accepted, {len(rejects)} inputs rejected")
    context.add_output_metadata(
        {
            "documents": len(documents),
            "languages": counts_markdown(documents["lang"].value_counts(), "lang"),
            "characters": int(documents["n_chars"].sum()),
            "preview": markdown_preview(
                documents, ["doc_id", "source_path", "lang", "n_chars", "text"]
            ),
        },
        output_name="clean_documents",
    )
    context.add_output_metadata(
        {
            "rejects": len(rejects),
            "by_reason": counts_markdown(rejects["reason"].value_counts(), "reason"),
            "preview": markdown_preview(
                rejects, ["source_path", "source_line", "stage", "reason", "detail"]
            ),
        },
        output_name="rejects",
    )
    return documents, rejects
