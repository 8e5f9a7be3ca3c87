"""The sharded engine: same output whatever the sharding and backend, cached shards reused,
validation outcomes carried along."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipeline import versions
from pipeline.compute import Backend, LocalBackend, SerialBackend
from pipeline.engine import ShardedTable, clean, ingest, split, tag
from pipeline.parts import PartCache
from pipeline.shards import inventory, plan_shards
from tests.conftest import ESSAY, write_corpus


def run_stages(
    raw_dir: Path, data_dir: Path, backend: Backend, shard_bytes: int
) -> dict[str, ShardedTable]:
    """Every stage of the engine, as the assets chain them."""
    cache = PartCache(data_dir / "cache")
    files_per_shard = 3 if shard_bytes < 10**6 else 10**9
    shards = plan_shards(
        inventory(raw_dir, cache.root / "inventory.json"), shard_bytes, files_per_shard
    )
    raw = ingest(shards, raw_dir, cache, backend)
    documents, rejects = clean(raw, cache, backend)
    sentences = split(documents, cache, backend)
    claims = tag(sentences, cache, backend)
    return {
        "raw": raw,
        "documents": documents,
        "rejects": rejects,
        "sentences": sentences,
        "claims": claims,
    }


def frames(tables: dict[str, ShardedTable]) -> dict[str, pd.DataFrame]:
    """Each published table as one frame, rejects in input order, without ingestion times."""
    result = {}
    for name in ("documents", "sentences", "claims", "rejects"):
        frame = tables[name].read()
        if name == "rejects":
            frame = frame.sort_values("input_id", ignore_index=True)
        result[name] = frame.drop(columns=["ingested_at"], errors="ignore")
    return result


@pytest.fixture
def many_files(tmp_path: Path) -> Path:
    """The mixed corpus plus 30 small essays, enough for several shards."""
    raw = tmp_path / "raw"
    write_corpus(raw)
    for number in range(30):
        (raw / "essays" / f"e{number:02d}.txt").parent.mkdir(exist_ok=True)
        (raw / "essays" / f"e{number:02d}.txt").write_text(
            f"Essay {number} looks at factories. " + ESSAY, encoding="utf-8"
        )
    return raw


def test_sharding_does_not_change_the_output(many_files: Path, tmp_path: Path) -> None:
    one = run_stages(many_files, tmp_path / "one", SerialBackend(), 10**9)
    many = run_stages(many_files, tmp_path / "many", SerialBackend(), 400)
    assert len(one["documents"].parts) == 1
    assert len(many["documents"].parts) > 5
    expected, got = frames(one), frames(many)
    for name in expected:
        pd.testing.assert_frame_equal(got[name], expected[name], check_like=False)
    assert one["documents"].rows + one["rejects"].rows == one["documents"].extra["inputs"]
    # The copy of essay.txt sits in another shard and is still caught as a duplicate.
    assert "essay.txt" in set(got["rejects"]["source_path"])
    assert many["documents"].extra["cross_shard_duplicates"] >= 1


def test_every_shard_is_validated(many_files: Path, tmp_path: Path) -> None:
    tables = run_stages(many_files, tmp_path / "data", SerialBackend(), 400)
    for name in ("documents", "rejects", "sentences", "claims"):
        outcomes = tables[name].validation
        assert outcomes, name
        assert sum(o["rows"] for o in outcomes) >= tables[name].rows - 1
        assert tables[name].failure_counts() == {}, name


def test_a_rerun_reuses_unchanged_shards(many_files: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = run_stages(many_files, data, SerialBackend(), 5_000)
    shards = first["raw"].stats.shards
    # Shards with equal inputs (e.g. two without any document) share one cache entry.
    distinct = len({part.sha256 for part in first["sentences"].parts})
    assert first["claims"].stats.computed == distinct
    (many_files / "essays" / "e15b.txt").write_text("A new essay. " + ESSAY, encoding="utf-8")
    second = run_stages(many_files, data, SerialBackend(), 5_000)
    for name in ("raw", "sentences", "claims"):
        assert 1 <= second[name].stats.computed <= 2, name
        assert second[name].stats.reused >= shards - 2, name
    assert second["documents"].rows == first["documents"].rows + 1
    # Inside the recomputed shard, the documents that were there before keep their rows.
    for name in ("sentences", "claims"):
        assert second[name].stats.documents_reused >= 1, name
    cold = run_stages(many_files, tmp_path / "cold", SerialBackend(), 5_000)
    for name, frame in frames(cold).items():
        pd.testing.assert_frame_equal(frames(second)[name], frame)


def test_a_new_tagger_version_retags_without_resplitting(
    many_files: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    first = run_stages(many_files, data, SerialBackend(), 400)
    monkeypatch.setitem(versions.STAGE_VERSIONS, "claims", "test-bump")
    second = run_stages(many_files, data, SerialBackend(), 400)
    assert second["sentences"].stats.computed == 0
    assert second["claims"].stats.computed == first["claims"].stats.computed
    assert second["claims"].stats.documents_reused == 0  # rows of other code are never reused
    pd.testing.assert_frame_equal(frames(second)["claims"], frames(first)["claims"])


def test_a_process_pool_gives_the_same_output(many_files: Path, tmp_path: Path) -> None:
    serial = run_stages(many_files, tmp_path / "serial", SerialBackend(), 400)
    pool = LocalBackend(workers=2)
    try:
        parallel = run_stages(many_files, tmp_path / "pool", pool, 400)
    finally:
        pool.close()
    expected, got = frames(serial), frames(parallel)
    for name in expected:
        pd.testing.assert_frame_equal(got[name], expected[name])


def test_a_dask_cluster_gives_the_same_output(many_files: Path, tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    from pipeline.compute import DaskBackend

    serial = run_stages(many_files, tmp_path / "serial", SerialBackend(), 400)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        backend = DaskBackend(cluster.scheduler_address)
        try:
            on_dask = run_stages(many_files, tmp_path / "dask", backend, 400)
            worker_pids = backend.client.run(lambda: __import__("os").getpid())
        finally:
            backend.close()
    assert len(set(worker_pids.values())) == 2
    assert __import__("os").getpid() not in worker_pids.values()
    expected, got = frames(serial), frames(on_dask)
    for name in expected:
        pd.testing.assert_frame_equal(got[name], expected[name])


def test_duplicates_within_a_shard_follow_a_document_removed_across_shards(
    tmp_path: Path,
) -> None:
    """b.txt and c.txt (shard 1) and a.txt (shard 0) clean to the same text from different
    bytes: shard 1 keeps b and rejects c as its duplicate, then b goes as a duplicate of a, so
    c's reject must name a, which is kept."""
    from pipeline.shards import Shard

    raw = tmp_path / "raw"
    raw.mkdir()
    for name, ending in (("a.txt", "\n"), ("b.txt", "\n\n"), ("c.txt", "\n\n\n")):
        (raw / name).write_text(ESSAY + ending, encoding="utf-8")
    files = {f.relative: f for f in inventory(raw)}
    shards = [Shard(0, (files["a.txt"],)), Shard(1, (files["b.txt"], files["c.txt"]))]
    cache = PartCache(tmp_path / "data" / "cache")
    documents, rejects = clean(ingest(shards, raw, cache, SerialBackend()), cache, SerialBackend())
    kept = documents.read()
    assert kept["source_path"].tolist() == ["a.txt"]
    dropped = rejects.read().set_index("source_path")
    assert dropped.loc["b.txt", "duplicate_of"] == kept["doc_id"].iloc[0]
    assert dropped.loc["c.txt", "duplicate_of"] == kept["doc_id"].iloc[0]
    assert set(dropped["duplicate_of"]) <= set(kept["doc_id"])


def test_a_file_rewritten_after_the_inventory_is_not_cached_under_its_old_content(
    tmp_path: Path,
) -> None:
    raw = tmp_path / "raw"
    write_corpus(raw)
    cache = PartCache(tmp_path / "cache")
    shards = plan_shards(inventory(raw), 10**9, 10**9)
    (raw / "essay.txt").write_text("Output rose 5% in 2024.", encoding="utf-8")
    first = ingest(shards, raw, cache, SerialBackend())
    assert first.extra["changed_inputs"] == ["essay.txt"]
    texts = first.read(["source_path", "text"]).set_index("source_path")["text"]
    assert texts["essay.txt"] == "Output rose 5% in 2024."
    # The file is back to what the inventory saw: the shard is read again, not answered
    # from a cache entry that holds the other content under this content's key.
    (raw / "essay.txt").write_text(ESSAY, encoding="utf-8")
    again = ingest(shards, raw, cache, SerialBackend())
    assert (again.stats.computed, again.extra["changed_inputs"]) == (1, [])
    texts = again.read(["source_path", "text"]).set_index("source_path")["text"]
    assert texts["essay.txt"] == ESSAY
    third = ingest(shards, raw, cache, SerialBackend())
    assert third.stats.reused == 1
    # The run that read other content than the inventory saw gets a digest of its own, so a
    # release keyed on the inventory's contents can never stand for what it read.
    assert third.extra["inputs_digest"] == again.extra["inputs_digest"]
    assert first.extra["inputs_digest"] != again.extra["inputs_digest"]
