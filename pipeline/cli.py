"""The ``claimset`` command: run the pipeline in-process and list published versions."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

import dagster as dg

from pipeline.diff import diff_published, render_diff
from pipeline.io_manager import RUN_LOCK, referenced_parts
from pipeline.locking import exclusive_lock
from pipeline.progress import BAR_ENV
from pipeline.resources import ClaimsetConfig, ComputeBackend


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``claimset`` console script; returns the process exit code."""
    parser = argparse.ArgumentParser(prog="claimset", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="materialize every asset and publish a version")
    versions = commands.add_parser("versions", help="list published dataset versions")
    verify = commands.add_parser("verify", help="check a version's files against its manifest")
    verify.add_argument("version", nargs="?", help="version to check (default: latest)")
    diff = commands.add_parser("diff", help="what changed between two versions")
    diff.add_argument("version_a", help="the older version, e.g. v0001")
    diff.add_argument("version_b", nargs="?", default="latest", help="the newer (default latest)")
    diff.add_argument("--json", action="store_true", help="print machine-readable JSON")
    prune = commands.add_parser(
        "prune", help="delete old versions (keeping the newest N) and unused cache files"
    )
    prune.add_argument("--keep", type=int, required=True, help="how many versions to keep (>= 1)")
    for sub in (run, versions, verify, diff, prune):
        sub.add_argument("--data-dir", help="data directory (default $CLAIMSET_DATA_DIR or data/)")
    run.add_argument(
        "--labels",
        help="labelled JSON Lines ({text, label}) to train the claim model on "
        "(default $CLAIMSET_LABELS; none: rules only)",
    )
    run.add_argument(
        "--raw-dir", help="raw input directory (default $CLAIMSET_RAW_DIR or data/raw/)"
    )
    run.add_argument(
        "--backend",
        choices=["local", "serial", "dask"],
        help="where per-shard work runs (default $CLAIMSET_BACKEND or local)",
    )
    run.add_argument("--workers", type=int, help="local worker processes (default: one per core)")
    run.add_argument(
        "--scheduler", help="Dask scheduler address for --backend dask (tcp://host:8786)"
    )
    run.add_argument(
        "--publish-uri",
        help="also copy the version to this URI, e.g. s3://bucket/claimset "
        "(default $CLAIMSET_PUBLISH_URI; none: local only)",
    )
    versions.add_argument("--json", action="store_true", help="print machine-readable JSON")
    args = parser.parse_args(argv)
    if args.command == "run":
        return run_pipeline(
            ClaimsetConfig(
                raw_dir=args.raw_dir,
                data_dir=args.data_dir,
                labels_path=args.labels,
                publish_uri=args.publish_uri,
            ),
            ComputeBackend(
                kind=args.backend, workers=args.workers, scheduler_address=args.scheduler
            ),
        )
    if args.command == "verify":
        return verify_version(ClaimsetConfig(data_dir=args.data_dir), args.version)
    if args.command == "diff":
        config = ClaimsetConfig(data_dir=args.data_dir)
        return diff_versions(config, args.version_a, args.version_b, as_json=args.json)
    if args.command == "prune":
        return prune_versions(ClaimsetConfig(data_dir=args.data_dir), args.keep)
    return list_versions(ClaimsetConfig(data_dir=args.data_dir), as_json=args.json)


def run_pipeline(config: ClaimsetConfig, compute: ComputeBackend | None = None) -> int:
    """Materialize every asset and check in this process (per-shard work on ``compute``);
    print what happened and, last, the path of the version that holds the data. Returns 0 on
    success, 1 on any failure."""
    from assets.checks import SCHEMA_CHECKS
    from pipeline.definitions import ASSETS, build_resources

    instance = dg.DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else None
    if sys.stderr.isatty():
        os.environ[BAR_ENV] = "1"
    print(f"claimset: raw files from {config.raw_path()}", file=sys.stderr)
    result = dg.materialize(
        [*ASSETS, *SCHEMA_CHECKS],
        resources=build_resources(config, compute),
        instance=instance,
        raise_on_error=False,
        run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
        tags={"claimset/dataset": config.dataset, "claimset/launched_by": "cli"},
    )
    failed_checks = [
        evaluation for evaluation in result.get_asset_check_evaluations() if not evaluation.passed
    ]
    for evaluation in failed_checks:
        print(
            f"check failed: {evaluation.check_name} on {evaluation.asset_key.to_user_string()}",
            file=sys.stderr,
        )
        if evaluation.description:
            print(evaluation.description, file=sys.stderr)
    if not result.success or failed_checks:
        for event in result.all_events:
            if event.is_step_failure and event.step_failure_data.error is not None:
                print(
                    f"step {event.step_key} failed: {event.step_failure_data.error.message}",
                    file=sys.stderr,
                )
        print("claimset: run failed, nothing published", file=sys.stderr)
        return 1
    release = _release_metadata(result)
    if release["published"]:
        print(f"claimset: published {release['version']}", file=sys.stderr)
    else:
        print(
            f"claimset: inputs and code unchanged, no new version ({release['version']} is "
            "up to date)",
            file=sys.stderr,
        )
    print(release["path"])
    return 0


def list_versions(config: ClaimsetConfig, *, as_json: bool) -> int:
    """Print every published version with its creation time and row counts (or JSON)."""
    store = config.store()
    versions = store.versions()
    latest = store.latest()
    if as_json:
        rows = [
            {
                "version": version.name,
                "path": str(version.path),
                "latest": latest is not None and version.name == latest.name,
                "created_at": version.manifest.get("created_at"),
                "row_counts": version.manifest.get("row_counts", {}),
                "input_fingerprint": version.manifest.get("input_fingerprint"),
            }
            for version in versions
        ]
        print(json.dumps(rows, indent=2))
        return 0
    if not versions:
        print(f"no published versions in {store.root}")
        return 0
    for version in versions:
        counts = version.manifest.get("row_counts", {})
        marker = "*" if latest is not None and version.name == latest.name else " "
        summary = ", ".join(f"{table} {rows}" for table, rows in counts.items())
        print(f"{marker} {version.name}  {version.manifest.get('created_at', '?')}  {summary}")
    return 0


def verify_version(config: ClaimsetConfig, name: str | None) -> int:
    """Check ``name`` (default latest) against its manifest checksums; print every damaged
    file. Returns 0 when intact, 1 when damaged, 2 when there is no such version."""
    store = config.store()
    try:
        version = store.get(name)
        problems = store.verify(version.name)
    except LookupError as error:
        print(f"claimset: {error}", file=sys.stderr)
        return 2
    for problem in problems:
        print(f"damaged: {problem}")
    if problems:
        return 1
    print(f"{version.name}: {len(version.manifest.get('files', {}))} files match the manifest")
    return 0


def diff_versions(config: ClaimsetConfig, name_a: str, name_b: str, *, as_json: bool) -> int:
    """Print what changed from version ``name_a`` to ``name_b``: documents added, removed and
    changed, sentences added and removed, claims whose tags changed, with examples. Returns 2
    when a version does not exist."""
    store = config.store()
    try:
        version_a, version_b = store.get(name_a), store.get(name_b)
    except LookupError as error:
        print(f"claimset: {error}", file=sys.stderr)
        return 2
    changes = diff_published(version_a, version_b)
    if as_json:
        print(json.dumps({"from": version_a.name, "to": version_b.name, **changes}, indent=2))
    else:
        print(render_diff(changes, version_a.name, version_b.name))
    return 0


def prune_versions(config: ClaimsetConfig, keep: int) -> int:
    """Delete all but the newest ``keep`` versions (never the latest, never one being read),
    then the stage-cache files the latest run's assets do not use. Waits for a running
    pipeline on the same data directory to finish first."""
    try:
        removed = config.store().prune(keep)
    except ValueError as error:
        print(f"claimset: {error}", file=sys.stderr)
        return 2
    print(f"removed {len(removed)} versions" + (f": {', '.join(removed)}" if removed else ""))
    data_dir = config.data_path()

    def report_wait(message: str) -> None:
        print(f"claimset: {message}", file=sys.stderr, flush=True)

    with exclusive_lock(data_dir / RUN_LOCK, on_wait=report_wait):
        parts, freed = config.cache().collect_garbage(referenced_parts(data_dir))
    print(f"removed {parts} unused cache files ({freed / 1e6:.1f} MB)")
    return 0


def _release_metadata(result: dg.ExecuteInProcessResult) -> dict[str, object]:
    for event in result.get_asset_materialization_events():
        materialization = event.event_specific_data.materialization
        if materialization.asset_key == dg.AssetKey("claimset_release"):
            metadata = materialization.metadata
            return {
                "version": metadata["version"].value,
                "published": metadata["published"].value,
                "path": metadata["path"].value,
            }
    raise RuntimeError("the run succeeded but claimset_release was not materialized")


if __name__ == "__main__":
    sys.exit(main())
