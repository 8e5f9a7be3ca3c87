"""Tests of the versioned dataset store: atomic versions, manifests, idempotence, readers."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import uuid
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.store import DatasetStore, Part
from pipeline.tables import CLAIMS


def write_part(directory: Path, table: pa.Table) -> Part:
    """Write ``table`` as an immutable part file under ``directory``, as the shard cache does."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{uuid.uuid4().hex}.parquet"
    pq.write_table(table, path, compression="zstd", write_page_checksum=True)
    data = path.read_bytes()
    return Part(str(path), table.num_rows, len(data), hashlib.sha256(data).hexdigest())


def _things(start: int, stop: int) -> pa.Table:
    return pa.table({"id": [f"t{i:03d}" for i in range(start, stop)], "value": range(start, stop)})


def _publish_parts(store: DatasetStore, cache: Path, fingerprint: str = "f1"):
    parts = [write_part(cache, _things(0, 10)), write_part(cache, _things(10, 25))]
    result = store.publish(
        {"things": parts, "claims": []}, fingerprint=fingerprint, provenance={"run_id": "r1"}
    )
    return result.version, parts


def _contents(directory: Path) -> dict[str, bytes]:
    return {
        path.relative_to(directory).as_posix(): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


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
    assert sorted(
        p.relative_to(version.path).as_posix() for p in version.path.rglob("*") if p.is_file()
    ) == ["manifest.json", "others/part-00000.parquet", "things/part-00000.parquet"]
    manifest = json.loads((version.path / "manifest.json").read_text())
    assert manifest["version"] == "v0001"
    assert manifest["input_fingerprint"] == "f1"
    assert manifest["run_id"] == "r1"
    assert manifest["row_counts"] == {"things": 3, "others": 2}
    assert manifest["tables"] == {
        "things": {"rows": 3, "files": ["things/part-00000.parquet"]},
        "others": {"rows": 2, "files": ["others/part-00000.parquet"]},
    }
    assert manifest["files"]["things/part-00000.parquet"]["table"] == "things"
    for name, entry in manifest["files"].items():
        data = (version.path / name).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["bytes"] == len(data)
    assert (store.root / "LATEST").read_text().strip() == "v0001"
    assert not (store.root / "_staging").exists() or not any((store.root / "_staging").iterdir())


def test_provenance_is_in_parquet_key_value_metadata(tmp_path: Path) -> None:
    store = DatasetStore(tmp_path / "ds")
    version = _publish(store, "f1").version
    [path] = version.table_files("things")
    metadata = pq.read_schema(path).metadata
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
    before = _contents(first.path)
    second = _publish(store, "f2", n=5).version
    assert second.name == "v0002"
    assert store.latest().name == "v0002"
    assert _contents(first.path) == before
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
    (debris / "things").mkdir()
    (debris / "things" / "part-00000.parquet").write_bytes(b"partial")
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
        duckdb.sql(f"select * from read_parquet('{path}/*.parquet') order by id")
        .df()
        .reset_index(drop=True)
    )
    with_polars = pl.read_parquet(f"{path}/*.parquet").sort("id").to_pandas()
    pd.testing.assert_frame_equal(with_pandas, with_duckdb, check_dtype=False)
    pd.testing.assert_frame_equal(with_pandas, with_polars, check_dtype=False)
    assert len(with_pandas) == 50


def test_plain_readers_read_a_multi_part_table_as_one(tmp_path: Path) -> None:
    version, _ = _publish_parts(DatasetStore(tmp_path / "ds"), tmp_path / "cache")
    directory = version.path / "things"
    expected = _things(0, 25).to_pandas()
    with_pandas = pd.read_parquet(directory).sort_values("id").reset_index(drop=True)
    with_duckdb = duckdb.sql(
        f"select * from read_parquet('{directory}/*.parquet') order by id"
    ).df()
    with_polars = pl.read_parquet(f"{directory}/*.parquet").sort("id").to_pandas()
    for frame in (with_pandas, with_duckdb, with_polars):
        pd.testing.assert_frame_equal(frame, expected, check_dtype=False)


def test_parts_are_hard_linked_in_order_with_their_given_checksums(tmp_path: Path) -> None:
    store = DatasetStore(tmp_path / "ds")
    version, parts = _publish_parts(store, tmp_path / "cache")
    files = version.table_files("things")
    assert [path.relative_to(version.path).as_posix() for path in files] == [
        "things/part-00000.parquet",
        "things/part-00001.parquet",
    ]
    for path, part in zip(files, parts, strict=True):
        assert os.path.samefile(path, part.path)
    assert version.parts("things") == [
        Part(str(path), part.rows, part.bytes, part.sha256)
        for path, part in zip(files, parts, strict=True)
    ]
    assert version.manifest["tables"]["things"]["rows"] == 25
    assert version.manifest["row_counts"] == {"things": 25, "claims": 0}
    assert store.read_table("things")["id"].tolist() == [f"t{i:03d}" for i in range(25)]
    assert store.verify() == []


def test_a_part_is_copied_when_it_cannot_be_linked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def cross_device(source: str, target: str) -> None:
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", cross_device)
    store = DatasetStore(tmp_path / "ds")
    version, parts = _publish_parts(store, tmp_path / "cache")
    for path, part in zip(version.table_files("things"), parts, strict=True):
        assert not os.path.samefile(path, part.path)
        assert path.read_bytes() == Path(part.path).read_bytes()
    assert store.verify() == []


def test_no_parts_give_one_empty_part_with_the_table_schema(tmp_path: Path) -> None:
    store = DatasetStore(tmp_path / "ds")
    version, _ = _publish_parts(store, tmp_path / "cache")
    [path] = version.table_files("claims")
    assert path == version.path / "claims" / "part-00000.parquet"
    assert pq.read_schema(path).remove_metadata() == CLAIMS
    assert pq.read_metadata(path).num_rows == 0
    assert list(pd.read_parquet(version.table_path("claims")).columns) == CLAIMS.names
    assert store.read_table("claims").empty


def test_versions_in_the_old_one_file_layout_stay_readable(tmp_path: Path) -> None:
    store = DatasetStore(tmp_path / "ds")
    old = store.root / "v0001"
    old.mkdir(parents=True)
    pq.write_table(_things(0, 4), old / "things.parquet")
    data = (old / "things.parquet").read_bytes()
    entry = {"bytes": len(data), "rows": 4, "sha256": hashlib.sha256(data).hexdigest()}
    manifest = {
        "version": "v0001",
        "input_fingerprint": "f0",
        "row_counts": {"things": 4},
        "files": {"things.parquet": {"table": "things", **entry}},
    }
    (old / "manifest.json").write_text(json.dumps(manifest))
    version = store.get("v0001")
    assert version.table_path("things") == old / "things.parquet"
    assert version.table_files("things") == [old / "things.parquet"]
    assert version.parts("things") == [Part(str(old / "things.parquet"), **entry)]
    assert store.read_table("things")["id"].tolist() == ["t000", "t001", "t002", "t003"]
    assert store.arrow_dataset("things").count_rows() == 4
    assert len(store.duckdb("things").df()) == 4
    assert store.verify() == []
    with pytest.raises(KeyError):
        version.table_files("claims")
    new = _publish_parts(store, tmp_path / "cache", "f1")[0]
    assert new.name == "v0002"
    assert len(store.read_table("things", "v0001")) == 4


def test_verify_names_the_damaged_file(tmp_path: Path) -> None:
    store = DatasetStore(tmp_path / "ds")
    version = _publish(store, "f1").version
    assert store.verify() == []
    [target] = version.table_files("others")
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    assert store.verify("v0001") == [
        "v0001/others/part-00000.parquet: sha256 differs from the manifest"
    ]
    version.table_files("things")[0].unlink()
    assert store.verify()[1] == "v0001/things/part-00000.parquet: missing"
    (version.path / "things" / "part-00007.parquet").write_bytes(b"stray")
    assert store.verify()[2] == "v0001/things/part-00007.parquet: not listed in the manifest"


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
    from_polars = pl.read_parquet(dataset.get("v0001").table_files("things")).to_pandas()
    for frame in (from_arrow, from_duckdb, from_polars):
        pd.testing.assert_frame_equal(
            from_pandas.sort_values("id").reset_index(drop=True),
            frame.sort_values("id").reset_index(drop=True),
            check_dtype=False,
        )
    assert len(dataset.read_table("things")) == 30


def test_count_values_reads_parts_one_column_at_a_time(tmp_path: Path) -> None:
    from pipeline.store import count_values

    parts = [
        write_part(tmp_path, pa.table({"kind": ["a", "b", None], "tags": [["x"], [], ["x", "y"]]})),
        write_part(tmp_path, pa.table({"kind": ["a"], "tags": [None]})),
    ]
    assert count_values(parts, "kind") == {"a": 2, "b": 1}
    assert count_values(parts, "tags") == {"x": 2, "y": 1}
    frame = pd.DataFrame({"kind": ["a", "b", "a"], "tags": [["x"], [], ["x", "y"]]})
    assert count_values(frame, "kind") == {"a": 2, "b": 1}
    assert count_values(frame, "tags") == {"x": 2, "y": 1}
