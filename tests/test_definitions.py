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
from pipeline.io_manager import _from_json
from pipeline.resources import ClaimsetConfig, ComputeBackend
from pipeline.schedules import daily_claimset
from pipeline.sensors import raw_files_sensor
from pipeline.store import DatasetStore


def _materialize(
    raw_dir: Path, data_dir: Path, compute: ComputeBackend | None = None
) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [*ASSETS, *SCHEMA_CHECKS],
        resources=build_resources(
            ClaimsetConfig(raw_dir=str(raw_dir), data_dir=str(data_dir)), compute
        ),
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
    version = DatasetStore.in_data_dir(data_dir, "claimset").get("v0001")
    for table in ("documents", "sentences", "claims", "rejects"):
        files = version.table_files(table)
        assert files, table
        assert all(file.parent == version_dir / table and file.is_file() for file in files)
    # pandas reads a table's directory of part files as one table.
    documents = pd.read_parquet(version_dir / "documents")
    sentences = pd.read_parquet(version_dir / "sentences")
    claims = pd.read_parquet(version_dir / "claims")
    rejects = pd.read_parquet(version_dir / "rejects")
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
        path = Path(metadata["path"].value)
        assert path.is_file(), key
        # Sharded assets are stored as a JSON handle naming their part files.
        assert path == data_dir / "assets" / f"{key}.json", key
        handle = _from_json(path.read_text(encoding="utf-8"))
        assert handle.rows == metadata["dagster/row_count"].value, key
        assert all(Path(part.path).is_file() for part in handle.parts), key
        assert "|" in metadata["preview"].value, key
    for key in ("raw_documents", "clean_documents", "sentences", "claims"):
        metadata = by_key[key]
        assert metadata["shards"].value == 1, key
        assert metadata["shards_reused"].value == 0, key
        assert metadata["shards_computed"].value == 1, key
        assert metadata["backend"].value, key
    assert "duplicate" in by_key["rejects"]["by_reason"].value
    card = by_key["claimset_release"]["dataset_card"].value
    assert card.startswith("# claimset v0001")
    assert Path(by_key["claimset_release"]["chart"].value).read_bytes().startswith(b"<svg ")
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
    # The patch exists in this process only: run the per-shard work here.
    result = _materialize(raw_dir, data_dir, ComputeBackend(kind="serial"))
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
        assert path.is_dir(), path
        parts = f"{path}/*.parquet"
        with_pandas = pd.read_parquet(path).sort_values(key).reset_index(drop=True)
        with_duckdb = duckdb.sql(f"select * from '{parts}' order by {key}").df()
        with_polars = pl.read_parquet(parts).sort(key).to_pandas()
        with_store = DatasetStore.in_data_dir(data_dir, "claimset").duckdb(table).order(key).df()
        assert len(with_pandas) == version.manifest["row_counts"][table]
        for other in (with_duckdb, with_polars, with_store):
            assert list(other.columns) == list(with_pandas.columns)
            assert other[key].tolist() == with_pandas[key].tolist()
            assert other["text"].tolist() == with_pandas["text"].tolist()
    claims = version.table_path("claims")
    pandas_types = pd.read_parquet(claims)["claim_type"].value_counts().sort_index()
    duckdb_types = duckdb.sql(
        f"select claim_type, count(*) as n from '{claims}/*.parquet' group by 1 order by 1"
    ).df()
    polars_types = (
        pl.read_parquet(f"{claims}/*.parquet")["claim_type"].value_counts().sort("claim_type")
    )
    assert duckdb_types["n"].tolist() == pandas_types.tolist()
    assert polars_types["count"].to_list() == pandas_types.tolist()


# --- sharded execution through Dagster --------------------------------------------------------

SMALL_SHARD_BYTES = 1_000
"""A shard size that divides the ~30-file corpus below into several shards."""

SHARDED_STAGES = ("raw_documents", "clean_documents", "sentences", "claims")
"""The assets whose work runs per shard and that report ``shards``/``shards_reused``."""

PROVINCES = ["Jiangsu", "Guangdong", "Anhui", "Fujian", "Zhejiang", "Shandong"]
PRODUCTS = ["solar panels", "batteries", "industrial robots", "chips", "wind turbines"]


def write_sharded_corpus(raw_dir: Path, files: int = 30) -> None:
    """``files`` text files of a few hundred bytes each (so a small ``shard_bytes`` gives
    several shards), one exact duplicate of an early file at the end (a duplicate across
    shards), a .jsonl feed with a malformed line and an empty file (rejects)."""
    raw_dir.mkdir(parents=True, exist_ok=True)
    for i in range(files - 3):
        province = PROVINCES[i % len(PROVINCES)]
        product = PRODUCTS[i % len(PRODUCTS)]
        text = (
            f"Report {i}: exports of {product} from {province} rose {i + 3}% in 2023, "
            f"according to the provincial statistics bureau.\n"
            f"Officials said output will grow by {2 * i + 5}% by 2027. "
            f"Analysts in {province} expect {product} prices to fall further next year "
            f"as {i + 2} new plants come online."
        )
        (raw_dir / f"report-{i:02d}.txt").write_text(text, encoding="utf-8")
    (raw_dir / "zz-copy-of-report-01.txt").write_bytes((raw_dir / "report-01.txt").read_bytes())
    lines = [
        json.dumps({"id": "f1", "title": "Feed", "text": "Chip exports fell 12% in May."}),
        "{not json",
    ]
    (raw_dir / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (raw_dir / "empty.txt").write_bytes(b"")


def _metadata_by_asset(result: dg.ExecuteInProcessResult) -> dict[str, dict[str, object]]:
    return {
        e.asset_key.to_user_string(): {k: v.value for k, v in e.materialization.metadata.items()}
        for e in result.get_asset_materialization_events()
    }


def _published(data_dir: Path) -> dict[str, pd.DataFrame]:
    """Every table of the latest version sorted by its id, without ``ingested_at`` (the time
    of the run that first read the input)."""
    store = DatasetStore.in_data_dir(data_dir, "claimset")
    keys = {
        "documents": "doc_id",
        "sentences": "sentence_id",
        "claims": "sentence_id",
        "rejects": "input_id",
    }
    tables = {}
    for table, key in keys.items():
        frame = store.read_table(table)
        frame = frame.drop(columns=[c for c in ("ingested_at",) if c in frame.columns])
        tables[table] = frame.sort_values(key).reset_index(drop=True)
    return tables


def test_local_pool_on_small_shards_publishes_the_same_rows_as_a_serial_run(
    tmp_path: Path,
) -> None:
    """A process pool of two workers over several small shards, with a duplicate across
    shards, publishes exactly the rows of a serial run over one shard."""
    from pipeline.shards import inventory, plan_shards

    raw = tmp_path / "raw"
    write_sharded_corpus(raw)
    planned = plan_shards(inventory(raw), SMALL_SHARD_BYTES)
    assert len(planned) >= 5, "the corpus must span several shards for this test"

    sharded = _materialize(
        raw,
        tmp_path / "sharded",
        ComputeBackend(kind="local", workers=2, shard_bytes=SMALL_SHARD_BYTES),
    )
    assert sharded.success
    assert all(evaluation.passed for evaluation in sharded.get_asset_check_evaluations())
    serial = _materialize(raw, tmp_path / "serial", ComputeBackend(kind="serial"))
    assert serial.success

    metadata = _metadata_by_asset(sharded)
    assert metadata["raw_documents"]["shards"] == len(planned)
    for stage in SHARDED_STAGES:
        assert metadata[stage]["shards"] == len(planned), stage
        assert metadata[stage]["shards_reused"] == 0, stage
        assert metadata[stage]["shards_computed"] == len(planned), stage
        assert metadata[stage]["backend"] == "local[2]", stage
    assert metadata["clean_documents"]["duplicates_across_shards"] == 1
    assert _metadata_by_asset(serial)["raw_documents"]["shards"] == 1
    assert _metadata_by_asset(serial)["raw_documents"]["backend"] == "serial"

    # Each published table holds one part per shard (rejects: plus one for the duplicates
    # found across shards).
    version = DatasetStore.in_data_dir(tmp_path / "sharded", "claimset").latest()
    for table in ("documents", "sentences", "claims"):
        assert len(version.table_files(table)) == len(planned), table
    assert len(version.table_files("rejects")) == len(planned) + 1

    many, one = _published(tmp_path / "sharded"), _published(tmp_path / "serial")
    for table in many:
        pd.testing.assert_frame_equal(many[table], one[table], obj=table)
    [duplicate] = many["rejects"].query("reason == 'duplicate'").itertuples()
    assert duplicate.source_path == "zz-copy-of-report-01.txt"
    kept = many["documents"].set_index("doc_id").loc[duplicate.duplicate_of]
    assert kept["source_path"] == "report-01.txt"
    assert len(many["documents"]) + len(many["rejects"]) == 27 + 1 + 2 + 1


def test_adding_one_file_recomputes_only_its_shard(tmp_path: Path) -> None:
    """A second materialize after adding one file reuses every shard but the one or two the
    new file touches (content-defined shards), and publishes the new document."""
    raw, data = tmp_path / "raw", tmp_path / "data"
    write_sharded_corpus(raw)

    def compute() -> ComputeBackend:
        return ComputeBackend(kind="local", workers=2, shard_bytes=SMALL_SHARD_BYTES)

    first = _materialize(raw, data, compute())
    assert first.success
    before = _metadata_by_asset(first)
    (raw / "report-13a.txt").write_text(
        "Robot density in Anhui doubled in five years, the ministry said.", encoding="utf-8"
    )
    second = _materialize(raw, data, compute())
    assert second.success
    after = _metadata_by_asset(second)
    for stage in SHARDED_STAGES:
        shards, reused = after[stage]["shards"], after[stage]["shards_reused"]
        assert shards >= 5, stage
        assert abs(shards - before[stage]["shards"]) <= 1, stage
        assert 1 <= shards - reused <= 2, f"{stage}: {reused} of {shards} shards reused"
        assert after[stage]["shards_computed"] == shards - reused, stage
    assert after["claimset_release"]["published"] is True
    assert after["claimset_release"]["version"] == "v0002"
    store = DatasetStore.in_data_dir(data, "claimset")
    assert "report-13a.txt" in set(store.read_table("documents")["source_path"])
    assert len(store.read_table("documents", "v0002")) == (
        len(store.read_table("documents", "v0001")) + 1
    )

    # Nothing changed: every shard of every stage comes from the cache, nothing is published.
    third = _metadata_by_asset(_materialize(raw, data, compute()))
    for stage in SHARDED_STAGES:
        assert third[stage]["shards_reused"] == third[stage]["shards"], stage
    assert third["claimset_release"]["published"] is False


def test_a_corpus_without_rejects_publishes(tmp_path: Path) -> None:
    """Nothing to reject is a normal corpus: the empty ``rejects`` table is published (as an
    empty part) and its preview says so."""
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "essay.txt").write_text(
        "Industrial robot installations rose 7% in 2023. Output will double by 2030.",
        encoding="utf-8",
    )
    (raw / "other.txt").write_text("Exports of solar panels fell 12% in May.", encoding="utf-8")
    result = dg.materialize(
        [*ASSETS, *SCHEMA_CHECKS],
        resources=build_resources(
            ClaimsetConfig(raw_dir=str(raw), data_dir=str(tmp_path / "data"))
        ),
        instance=dg.DagsterInstance.ephemeral(),
    )
    assert result.success
    metadata = _metadata_by_asset(result)
    assert metadata["rejects"]["rejects"] == 0
    assert metadata["rejects"]["dagster/row_count"] == 0
    version = DatasetStore.in_data_dir(tmp_path / "data", "claimset").latest()
    assert version.manifest["row_counts"]["rejects"] == 0
    assert version.manifest["row_counts"]["documents"] == 2
    assert len(version.table_files("rejects")) == 1
    assert list(pd.read_parquet(version.table_path("rejects")).columns) == list(
        DatasetStore.in_data_dir(tmp_path / "data", "claimset").read_table("rejects").columns
    )


def test_an_empty_raw_directory_publishes_an_empty_valid_version(tmp_path: Path) -> None:
    """No input is not an error: every table is published, empty, with its schema."""
    (tmp_path / "raw").mkdir()
    result = dg.materialize(
        [*ASSETS, *SCHEMA_CHECKS],
        resources=build_resources(
            ClaimsetConfig(raw_dir=str(tmp_path / "raw"), data_dir=str(tmp_path / "data"))
        ),
        instance=dg.DagsterInstance.ephemeral(),
    )
    assert result.success
    assert all(evaluation.passed for evaluation in result.get_asset_check_evaluations())
    store = DatasetStore.in_data_dir(tmp_path / "data", "claimset")
    assert store.latest().manifest["row_counts"] == {
        "documents": 0,
        "sentences": 0,
        "claims": 0,
        "rejects": 0,
    }
    assert "claim_type" in store.read_table("claims").columns


def test_a_shard_of_only_rejected_inputs_gives_empty_parts_and_passes_the_checks(
    tmp_path: Path,
) -> None:
    """A shard whose every input is rejected has empty documents, sentences and claims parts;
    its per-shard validation passes and the version is published."""
    from pipeline.shards import inventory, plan_shards

    raw = tmp_path / "raw"
    raw.mkdir()
    # Larger than the shard size, so it ends its shard: shard 0 holds only this binary file.
    (raw / "a-photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    (raw / "b-empty.txt").write_bytes(b"")
    (raw / "c-report.txt").write_text(
        "Exports of solar panels fell 12% in May, officials said.", encoding="utf-8"
    )
    shards = plan_shards(inventory(raw), SMALL_SHARD_BYTES)
    assert [file.relative for file in shards[0].files] == ["a-photo.png"]
    result = _materialize(
        raw, tmp_path / "data", ComputeBackend(kind="serial", shard_bytes=SMALL_SHARD_BYTES)
    )
    assert result.success
    assert all(evaluation.passed for evaluation in result.get_asset_check_evaluations())
    claims = _from_json((tmp_path / "data" / "assets" / "claims.json").read_text("utf-8"))
    assert len(claims.parts) == len(shards)
    assert claims.parts[0].rows == 0
    assert claims.rows == 1
    version = DatasetStore.in_data_dir(tmp_path / "data", "claimset").latest()
    assert version.manifest["row_counts"] == {
        "documents": 1,
        "sentences": 1,
        "claims": 1,
        "rejects": 2,
    }
