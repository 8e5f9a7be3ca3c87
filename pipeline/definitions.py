"""The claimset Dagster code location: assets, checks, job, schedule, sensor and resources."""

import dagster as dg

from assets.checks import SCHEMA_CHECKS
from assets.claim_model import claim_model
from assets.claims import claims
from assets.clean_documents import clean_documents
from assets.corpus_summary import corpus_summary
from assets.raw_documents import raw_documents
from assets.release import claimset_release
from assets.sentences import sentences
from pipeline.io_manager import ParquetIOManager
from pipeline.jobs import claimset_job
from pipeline.resources import ClaimsetConfig, ComputeBackend
from pipeline.schedules import daily_claimset
from pipeline.sensors import raw_files_sensor

ASSETS = [
    raw_documents,
    clean_documents,
    sentences,
    claim_model,
    claims,
    claimset_release,
    corpus_summary,
]
"""Every asset of the chain, upstream first."""


def build_resources(
    config: ClaimsetConfig | None = None, compute: ComputeBackend | None = None
) -> dict[str, object]:
    """The resources every claimset asset needs, all pointing at the same locations, with
    per-shard work on ``compute`` (default: a local process pool)."""
    config = config or ClaimsetConfig()
    return {
        "claimset": config,
        "compute": compute or ComputeBackend(),
        "io_manager": ParquetIOManager(claimset=config),
    }


defs = dg.Definitions(
    assets=ASSETS,
    asset_checks=SCHEMA_CHECKS,
    jobs=[claimset_job],
    schedules=[daily_claimset],
    sensors=[raw_files_sensor],
    resources=build_resources(),
    # Text stages are small and fast: one process per run beats a subprocess per step on
    # a two-core machine.
    executor=dg.in_process_executor,
)
