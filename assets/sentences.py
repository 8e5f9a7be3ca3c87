"""Asset ``sentences``: one row per sentence with exact character offsets."""

import dagster as dg
import pandas as pd

from assets.preview import markdown_preview
from pipeline.progress import Progress
from pipeline.sentences import split_documents
from pipeline.versions import STAGE_VERSIONS


@dg.asset(
    code_version=STAGE_VERSIONS["sentences"],
    group_name="claimset",
    kinds={"python", "parquet"},
)
def sentences(context: dg.AssetExecutionContext, clean_documents: pd.DataFrame) -> pd.DataFrame:
    """Sentences of every cleaned document: ``doc_id``, stable ``sentence_id``, ``index``,
    ``start``/``end`` character offsets into the document's cleaned text, and ``text``, which
    equals ``document.text[start:end]`` exactly. Split by ``pipeline.text.split_sentences``
    (English and Chinese rules)."""
    progress = Progress("sentences", len(clean_documents), "documents", context.log.info)
    frame = split_documents(clean_documents, progress)
    per_document = frame.groupby("doc_id").size()
    context.log.info(f"{len(frame)} sentences from {len(clean_documents)} documents")
    context.add_output_metadata(
        {
            "documents": len(clean_documents),
            "mean_sentences_per_document": float(per_document.mean()) if len(frame) else 0.0,
            "preview": markdown_preview(frame, ["sentence_id", "start", "end", "text"]),
        }
    )
    return frame
