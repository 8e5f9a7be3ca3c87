"""Asset ``claim_model``: train the claim classifier on labelled data, when some is configured."""

import dagster as dg

from pipeline.models import clear_current, make_current, read_labelled_jsonl
from pipeline.resources import ClaimsetConfig
from pipeline.text import train_claim_model
from pipeline.versions import STAGE_VERSIONS


@dg.asset(
    code_version=STAGE_VERSIONS["claim_model"],
    group_name="claimset",
    kinds={"python", "scikitlearn"},
)
def claim_model(
    context: dg.AssetExecutionContext, claimset: ClaimsetConfig
) -> dg.MaterializeResult:
    """The trained claim model used by ``claims``. When a labelled JSON Lines file is configured
    (resource ``labels_path`` or ``$CLAIMSET_LABELS``; records ``{"text": str, "label": bool}``),
    trains a linear model over the rule features plus word and character n-grams, reports its
    held-out precision, recall and F1, and makes it current. Without labels, claims are tagged
    by the rules alone."""
    labels_path = claimset.labels()
    data_dir = claimset.data_path()
    if labels_path is None:
        clear_current(data_dir)
        context.log.info("no labelled data configured: claims are tagged by the rules")
        return dg.MaterializeResult(metadata={"mode": "rules"})
    texts, labels, skipped = read_labelled_jsonl(labels_path)
    context.log.info(f"training on {len(texts)} labelled sentences from {labels_path}")
    model = train_claim_model(texts, labels)
    name, directory = make_current(model, data_dir)
    metrics = model.metrics
    return dg.MaterializeResult(
        metadata={
            "mode": "trained",
            "model": name,
            "path": dg.MetadataValue.path(str(directory)),
            "labels": dg.MetadataValue.path(str(labels_path)),
            "training_rows": len(texts),
            "skipped_rows": skipped,
            "threshold": float(model.threshold),
            **{
                f"held_out_{key}": float(value)
                for key, value in metrics.items()
                if isinstance(value, int | float)
            },
        }
    )
