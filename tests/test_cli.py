"""Tests of the ``claimset`` command run as a real subprocess."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd

from pipeline.store import DatasetStore
from tests.conftest import REPO_ROOT


def claimset(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``claimset ARGS`` in a fresh interpreter without DAGSTER_HOME."""
    environment = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"} | (env or {})
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", *args],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=environment,
        timeout=300,
    )


def test_run_prints_the_version_path_last_and_is_idempotent(raw_dir: Path, data_dir: Path) -> None:
    first = claimset("run", "--raw-dir", str(raw_dir), "--data-dir", str(data_dir))
    assert first.returncode == 0, first.stderr
    path = Path(first.stdout.strip().splitlines()[-1])
    assert path == data_dir / "datasets" / "claimset" / "v0001"
    version = DatasetStore.in_data_dir(data_dir, "claimset").get("v0001")
    assert version.path == path
    # Each table is a directory of part files; pandas reads the directory as one table.
    files = version.table_files("sentences")
    assert files and all(file.parent == path / "sentences" for file in files)
    sentences = pd.read_parquet(path / "sentences")
    assert len(sentences) > 0
    assert len(sentences) == version.manifest["row_counts"]["sentences"]
    second = claimset("run", "--raw-dir", str(raw_dir), "--data-dir", str(data_dir))
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip().splitlines()[-1] == str(path)
    assert "no new version" in second.stderr
    listed = claimset("versions", "--data-dir", str(data_dir), "--json")
    assert listed.returncode == 0
    [entry] = json.loads(listed.stdout)
    assert entry["version"] == "v0001"
    assert entry["latest"] is True
    assert entry["row_counts"]["documents"] == 4


def test_environment_variables_choose_the_directories(raw_dir: Path, data_dir: Path) -> None:
    env = {"CLAIMSET_RAW_DIR": str(raw_dir), "CLAIMSET_DATA_DIR": str(data_dir)}
    result = claimset("run", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("v0001")
    human = claimset("versions", env=env)
    assert human.stdout.startswith("* v0001")


def test_versions_on_an_empty_data_dir(data_dir: Path) -> None:
    result = claimset("versions", "--data-dir", str(data_dir))
    assert result.returncode == 0
    assert "no published versions" in result.stdout


def test_verify_reports_the_damaged_file(raw_dir: Path, data_dir: Path) -> None:
    run = claimset("run", "--raw-dir", str(raw_dir), "--data-dir", str(data_dir))
    assert run.returncode == 0, run.stderr
    version_dir = Path(run.stdout.strip().splitlines()[-1])
    version = DatasetStore.in_data_dir(data_dir, "claimset").get("v0001")
    tables = ("documents", "sentences", "claims", "rejects")
    part_files = [file for table in tables for file in version.table_files(table)]
    # The small corpus is one shard: one part per table, plus the card, chart and changelog.
    assert len(part_files) == 4
    assert len(version.manifest["files"]) == 7
    intact = claimset("verify", "--data-dir", str(data_dir))
    assert intact.returncode == 0
    assert "v0001: 7 files match the manifest" in intact.stdout
    [claims_part] = version.table_files("claims")
    assert claims_part == version_dir / "claims" / "part-00000.parquet"
    with open(claims_part, "r+b") as handle:
        handle.seek(100)
        handle.write(b"\x00\x01\x02")
    damaged = claimset("verify", "v0001", "--data-dir", str(data_dir))
    assert damaged.returncode == 1
    assert (
        "damaged: v0001/claims/part-00000.parquet: sha256 differs from the manifest"
        in damaged.stdout
    )
    assert claimset("verify", "v0042", "--data-dir", str(data_dir)).returncode == 2


def test_run_on_a_terminal_draws_a_progress_bar(raw_dir: Path, data_dir: Path) -> None:
    import fcntl
    import pty
    import struct
    import termios

    leader, follower = pty.openpty()
    # A terminal of 120 columns: tqdm draws nothing on a terminal without a size.
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "run"]
        + ["--raw-dir", str(raw_dir), "--data-dir", str(data_dir)],
        cwd=REPO_ROOT,
        env={k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"},
        stdout=subprocess.PIPE,
        stderr=follower,
    )
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    assert process.wait(timeout=300) == 0
    os.close(leader)
    text = seen.decode("utf-8", "replace")
    # tqdm draws "claims:   0%|      | 0/1 [...]" (in shards) before it finishes and erases
    # the bar.
    assert re.search(r"claims:\s+\d+%\|", text), text[-2000:]
    assert re.search(r"sentences:\s+\d+%\|", text), text[-2000:]


def test_backend_option_gives_the_same_version(raw_dir: Path, tmp_path: Path) -> None:
    """``--backend serial`` and ``--backend local --workers 2`` publish the same rows; an
    unusable backend fails the run without publishing anything."""
    published = {}
    for name, options in (
        ("serial", ["--backend", "serial"]),
        ("local", ["--backend", "local", "--workers", "2"]),
    ):
        data = tmp_path / name
        run = claimset("run", "--raw-dir", str(raw_dir), "--data-dir", str(data), *options)
        assert run.returncode == 0, run.stderr
        store = DatasetStore.in_data_dir(data, "claimset")
        published[name] = {
            "counts": store.latest().manifest["row_counts"],
            "sentences": sorted(store.read_table("sentences")["sentence_id"]),
            "claims": store.read_table("claims")
            .sort_values("sentence_id")[["sentence_id", "claim_type", "is_claim"]]
            .to_dict("records"),
        }
    assert published["serial"] == published["local"]
    assert published["serial"]["counts"]["documents"] == 4
    dask = claimset(
        "run", "--raw-dir", str(raw_dir), "--data-dir", str(tmp_path / "dask"), "--backend", "dask"
    )
    assert dask.returncode == 1
    assert "scheduler address" in dask.stderr
    assert "nothing published" in dask.stderr
    assert not DatasetStore.in_data_dir(tmp_path / "dask", "claimset").versions()


def test_prune_removes_old_versions_and_unused_cache_files(raw_dir: Path, data_dir: Path) -> None:
    assert claimset("run", "--raw-dir", str(raw_dir), "--data-dir", str(data_dir)).returncode == 0
    (raw_dir / "essay.txt").write_text("A different essay. Output rose 9% in 2024.", "utf-8")
    second = claimset("run", "--raw-dir", str(raw_dir), "--data-dir", str(data_dir))
    assert second.returncode == 0, second.stderr
    cache_files = set((data_dir / "cache" / "parts").rglob("*.parquet"))
    pruned = claimset("prune", "--keep", "1", "--data-dir", str(data_dir))
    assert pruned.returncode == 0, pruned.stderr
    assert "removed 1 versions: v0001" in pruned.stdout
    match = re.search(r"removed (\d+) unused cache files", pruned.stdout)
    assert match and int(match.group(1)) > 0
    left = set((data_dir / "cache" / "parts").rglob("*.parquet"))
    assert left < cache_files
    store = DatasetStore.in_data_dir(data_dir, "claimset")
    assert [version.name for version in store.versions()] == ["v0002"]
    assert store.verify("v0002") == []
    # The latest run's shards are still cached: an unchanged re-run publishes nothing.
    third = claimset("run", "--raw-dir", str(raw_dir), "--data-dir", str(data_dir))
    assert third.returncode == 0, third.stderr
    assert "no new version" in third.stderr
    assert set((data_dir / "cache" / "parts").rglob("*.parquet")) == left
