"""Mirroring published versions to other filesystems named by URIs."""

from __future__ import annotations

import uuid
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from pipeline.mirror import latest_in_mirror, mirror_version
from pipeline.settings import local_path
from pipeline.store import DatasetStore, Version


def _publish(root: Path, values: list[int], fingerprint: str) -> Version:
    store = DatasetStore(root)
    table = pa.table({"sentence_id": [f"s{v}" for v in values], "value": values})
    return store.publish(
        {"things": table}, fingerprint=fingerprint, provenance={"run_id": "r"}
    ).version


def test_a_file_uri_mirror_holds_a_readable_complete_version(tmp_path: Path) -> None:
    version = _publish(tmp_path / "store", [1, 2, 3], "f1")
    uri = (tmp_path / "mirror").as_uri()
    result = mirror_version(version, uri)
    assert result.uri == f"{uri}/v0001"
    assert result.uploaded == len(version.manifest["files"]) + 1  # + the manifest
    assert (tmp_path / "mirror" / "LATEST").read_text().strip() == "v0001"
    assert (tmp_path / "mirror" / "v0001" / "manifest.json").is_file()
    frame = pd.read_parquet(tmp_path / "mirror" / "v0001" / "things")
    assert frame["value"].tolist() == [1, 2, 3]
    assert mirror_version(version, uri).uploaded == 0
    second = _publish(tmp_path / "store", [4], "f2")
    mirror_version(second, uri)
    assert latest_in_mirror(uri) == "v0002"


def test_an_fsspec_filesystem_works_as_a_mirror(tmp_path: Path) -> None:
    fsspec = pytest.importorskip("fsspec")
    version = _publish(tmp_path / "store", [5, 6], "f1")
    uri = f"memory://claimset-test-{uuid.uuid4().hex}/dataset"
    mirror_version(version, uri)
    memory = fsspec.filesystem("memory")
    root = uri.removeprefix("memory:/")
    assert memory.cat_file(f"{root}/LATEST").decode().strip() == "v0001"
    files = sorted(memory.find(f"{root}/v0001/things"))
    with memory.open(files[0], "rb") as handle:
        assert pd.read_parquet(handle)["value"].tolist() == [5, 6]


def test_an_interrupted_upload_is_completed_and_readers_never_saw_it(tmp_path: Path) -> None:
    version = _publish(tmp_path / "store", [1, 2], "f1")
    mirror = tmp_path / "mirror"
    part = next(name for name in version.manifest["files"] if name.endswith(".parquet"))
    (mirror / "v0001" / part).parent.mkdir(parents=True)
    (mirror / "v0001" / part).write_bytes(b"PAR1 truncated")
    assert latest_in_mirror(mirror.as_uri()) is None  # no LATEST, no manifest: not a version
    mirror_version(version, mirror.as_uri())
    assert (mirror / "v0001" / part).read_bytes() == (version.path / part).read_bytes()
    assert latest_in_mirror(mirror.as_uri()) == "v0001"


def test_a_mirrored_version_is_never_overwritten_by_different_data(tmp_path: Path) -> None:
    uri = (tmp_path / "mirror").as_uri()
    mirror_version(_publish(tmp_path / "one", [1], "f1"), uri)
    with pytest.raises(ValueError, match="already holds a different v0001"):
        mirror_version(_publish(tmp_path / "two", [2], "f2"), uri)


def test_local_directories_accept_file_uris_and_refuse_object_storage(tmp_path: Path) -> None:
    assert local_path(tmp_path.as_uri()) == tmp_path
    assert local_path("relative/dir") == Path("relative/dir")
    with pytest.raises(ValueError, match="CLAIMSET_PUBLISH_URI"):
        local_path("s3://bucket/data")
