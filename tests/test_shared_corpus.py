"""The pipeline on the two source essays in ../shared/corpus (skipped when absent)."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pandas as pd

from assets.checks import SCHEMA_CHECKS
from pipeline.definitions import ASSETS, build_resources
from pipeline.resources import ClaimsetConfig


def test_source_essays_give_61_clean_sentences(shared_corpus: Path, tmp_path: Path) -> None:
    config = ClaimsetConfig(raw_dir=str(shared_corpus), data_dir=str(tmp_path / "data"))
    result = dg.materialize(
        [*ASSETS, *SCHEMA_CHECKS],
        resources=build_resources(config),
        instance=dg.DagsterInstance.ephemeral(),
    )
    assert result.success
    assert all(evaluation.passed for evaluation in result.get_asset_check_evaluations())
    version = config.store().latest()
    # Each table is a directory of part files; pandas reads the directory as one table.
    documents = pd.read_parquet(version.table_path("documents"))
    sentences = pd.read_parquet(version.table_path("sentences"))
    assert len(sentences) == version.manifest["row_counts"]["sentences"]
    assert version.manifest["row_counts"]["rejects"] == 0
    per_file = sentences.merge(documents[["doc_id", "source_path"]], on="doc_id").groupby(
        "source_path"
    )
    counts = per_file.size().to_dict()
    assert counts == {"000_80822ab67bcab804.txt": 35, "001_61f4f4ae128330d4.txt": 26}
    assert not sentences["text"].str.contains("发表回复").any()
    texts = dict(zip(documents["doc_id"], documents["text"], strict=True))
    for row in sentences.itertuples():
        assert texts[row.doc_id][row.start : row.end] == row.text
    assert all(documents["lang"] == "en")
