"""Tests of trained-mode wiring: labelled data, the claim_model asset, and model provenance."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg

from assets.checks import SCHEMA_CHECKS
from pipeline.claims import RULE_TAGGER
from pipeline.definitions import ASSETS, build_resources
from pipeline.models import read_labelled_jsonl
from pipeline.resources import ClaimsetConfig
from pipeline.store import DatasetStore

PRODUCTS = ["solar panels", "batteries", "robots", "chips", "electric cars", "wind turbines"]
PLACES = ["Jiangsu", "Guangdong", "Anhui", "Fujian", "Shanghai"]


def write_labels(path: Path) -> int:
    """A small labelled set: factual statements with figures are positive, greetings and
    questions negative. Returns the number of records written."""
    records = []
    for i, product in enumerate(PRODUCTS):
        for j, place in enumerate(PLACES):
            records.append(
                {
                    "text": f"Exports of {product} from {place} rose {i + j + 3}% in 202{j}.",
                    "label": True,
                }
            )
            records.append(
                {
                    "text": f"Thank you all for coming to {place} to talk about {product}.",
                    "label": False,
                }
            )
            records.append(
                {"text": f"What do you think about {product} in {place}?", "label": False}
            )
    lines = [json.dumps(record) for record in records]
    lines += ["not json", json.dumps({"text": "no label"}), json.dumps({"label": True}), ""]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(records)


def test_read_labelled_jsonl_skips_unusable_lines(tmp_path: Path) -> None:
    path = tmp_path / "labels.jsonl"
    count = write_labels(path)
    texts, labels, skipped = read_labelled_jsonl(path)
    assert len(texts) == len(labels) == count
    assert skipped == 3
    assert sum(labels) == len(PRODUCTS) * len(PLACES)


def _run(raw_dir: Path, data_dir: Path, labels: Path | None) -> dg.ExecuteInProcessResult:
    config = ClaimsetConfig(
        raw_dir=str(raw_dir), data_dir=str(data_dir), labels_path=str(labels) if labels else None
    )
    result = dg.materialize(
        [*ASSETS, *SCHEMA_CHECKS],
        resources=build_resources(config),
        instance=dg.DagsterInstance.ephemeral(),
    )
    assert result.success
    return result


def _metadata(result: dg.ExecuteInProcessResult, key: str) -> dict:
    [event] = [
        e for e in result.get_asset_materialization_events() if e.asset_key == dg.AssetKey(key)
    ]
    return {k: v.value for k, v in event.materialization.metadata.items()}


def test_trained_mode_reports_metrics_tags_claims_and_ships_the_model(
    raw_dir: Path, data_dir: Path, tmp_path: Path
) -> None:
    labels = tmp_path / "labels.jsonl"
    write_labels(labels)
    result = _run(raw_dir, data_dir, labels)
    model = _metadata(result, "claim_model")
    assert model["mode"] == "trained"
    assert 0.0 <= model["held_out_f1"] <= 1.0
    assert model["training_rows"] == 90
    release = _metadata(result, "claimset_release")
    version_dir = Path(release["path"])
    store = DatasetStore.in_data_dir(data_dir, "claimset")
    assert store.get(release["version"]).path == version_dir
    claims = store.read_table("claims", release["version"])
    assert len(claims) == release["rows_claims"] > 0
    assert set(claims["tagger"]) == {f"model/{model['model']}"}
    # The claims handle passed between assets names the same tagger.
    assert _metadata(result, "claims")["tagger"] == f"model/{model['model']}"
    assert claims.loc[claims["is_claim"], "evidence"].map(len).gt(0).all()
    manifest = json.loads((version_dir / "manifest.json").read_text())
    assert {"model/model.json", "model/arrays.npz"} <= set(manifest["files"])

    rerun = _run(raw_dir, data_dir, labels)
    again = _metadata(rerun, "claimset_release")
    assert again["published"] is False
    # Same labels, same model: every claims shard comes from the cache.
    assert _metadata(rerun, "claims")["shards_reused"] == _metadata(rerun, "claims")["shards"]

    rules = _run(raw_dir, data_dir, None)
    assert _metadata(rules, "claim_model")["mode"] == "rules"
    back_to_rules = _metadata(rules, "claimset_release")
    assert back_to_rules["published"] is True
    rule_claims = store.read_table("claims", back_to_rules["version"])
    assert len(rule_claims) == len(claims)
    assert set(rule_claims["tagger"]) == {RULE_TAGGER}
    # Re-tagging by the rules recomputes every claims shard; the upstream shards are reused.
    tagged = _metadata(rules, "claims")
    assert tagged["shards_reused"] == 0
    assert _metadata(rules, "sentences")["shards_reused"] == _metadata(rules, "sentences")["shards"]
