"""Asset ``claims``: claim type, check-worthiness, topics and evidence for every sentence."""

import dagster as dg
import pandas as pd

from assets.preview import counts_markdown, markdown_preview, stage_metadata
from pipeline.claims import RULE_TAGGER
from pipeline.engine import ShardedTable, tag
from pipeline.models import current_model
from pipeline.progress import Progress
from pipeline.resources import ClaimsetConfig, ComputeBackend
from pipeline.store import count_values
from pipeline.versions import STAGE_VERSIONS


@dg.asset(
    code_version=STAGE_VERSIONS["claims"],
    group_name="claimset",
    kinds={"python", "parquet"},
    deps=["claim_model"],
)
def claims(
    context: dg.AssetExecutionContext,
    claimset: ClaimsetConfig,
    compute: ComputeBackend,
    sentences: ShardedTable,
) -> ShardedTable:
    """One row per sentence: ``is_claim``, ``claim_type`` (after Full Fact's claim types:
    quantity, prediction, correlation_causation, law_rule, personal_experience, other_claim,
    not_a_claim), ``checkworthiness`` in [0, 1], ``verifiable``, ``hedged``,
    ``attributed_to``, ``topics`` and the ``evidence`` (cues with offsets) behind each tag.
    Uses the current trained ``claim_model`` when there is one (evidence = its top
    contributing features), else the rules alone; ``tagger`` says which. Shards whose
    sentences and tagger are unchanged come from the cache."""
    data_dir = claimset.data_path()
    model = current_model(data_dir) if claimset.labels() is not None else None
    progress = Progress("claims", len(sentences.parts), "shards", context.log.info)
    table = tag(sentences, claimset.cache(), compute.backend(), model, progress)
    head = table.head(200)
    positives = head[head["is_claim"]].head(5)
    texts = sentences.head(200).set_index("sentence_id")["text"]
    examples = pd.DataFrame(
        {
            "claim_type": positives["claim_type"],
            "checkworthiness": positives["checkworthiness"].round(2),
            "text": positives["sentence_id"].map(texts),
            "cues": positives["evidence"].map(_describe_evidence),
        }
    )
    context.add_output_metadata(
        {
            "tagger": f"model/{model[0]}" if model else RULE_TAGGER,
            "claims": count_values(table.parts, "is_claim").get(True, 0),
            "claim_types": counts_markdown(
                pd.Series(count_values(table.parts, "claim_type"), dtype="int64"), "claim_type"
            ),
            "topics": counts_markdown(
                pd.Series(count_values(table.parts, "topics"), dtype="int64"), "topic"
            ),
            "preview": markdown_preview(
                head, ["sentence_id", "claim_type", "checkworthiness", "topics"]
            ),
            "explained_examples": markdown_preview(examples, list(examples.columns)),
            **stage_metadata(table, compute),
        }
    )
    return table


def _describe_evidence(items: object) -> str:
    return "; ".join(f"{item['rule']}: “{item['cue']}”" for item in items)
