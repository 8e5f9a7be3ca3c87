"""The README's "Using the dataset" examples run as written against a real published dataset."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT


def _section(title: str) -> str:
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(f"## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", _section("Using the dataset"), flags=re.S)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A directory laid out like the repository after two `make run`s with one document
    edited in between: data/raw/ plus versions v0001 and v0002."""
    root = tmp_path_factory.mktemp("readme")
    shutil.copytree(REPO_ROOT / "data" / "raw", root / "data" / "raw")
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"} | {
        "CLAIMSET_RAW_DIR": str(root / "data" / "raw"),
        "CLAIMSET_DATA_DIR": str(root / "data"),
    }
    command = [sys.executable, "-m", "pipeline.cli", "run"]
    subprocess.run(command, cwd=root, env=env, check=True, capture_output=True)
    page = root / "data" / "raw" / "ev-batteries.html"
    page.write_text(page.read_text(encoding="utf-8").replace("35.8%", "37.9%"), "utf-8")
    subprocess.run(command, cwd=root, env=env, check=True, capture_output=True)
    return root, env


def test_section_has_examples_for_every_reader() -> None:
    python = "\n".join(_blocks("python"))
    for reader in ("pd.read_parquet", "duckdb.sql", "pl.read_parquet", "open_dataset"):
        assert reader in python
    assert "claimset diff" in "\n".join(_blocks("bash"))


@pytest.mark.parametrize("index", range(len(_blocks("python"))))
def test_python_example_runs(index: int, workspace: tuple[Path, dict[str, str]]) -> None:
    root, env = workspace
    code = _blocks("python")[index]
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()


def test_shell_examples_run(workspace: tuple[Path, dict[str, str]]) -> None:
    root, env = workspace
    for line in _blocks("bash")[0].splitlines():
        words = shlex.split(line.split("#")[0])
        assert words[0] == "claimset"
        result = subprocess.run(
            [sys.executable, "-m", "pipeline.cli", *words[1:]],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, (line, result.stderr)
        assert result.stdout.strip(), line
    listed = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "versions", "--json"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )
    assert '"v0002"' in listed.stdout


def test_every_reject_reason_is_documented() -> None:
    from pipeline.reasons import REJECT_REASONS

    table = _section("Stages")
    for reason in REJECT_REASONS:
        assert f"`{reason}`" in table, reason
