"""Publishing is atomic and safe: real `claimset run` processes killed with SIGKILL at points
of publishing, concurrent runs, failing schemas, full and read-only disks, part files that
vanish from the cache or lie about their size."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from pipeline.store import DatasetStore, Part
from tests.conftest import REPO_ROOT, write_corpus
from tests.test_store import write_part

KILL_POINTS = ("tables_written", "before_commit", "before_latest")
"""Steps of publishing at which a run is killed with SIGKILL."""

CONCURRENT_TRIALS = 3
"""How many times two runs are started at once on the same data directory."""


def _environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"} | (extra or {})


def _start(raw_dir: Path, data_dir: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "run"]
        + ["--raw-dir", str(raw_dir), "--data-dir", str(data_dir)],
        cwd=REPO_ROOT,
        env=_environment(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _run(raw_dir: Path, data_dir: Path, *, code: str | None = None) -> subprocess.CompletedProcess:
    """`claimset run` in a new interpreter; ``code`` runs first (to inject a fault)."""
    args = ["run", "--raw-dir", str(raw_dir), "--data-dir", str(data_dir)]
    prelude = (code or "") + f"\nfrom pipeline.cli import main\nraise SystemExit(main({args!r}))"
    return subprocess.run(
        [sys.executable, "-c", prelude],
        cwd=REPO_ROOT,
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=300,
    )


def _snapshot(version_dir: Path) -> dict[str, bytes]:
    """Every file of a version (table directories included) by relative path, with its bytes."""
    return {
        path.relative_to(version_dir).as_posix(): path.read_bytes()
        for path in sorted(version_dir.rglob("*"))
        if path.is_file()
    }


def _wait_for_line(process: subprocess.Popen, needle: str, timeout: float = 180) -> list[str]:
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    assert process.stderr is not None
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line:
            raise AssertionError(f"process ended before {needle!r}:\n{''.join(seen)[-3000:]}")
        seen.append(line)
        if needle in line:
            return seen
    raise AssertionError(f"no {needle!r} within {timeout} s")


@pytest.mark.parametrize("point", KILL_POINTS)
def test_sigkill_during_publish_never_shows_a_partial_version(
    point: str, raw_dir: Path, data_dir: Path
) -> None:
    assert _run(raw_dir, data_dir).returncode == 0
    store = DatasetStore.in_data_dir(data_dir, "claimset")
    first = store.get("v0001")
    before = _snapshot(first.path)
    (raw_dir / "new.txt").write_text("Wafer output rose 9% in 2024.", encoding="utf-8")

    process = _start(raw_dir, data_dir, {"CLAIMSET_PAUSE_AT": point})
    try:
        _wait_for_line(process, f"paused at {point}")
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL

    assert _snapshot(first.path) == before
    assert store.verify("v0001") == []
    names = [version.name for version in store.versions()]
    if point == "before_latest":
        # The commit rename happened: v0002 is complete, only the pointer lags behind.
        assert names == ["v0001", "v0002"]
        assert store.verify("v0002") == []
        assert store.latest().name == "v0001"
    else:
        assert names == ["v0001"]
        assert store.latest().name == "v0001"
    assert not (data_dir / "datasets" / "claimset" / "v0002").exists() or point == "before_latest"

    rerun = _run(raw_dir, data_dir)
    assert rerun.returncode == 0, rerun.stderr
    assert rerun.stdout.strip().splitlines()[-1].endswith("v0002")
    assert [version.name for version in store.versions()] == ["v0001", "v0002"]
    assert store.latest().name == "v0002"
    assert store.verify("v0002") == []
    assert not list((store.root / "_staging").glob("*"))
    assert _snapshot(first.path) == before


def _corpus(directory: Path, marker: str) -> set[str]:
    write_corpus(directory)
    (directory / f"{marker}.txt").write_text(f"Only corpus {marker} has 42 robots.", "utf-8")
    return {path.name for path in directory.iterdir() if not path.name.startswith(".")}


@pytest.mark.parametrize("trial", range(CONCURRENT_TRIALS))
def test_two_runs_at_once_give_two_whole_versions(trial: int, tmp_path: Path) -> None:
    names_a = _corpus(tmp_path / "raw_a", "alpha")
    names_b = _corpus(tmp_path / "raw_b", "beta")
    data_dir = tmp_path / "data"
    processes = [_start(tmp_path / "raw_a", data_dir), _start(tmp_path / "raw_b", data_dir)]
    outputs = [process.communicate(timeout=300) for process in processes]
    for process, (_, stderr) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, stderr
    store = DatasetStore.in_data_dir(data_dir, "claimset")
    assert [version.name for version in store.versions()] == ["v0001", "v0002"]
    for version in store.versions():
        assert store.verify(version.name) == []
        documents = pd.read_parquet(version.table_path("documents"))
        rejects = pd.read_parquet(version.table_path("rejects"))
        sources = set(documents["source_path"]) | set(rejects["source_path"])
        assert sources in (names_a, names_b), sources
    published = {Path(out.strip().splitlines()[-1]).name for out, _ in outputs}
    assert published == {"v0001", "v0002"}


def test_failing_schema_exits_non_zero_naming_table_check_and_rows(
    raw_dir: Path, data_dir: Path
) -> None:
    fault = (
        "import pipeline.sentences\n"
        "pipeline.sentences.split_sentences = lambda text, lang=None: [(0, len(text) + 3)]"
    )
    result = _run(raw_dir, data_dir, code=fault)
    assert result.returncode == 1
    assert "check failed: sentences_schema on sentences" in result.stderr
    assert "check 'offsets_within_document' failed on" in result.stderr
    assert "nothing published" in result.stderr
    assert DatasetStore.in_data_dir(data_dir, "claimset").versions() == []


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 4 MiB tmpfs mounted for the test; skipped where mounting is not permitted."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def _published_then_changed(raw_dir: Path, data_dir: Path) -> tuple[DatasetStore, dict]:
    """Publish v0001, then add an input so the next run would publish v0002; return the store
    and the bytes of v0001."""
    assert _run(raw_dir, data_dir).returncode == 0
    store = DatasetStore.in_data_dir(data_dir, "claimset")
    before = _snapshot(store.get("v0001").path)
    (raw_dir / "new.txt").write_text("Battery exports rose 30% in 2024.", encoding="utf-8")
    return store, before


def _assert_failed_cleanly(
    failed: subprocess.CompletedProcess, message: str, store: DatasetStore, before: dict
) -> None:
    assert failed.returncode == 1
    assert message in failed.stderr
    assert "nothing published" in failed.stderr
    assert [version.name for version in store.versions()] == ["v0001"]
    assert _snapshot(store.get("v0001").path) == before
    assert store.verify("v0001") == []


def test_full_disk_fails_clearly_and_keeps_earlier_versions(
    raw_dir: Path, small_disk: Path
) -> None:
    data_dir = small_disk / "data"
    store, before = _published_then_changed(raw_dir, data_dir)
    filler = small_disk / "filler"
    with open(filler, "wb", buffering=0) as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
        except OSError:
            pass
    _assert_failed_cleanly(_run(raw_dir, data_dir), "No space left on device", store, before)
    filler.unlink()
    assert _run(raw_dir, data_dir).returncode == 0
    assert store.latest().name == "v0002"


def test_read_only_data_dir_fails_clearly_and_stays_readable(
    raw_dir: Path, small_disk: Path
) -> None:
    data_dir = small_disk / "data"
    store, before = _published_then_changed(raw_dir, data_dir)
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    _assert_failed_cleanly(_run(raw_dir, data_dir), "Read-only file system", store, before)


def _cached_parts(cache: Path) -> list[Part]:
    return [
        write_part(cache, pa.table({"id": [f"{shard}-{row}" for row in range(50)]}))
        for shard in range(3)
    ]


def test_a_version_keeps_its_data_when_the_cache_drops_its_parts(tmp_path: Path) -> None:
    store = DatasetStore(tmp_path / "ds")
    version = store.publish(
        {"things": _cached_parts(tmp_path / "cache")}, fingerprint="f1", provenance={}
    ).version
    before = _snapshot(version.path)
    for path in (tmp_path / "cache").iterdir():
        path.unlink()
    assert _snapshot(version.path) == before
    assert store.verify() == []
    assert len(store.read_table("things")) == 150


def test_a_part_with_the_wrong_size_is_refused_and_nothing_is_published(tmp_path: Path) -> None:
    store = DatasetStore(tmp_path / "ds")
    store.publish({"things": _cached_parts(tmp_path / "cache")}, fingerprint="f1", provenance={})
    before = _snapshot(store.get("v0001").path)
    good, wrong, _ = _cached_parts(tmp_path / "cache")
    lying = Part(wrong.path, wrong.rows, wrong.bytes + 1, wrong.sha256)
    with pytest.raises(ValueError, match="bytes"):
        store.publish({"things": [good, lying]}, fingerprint="f2", provenance={})
    assert [version.name for version in store.versions()] == ["v0001"]
    assert store.latest().name == "v0001"
    assert _snapshot(store.get("v0001").path) == before
    assert not any((store.root / "_staging").glob("*"))
