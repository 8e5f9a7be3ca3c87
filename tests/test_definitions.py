"""Tests of the Dagster code location: the whole graph materialized in-process into tmp_path,
blocking checks, idempotent re-runs, schedule and sensor evaluation."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest

from assets.checks import SCHEMA_CHECKS
from pipeline.definitions import ASSETS, build_resources, defs
from pipeline.resources import ClaimsetConfig
from pipeline.schedules import daily_claimset
from pipeline.sensors import raw_files_sensor
from pipeline.store import DatasetStore


def _materialize(raw_dir: Path, data_dir: Path) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [*ASSETS, *SCHEMA_CHECKS],
        resources=build_resources(ClaimsetConfig(raw_dir=str(raw_dir), data_dir=str(data_dir))),
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


def _release_metadata(result: dg.ExecuteInProcessResult) -> dict[str, object]:
    [event] = [
        e
        for e in result.get_asset_materialization_events()
        if e.asset_key == dg.AssetKey("claimset_release")
    ]
    return {k: v.value for k, v in event.materialization.metadata.items()}


def test_definitions_load_with_one_chain_job_schedule_and_sensor() -> None:
    repository = defs.get_repository_def()
    keys = {key.to_user_string() for key in repository.asset_graph.get_all_asset_keys()}
    assert keys == {
        "raw_documents",
        "clean_documents",
        "rejects",
        "sentences",
        "claim_model",
        "claims",
        "claimset_release",
        "corpus_summary",
    }
    assert defs.resolve_job_def("claimset_job") is not None
    assert daily_claimset.default_status == dg.DefaultScheduleStatus.RUNNING
    assert raw_files_sensor.default_status == dg.DefaultSensorStatus.RUNNING
    for key in keys:
        node = repository.asset_graph.get(dg.AssetKey(key))
        assert node.code_version, key
        assert node.description, key


def test_materialize_publishes_a_valid_version(raw_dir: Path, data_dir: Path) -> None:
    result = _materialize(raw_dir, data_dir)
    assert result.success
    evaluations = result.get_asset_check_evaluations()
    assert len(evaluations) == 4
    assert all(evaluation.passed for evaluation in evaluations)
    metadata = _release_metadata(result)
    assert metadata["published"] is True
    assert metadata["version"] == "v0001"
    version_dir = data_dir / "datasets" / "claimset" / "v0001"
    assert metadata["path"] == str(version_dir)
    documents = pd.read_parquet(version_dir / "documents.parquet")
    sentences = pd.read_parquet(version_dir / "sentences.parquet")
    claims = pd.read_parquet(version_dir / "claims.parquet")
    rejects = pd.read_parquet(version_dir / "rejects.parquet")
    assert len(documents) + len(rejects) == 9
    texts = dict(zip(documents["doc_id"], documents["text"], strict=True))
    for row in sentences.itertuples():
        assert texts[row.doc_id][row.start : row.end] == row.text
    assert list(claims["sentence_id"]) == list(sentences["sentence_id"])
    manifest = json.loads((version_dir / "manifest.json").read_text())
    assert manifest["row_counts"] == {
        "documents": len(documents),
        "sentences": len(sentences),
        "claims": len(claims),
        "rejects": len(rejects),
    }


def test_assets_record_metadata_for_the_ui(raw_dir: Path, data_dir: Path) -> None:
    result = _materialize(raw_dir, data_dir)
    by_key = {
        e.asset_key.to_user_string(): e.materialization.metadata
        for e in result.get_asset_materialization_events()
    }
    for key in ("raw_documents", "clean_documents", "rejects", "sentences", "claims"):
        metadata = by_key[key]
        assert metadata["dagster/row_count"].value >= 1, key
        assert Path(metadata["path"].value).is_file(), key
        assert "|" in metadata["preview"].value, key
    assert "duplicate" in by_key["rejects"]["by_reason"].value
    card = by_key["claimset_release"]["dataset_card"].value
    assert card.startswith("# claimset v0001")
    assert Path(by_key["claimset_release"]["chart"].value).read_bytes().startswith(b"\x89PNG")
    assert by_key["corpus_summary"]["versions"].value == 1
    assert by_key["corpus_summary"]["sentences"].value >= 1


def test_rerun_with_unchanged_inputs_publishes_nothing_new(raw_dir: Path, data_dir: Path) -> None:
    assert _release_metadata(_materialize(raw_dir, data_dir))["version"] == "v0001"
    again = _release_metadata(_materialize(raw_dir, data_dir))
    assert again["published"] is False
    assert again["version"] == "v0001"
    (raw_dir / "new.txt").write_text("Robot density doubled in five years.", encoding="utf-8")
    changed = _release_metadata(_materialize(raw_dir, data_dir))
    assert changed["published"] is True
    assert changed["version"] == "v0002"
    store = DatasetStore.in_data_dir(data_dir, "claimset")
    assert (
        len(store.read_table("documents", "v0002"))
        == len(store.read_table("documents", "v0001")) + 1
    )


def test_failing_schema_blocks_publishing(
    raw_dir: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pipeline.sentences

    def off_by_one(text: str, lang: str | None = None) -> list[tuple[int, int]]:
        return [(0, len(text) + 1)]

    monkeypatch.setattr(pipeline.sentences, "split_sentences", off_by_one)
    result = _materialize(raw_dir, data_dir)
    assert not result.success
    [failed] = [e for e in result.get_asset_check_evaluations() if not e.passed]
    assert failed.check_name == "sentences_schema"
    assert "offsets_within_document" in failed.metadata["failure_cases"].value
    assert (
        not (data_dir / "datasets" / "claimset").exists()
        or not DatasetStore.in_data_dir(data_dir, "claimset").versions()
    )


def test_schedule_requests_the_full_job() -> None:
    context = dg.build_schedule_context()
    [request] = list(daily_claimset.evaluate_tick(context).run_requests)
    assert daily_claimset.job_name == "claimset_job"
    assert daily_claimset.cron_schedule == "0 6 * * *"
    assert request is not None


def _tick(raw_dir: Path, cursor: str | None):
    instance = dg.DagsterInstance.ephemeral()
    context = dg.build_sensor_context(
        instance=instance,
        cursor=cursor,
        resources={"claimset": ClaimsetConfig(raw_dir=str(raw_dir))},
    )
    return raw_files_sensor(context)


def test_sensor_runs_on_new_and_changed_files_only(raw_dir: Path) -> None:
    first = _tick(raw_dir, None)
    assert len(first.run_requests) == 1
    unchanged = _tick(raw_dir, first.cursor)
    assert isinstance(unchanged, dg.SkipReason)
    (raw_dir / "new.txt").write_text("Chip exports rose 20%.", encoding="utf-8")
    added = _tick(raw_dir, first.cursor)
    assert len(added.run_requests) == 1
    assert "added 1 (new.txt)" in added.run_requests[0].tags["claimset/changes"]
    (raw_dir / "new.txt").write_text("Chip exports rose 25% in total.", encoding="utf-8")
    changed = _tick(raw_dir, added.cursor)
    assert "changed 1 (new.txt)" in changed.run_requests[0].tags["claimset/changes"]
    (raw_dir / "new.txt").unlink()
    removed = _tick(raw_dir, changed.cursor)
    assert "removed 1 (new.txt)" in removed.run_requests[0].tags["claimset/changes"]


def test_sensor_skips_when_raw_dir_is_missing(tmp_path: Path) -> None:
    assert isinstance(_tick(tmp_path / "absent", None), dg.SkipReason)


def test_published_tables_read_identically_with_pandas_duckdb_and_polars(
    raw_dir: Path, data_dir: Path
) -> None:
    import duckdb
    import polars as pl

    assert _materialize(raw_dir, data_dir).success
    version = DatasetStore.in_data_dir(data_dir, "claimset").latest()
    for table, key in (("sentences", "sentence_id"), ("documents", "doc_id")):
        path = version.table_path(table)
        with_pandas = pd.read_parquet(path).sort_values(key).reset_index(drop=True)
        with_duckdb = duckdb.sql(f"select * from '{path}' order by {key}").df()
        with_polars = pl.read_parquet(path).sort(key).to_pandas()
        for other in (with_duckdb, with_polars):
            assert list(other.columns) == list(with_pandas.columns)
            assert other[key].tolist() == with_pandas[key].tolist()
            assert other["text"].tolist() == with_pandas["text"].tolist()
    claims = version.table_path("claims")
    pandas_types = pd.read_parquet(claims)["claim_type"].value_counts().sort_index()
    duckdb_types = duckdb.sql(
        f"select claim_type, count(*) as n from '{claims}' group by 1 order by 1"
    ).df()
    polars_types = pl.read_parquet(claims)["claim_type"].value_counts().sort("claim_type")
    assert duckdb_types["n"].tolist() == pandas_types.tolist()
    assert polars_types["count"].to_list() == pandas_types.tolist()
