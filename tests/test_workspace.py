"""The code location loads through both Dagster CLIs users run: workspace.yaml and dg."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

BIN = Path(sys.executable).parent


@pytest.mark.parametrize(
    "command",
    [["dagster", "definitions", "validate", "-w", "workspace.yaml"], ["dg", "check", "defs"]],
    ids=["dagster-definitions-validate", "dg-check-defs"],
)
def test_code_location_validates(command: list[str], tmp_path: Path) -> None:
    (tmp_path / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    env = os.environ | {"DAGSTER_HOME": str(tmp_path)}
    result = subprocess.run(
        [str(BIN / command[0]), *command[1:]],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    output = result.stdout + result.stderr
    assert "successful" in output or "loaded successfully" in output
