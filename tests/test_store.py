"""Tests of the versioned dataset store: atomic versions, manifests, idempotence, readers."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.store import DatasetStore


def _tables(n: int = 3) -> dict[str, pa.Table]:
    return {
        "things": pa.table({"id": [f"t{i}" for i in range(n)], "value": list(range(n))}),
        "others": pa.table({"name": ["a", "b"]}),
    }


def _publish(store: DatasetStore, fingerprint: str, n: int = 3):
    return store.publish(_tables(n), fingerprint=fingerprint, provenance={"run_id": "r1"})


def test_publish_writes_a_complete_version_with_checksums(tmp_path: Path) -> None:
    store = DatasetStore(tmp_path / "ds")
    result = _publish(store, "f1")
    assert result.created
    version = result.version
    assert version.name == "v0001"
    assert sorted(p.name for p in version.path.iterdir()) == [
        "manifest.json",
        "others.parquet",
        "things.parquet",
    ]
    manifest = json.loads((version.path / "manifest.json").read_text())
    assert manifest["version"] == "v0001"
    assert manifest["input_fingerprint"] == "f1"
    assert manifest["run_id"] == "r1"
    assert manifest["row_counts"] == {"things": 3, "others": 2}
    for name, entry in manifest["files"].items():
        data = (version.path / name).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["bytes"] == len(data)
    assert (store.root / "LATEST").read_text().strip() == "v0001"
    assert not (store.root / "_staging").exists() or not any((store.root / "_staging").iterdir())


def test_provenance_is_in_parquet_key_value_metadata(tmp_path: Path) -> None:
    store = DatasetStore(tmp_path / "ds")
    version = _publish(store, "f1").version
    metadata = pq.read_schema(version.table_path("things")).metadata
    stamp = json.loads(metadata[b"claimset"])
    assert stamp["version"] == "v0001"
    assert stamp["table"] == "things"
    assert stamp["input_fingerprint"] == "f1"
    assert stamp["run_id"] == "r1"


def test_same_fingerprint_publishes_nothing_new(tmp_path: Path) -> None:
    store = DatasetStore(tmp_path / "ds")
    first = _publish(store, "f1")
    again = _publish(store, "f1", n=5)
    assert not again.created
    assert again.version.name == first.version.name
    assert [v.name for v in store.versions()] == ["v0001"]
    assert len(store.read_table("things")) == 3


def test_new_fingerprint_makes_next_version_and_keeps_old_bytes(tmp_path: Path) -> None:
    store = DatasetStore(tmp_path / "ds")
    first = _publish(store, "f1").version
    before = {p.name: p.read_bytes() for p in first.path.iterdir()}
    second = _publish(store, "f2", n=5).version
    assert second.name == "v0002"
    assert store.latest().name == "v0002"
    assert {p.name: p.read_bytes() for p in first.path.iterdir()} == before
    assert len(store.read_table("things", "v0001")) == 3
    assert len(store.read_table("things")) == 5


def test_failed_publish_leaves_no_version_and_earlier_ones_intact(tmp_path: Path) -> None:
    store = DatasetStore(tmp_path / "ds")
    _publish(store, "f1")

    class Exploding(dict):
        def items(self):
            yield "things", _tables()["things"]
            raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        store.publish(Exploding(), fingerprint="f2", provenance={"run_id": "r2"})
    assert [v.name for v in store.versions()] == ["v0001"]
    assert store.latest().name == "v0001"
    assert not any((store.root / "_staging").glob("*"))


def test_leftover_staging_and_incomplete_dirs_are_not_versions(tmp_path: Path) -> None:
    store = DatasetStore(tmp_path / "ds")
    _publish(store, "f1")
    debris = store.root / "_staging" / "v0002-deadbeef"
    debris.mkdir(parents=True)
    (debris / "things.parquet").write_bytes(b"partial")
    (store.root / "v0009").mkdir()
    assert [v.name for v in store.versions()] == ["v0001"]
    second = _publish(store, "f2").version
    assert second.name == "v0002"
    assert not debris.exists()


def test_latest_falls_back_when_pointer_is_missing(tmp_path: Path) -> None:
    store = DatasetStore(tmp_path / "ds")
    _publish(store, "f1")
    _publish(store, "f2")
    (store.root / "LATEST").unlink()
    assert store.latest().name == "v0002"


def test_get_accepts_names_numbers_and_latest(tmp_path: Path) -> None:
    store = DatasetStore(tmp_path / "ds")
    _publish(store, "f1")
    _publish(store, "f2")
    assert store.get("v0001").number == 1
    assert store.get("2").name == "v0002"
    assert store.get("latest").name == "v0002"
    with pytest.raises(LookupError):
        store.get("v0042")
    with pytest.raises(LookupError):
        DatasetStore(tmp_path / "empty").get()


def test_pandas_duckdb_and_polars_read_identical_rows(tmp_path: Path) -> None:
    store = DatasetStore(tmp_path / "ds")
    path = _publish(store, "f1", n=50).version.table_path("things")
    with_pandas = pd.read_parquet(path).sort_values("id").reset_index(drop=True)
    with_duckdb = (
        duckdb.sql(f"select * from read_parquet('{path}') order by id").df().reset_index(drop=True)
    )
    with_polars = pl.read_parquet(path).sort("id").to_pandas()
    pd.testing.assert_frame_equal(with_pandas, with_duckdb, check_dtype=False)
    pd.testing.assert_frame_equal(with_pandas, with_polars, check_dtype=False)
    assert len(with_pandas) == 50


def test_verify_names_the_damaged_file(tmp_path: Path) -> None:
    store = DatasetStore(tmp_path / "ds")
    version = _publish(store, "f1").version
    assert store.verify() == []
    target = version.table_path("others")
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    assert store.verify("v0001") == ["v0001/others.parquet: sha256 differs from the manifest"]
    version.table_path("things").unlink()
    assert store.verify()[1] == "v0001/things.parquet: missing"


def test_prune_keeps_latest_and_versions_being_read(tmp_path: Path) -> None:
    store = DatasetStore(tmp_path / "ds")
    for fingerprint in ("f1", "f2", "f3", "f4"):
        _publish(store, fingerprint)
    with store.reading("v0002"):
        assert store.prune(keep=1) == ["v0001", "v0003"]
    assert [v.name for v in store.versions()] == ["v0002", "v0004"]
    assert store.latest().name == "v0004"
    assert store.prune(keep=1) == ["v0002"]
    assert [v.name for v in store.versions()] == ["v0004"]
    assert store.verify() == []
    with pytest.raises(ValueError):
        store.prune(keep=0)


def test_reader_api_gives_identical_rows_in_every_form(tmp_path: Path) -> None:
    from pipeline.store import open_dataset

    store = DatasetStore.in_data_dir(tmp_path, "claimset")
    _publish(store, "f1", n=20)
    _publish(store, "f2", n=30)
    dataset = open_dataset(tmp_path)
    assert [v.name for v in dataset.versions()] == ["v0001", "v0002"]
    from_pandas = dataset.read_table("things", "v0001")
    from_arrow = dataset.arrow_dataset("things", "v0001").to_table().to_pandas()
    from_duckdb = dataset.duckdb("things", "v0001").order("id").df()
    from_polars = pl.read_parquet(dataset.get("v0001").table_path("things")).to_pandas()
    for frame in (from_arrow, from_duckdb, from_polars):
        pd.testing.assert_frame_equal(
            from_pandas.sort_values("id").reset_index(drop=True),
            frame.sort_values("id").reset_index(drop=True),
            check_dtype=False,
        )
    assert len(dataset.read_table("things")) == 30
