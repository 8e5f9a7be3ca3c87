"""Sensor that launches the claimset job when files under the raw directory change."""

import json
from pathlib import Path

import dagster as dg

from pipeline.ingest import file_fingerprint, list_inputs
from pipeline.jobs import claimset_job
from pipeline.resources import ClaimsetConfig


def raw_dir_state(raw_dir: Path) -> dict[str, list[int]]:
    """``{relative path: [mtime_ns, size]}`` for every input under ``raw_dir``; entries that
    cannot be stat'ed are listed with ``[-1, -1]`` so their appearance still counts."""
    state: dict[str, list[int]] = {}
    for path in list_inputs(raw_dir):
        fingerprint = file_fingerprint(path)
        state[path.relative_to(raw_dir).as_posix()] = list(fingerprint or (-1, -1))
    return state


def describe_changes(before: dict[str, list[int]], after: dict[str, list[int]]) -> str:
    """A short human-readable account of files added, changed and removed."""
    added = sorted(set(after) - set(before))
    removed = sorted(set(before) - set(after))
    changed = sorted(path for path in set(after) & set(before) if after[path] != before[path])
    parts = [
        f"{label} {len(paths)} ({', '.join(paths[:3])}{', …' if len(paths) > 3 else ''})"
        for label, paths in (("added", added), ("changed", changed), ("removed", removed))
        if paths
    ]
    return "; ".join(parts)


@dg.sensor(
    job=claimset_job,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Launches claimset_job when raw files are added, changed or removed.",
)
def raw_files_sensor(context: dg.SensorEvaluationContext, claimset: ClaimsetConfig):
    """Compare the raw directory with the state stored in the cursor (path -> mtime and size);
    request one run when they differ. The cursor lives in the Dagster instance, so it survives
    restarts; no run is requested while nothing changed."""
    raw_dir = claimset.raw_path()
    if not raw_dir.is_dir():
        return dg.SkipReason(f"raw directory {raw_dir} does not exist")
    before = json.loads(context.cursor) if context.cursor else {}
    after = raw_dir_state(raw_dir)
    if after == before:
        return dg.SkipReason(f"no changes under {raw_dir}")
    cursor = json.dumps(after, sort_keys=True)
    changes = describe_changes(before, after)
    context.log.info(f"raw files changed: {changes}")
    return dg.SensorResult(
        run_requests=[
            # No run_key: Dagster never re-runs a key it has seen, so going back to an
            # earlier set of files would be ignored. The cursor already prevents repeats.
            dg.RunRequest(tags={"claimset/changes": changes[:200]})
        ],
        cursor=cursor,
    )
