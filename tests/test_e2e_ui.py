"""End to end through the real Dagster webserver and daemon on 127.0.0.1: launch the asset job
with the GraphQL mutation the UI's Materialize button sends, wait for it, read the Parquet."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from pipeline.io_manager import _from_json
from pipeline.store import DatasetStore
from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.e2e

BIN = Path(sys.executable).parent
LAUNCH = """
mutation LaunchPipelineExecution($executionParams: ExecutionParams!) {
  launchPipelineExecution(executionParams: $executionParams) {
    __typename
    ... on LaunchRunSuccess { run { id status } }
    ... on PythonError { message }
    ... on InvalidSubsetError { message }
    ... on RunConfigValidationInvalid { errors { message } }
  }
}
"""
RUN_STATUS = 'query { runOrError(runId: "%s") { __typename ... on Run { status } } }'
RUNS = "query { runsOrError { ... on Runs { results { runId status tags { key value } } } } }"
RUN_MATERIALIZATIONS = """
query { runOrError(runId: "%s") { ... on Run {
  assetMaterializations { assetKey { path } metadataEntries { label
    ... on IntMetadataEntry { intValue } ... on TextMetadataEntry { text }
    ... on PathMetadataEntry { path } } }
} } }
"""
REPOSITORIES = """
query { repositoriesOrError { ... on RepositoryConnection { nodes { name location { name }
  assetNodes { assetKey { path } assetChecksOrError { ... on AssetChecks { checks { name } } } }
} } } }
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class DagsterServices:
    """A webserver and a daemon started as real processes for one test."""

    def __init__(self, home: Path, env: dict[str, str]) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.logs = home.parent / "service-logs"
        self.logs.mkdir()
        self.env = env
        self.processes: list[subprocess.Popen] = []

    def start(self) -> None:
        """Start the webserver, wait until it answers, then start the daemon. Starting both at
        once on a fresh DAGSTER_HOME races on creating the SQLite run storage."""
        command = [str(BIN / "dagster-webserver"), "-w", "workspace.yaml"]
        self.processes.append(
            self._start("webserver", command + ["-h", "127.0.0.1", "-p", str(self.port)])
        )
        self.wait_until_up()
        daemon = [str(BIN / "dagster-daemon"), "run", "-w", "workspace.yaml"]
        self.processes.append(self._start("daemon", daemon))

    def _start(self, name: str, command: list[str]) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
        return subprocess.Popen(
            command, cwd=REPO_ROOT, env=self.env, stdout=log, stderr=log, start_new_session=True
        )

    def graphql(self, query: str, variables: dict | None = None) -> dict:
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        request = urllib.request.Request(
            f"{self.url}/graphql", data=body, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            payload = json.load(response)
        assert "errors" not in payload, payload
        return payload["data"]

    def wait_until_up(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for process in self.processes:
                assert process.poll() is None, self.tail()
            try:
                with urllib.request.urlopen(f"{self.url}/server_info", timeout=5) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(1)
        raise AssertionError(f"webserver did not come up\n{self.tail()}")

    def tail(self) -> str:
        return "\n".join(
            f"--- {log.name}\n{log.read_text()[-3000:]}" for log in sorted(self.logs.iterdir())
        )

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


@pytest.fixture
def services(tmp_path: Path, raw_dir: Path, data_dir: Path) -> Iterator[DagsterServices]:
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO_ROOT / "dagster.yaml", home / "dagster.yaml")
    env = os.environ | {
        "DAGSTER_HOME": str(home),
        "CLAIMSET_RAW_DIR": str(raw_dir),
        "CLAIMSET_DATA_DIR": str(data_dir),
    }
    running = DagsterServices(home, env)
    try:
        running.start()
        yield running
    finally:
        running.stop()


def _wait_for_run(services: DagsterServices, run_id: str, timeout: float = 300) -> str:
    deadline = time.monotonic() + timeout
    status = "?"
    while time.monotonic() < deadline:
        status = services.graphql(RUN_STATUS % run_id)["runOrError"]["status"]
        if status in {"SUCCESS", "FAILURE", "CANCELED"}:
            return status
        time.sleep(2)
    raise AssertionError(f"run {run_id} still {status}\n{services.tail()}")


def _run_metadata(services: DagsterServices, run_id: str) -> dict[str, dict[str, object]]:
    """The metadata of every asset materialized by run ``run_id``, by asset key."""
    run = services.graphql(RUN_MATERIALIZATIONS % run_id)["runOrError"]
    found: dict[str, dict[str, object]] = {}
    for materialization in run["assetMaterializations"]:
        values = found.setdefault("/".join(materialization["assetKey"]["path"]), {})
        for entry in materialization["metadataEntries"]:
            for field in ("intValue", "text", "path"):
                if field in entry:
                    values[entry["label"]] = entry[field]
    return found


def test_materialize_button_mutation_publishes_a_version(
    services: DagsterServices, data_dir: Path
) -> None:
    [repository] = services.graphql(REPOSITORIES)["repositoriesOrError"]["nodes"]
    assert repository["location"]["name"] == "claimset"
    asset_selection = [{"path": node["assetKey"]["path"]} for node in repository["assetNodes"]]
    check_selection = [
        {"assetKey": {"path": node["assetKey"]["path"]}, "name": check["name"]}
        for node in repository["assetNodes"]
        for check in (node["assetChecksOrError"].get("checks") or [])
    ]
    assert len(asset_selection) == 8
    assert len(check_selection) == 4
    params = {
        "mode": "default",
        "runConfigData": "{}",
        "executionMetadata": {"tags": []},
        "selector": {
            "repositoryLocationName": "claimset",
            "repositoryName": repository["name"],
            "pipelineName": "__ASSET_JOB",
            "assetSelection": asset_selection,
            "assetCheckSelection": check_selection,
        },
    }
    launched = services.graphql(LAUNCH, {"executionParams": params})["launchPipelineExecution"]
    assert launched["__typename"] == "LaunchRunSuccess", launched
    run_id = launched["run"]["id"]
    assert _wait_for_run(services, run_id) == "SUCCESS", services.tail()

    store = DatasetStore.in_data_dir(data_dir, "claimset")
    latest = store.latest()
    assert latest is not None
    sentences = pd.read_parquet(latest.table_path("sentences"))
    documents = pd.read_parquet(latest.table_path("documents"))
    texts = dict(zip(documents["doc_id"], documents["text"], strict=True))
    assert len(sentences) > 0
    assert all(texts[r.doc_id][r.start : r.end] == r.text for r in sentences.itertuples())
    for table in ("documents", "sentences", "claims", "rejects"):
        assert latest.table_path(table).is_dir(), table
        assert latest.table_files(table), table

    # The sharded stages passed handles (part files), and the UI shows how their shards ran.
    materialized = _run_metadata(services, run_id)
    for asset in ("raw_documents", "clean_documents", "sentences", "claims"):
        entries = materialized[asset]
        assert entries["shards"] >= 1, asset
        assert entries["shards_reused"] == 0, asset
        assert str(entries["backend"]).startswith("local"), asset
        assert entries["path"] == str(data_dir / "assets" / f"{asset}.json"), asset
        handle = _from_json(Path(entries["path"]).read_text(encoding="utf-8"))
        assert handle.rows == entries["dagster/row_count"], asset
        assert all(Path(part.path).is_file() for part in handle.parts), asset

    # The sensor is on by default, so the daemon launches a run for the new raw files too.
    deadline = time.monotonic() + 120
    sensor_runs: list[dict] = []
    while time.monotonic() < deadline and not sensor_runs:
        runs = services.graphql(RUNS)["runsOrError"]["results"]
        sensor_runs = [
            run for run in runs if any(tag["key"] == "dagster/sensor_name" for tag in run["tags"])
        ]
        time.sleep(3)
    assert sensor_runs, services.tail()
