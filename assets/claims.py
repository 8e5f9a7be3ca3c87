"""Asset ``claims``: claim type, check-worthiness, topics and evidence for every sentence."""

import dagster as dg
import pandas as pd

from assets.preview import counts_markdown, markdown_preview
from pipeline.claims import RULE_TAGGER, tag_sentences
from pipeline.models import current_model
from pipeline.progress import Progress
from pipeline.resources import ClaimsetConfig
from pipeline.versions import STAGE_VERSIONS


@dg.asset(
    code_version=STAGE_VERSIONS["claims"],
    group_name="claimset",
    kinds={"python", "parquet"},
    deps=["claim_model"],
)
def claims(
    context: dg.AssetExecutionContext, claimset: ClaimsetConfig, sentences: pd.DataFrame
) -> pd.DataFrame:
    """One row per sentence: ``is_claim``, ``claim_type`` (after Full Fact's claim types:
    quantity, prediction, correlation_causation, law_rule, personal_experience, other_claim,
    not_a_claim), ``checkworthiness`` in [0, 1], ``verifiable``, ``hedged``,
    ``attributed_to``, ``topics`` and the ``evidence`` (cues with offsets) behind each tag.
    Uses the current trained ``claim_model`` when there is one (evidence = its top
    contributing features), else the rules alone; ``tagger`` says which."""
    progress = Progress("claims", len(sentences), "sentences", context.log.info)
    model = current_model(claimset.data_path()) if claimset.labels() is not None else None
    frame = tag_sentences(sentences, progress, model)
    positives = frame[frame["is_claim"]].head(5)
    examples = pd.DataFrame(
        {
            "claim_type": positives["claim_type"],
            "checkworthiness": positives["checkworthiness"].round(2),
            "text": positives["sentence_id"].map(sentences.set_index("sentence_id")["text"]),
            "cues": positives["evidence"].map(_describe_evidence),
        }
    )
    topics = frame["topics"].explode().dropna().value_counts()
    context.add_output_metadata(
        {
            "tagger": f"model/{model[0]}" if model else RULE_TAGGER,
            "claims": int(frame["is_claim"].sum()),
            "claim_types": counts_markdown(frame["claim_type"].value_counts(), "claim_type"),
            "topics": counts_markdown(topics, "topic"),
            "preview": markdown_preview(
                frame, ["sentence_id", "claim_type", "checkworthiness", "topics"]
            ),
            "explained_examples": markdown_preview(examples, list(examples.columns)),
        }
    )
    return frame


def _describe_evidence(items: object) -> str:
    return "; ".join(f"{item['rule']}: “{item['cue']}”" for item in items)
