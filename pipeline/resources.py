"""Dagster resources: where claimset reads raw files and writes its data."""

import os
from pathlib import Path

import dagster as dg

from pipeline.settings import DATASET_NAME, LABELS_ENV, resolve_data_dir, resolve_raw_dir
from pipeline.store import DatasetStore


class ClaimsetConfig(dg.ConfigurableResource):
    """Locations used by every claimset asset, sensor and schedule.

    Leave a field empty to use ``$CLAIMSET_RAW_DIR`` / ``$CLAIMSET_DATA_DIR``, or else the
    repository's ``data/raw`` and ``data`` directories.
    """

    raw_dir: str | None = None
    data_dir: str | None = None
    dataset: str = DATASET_NAME
    labels_path: str | None = None
    """JSON Lines of ``{"text", "label"}`` to train the claim model on; empty (and no
    ``$CLAIMSET_LABELS``) means the rules alone tag claims."""

    def raw_path(self) -> Path:
        """The directory whose files are the pipeline's inputs."""
        return resolve_raw_dir(self.raw_dir)

    def data_path(self) -> Path:
        """The directory holding intermediate assets and published datasets."""
        return resolve_data_dir(self.data_dir)

    def labels(self) -> Path | None:
        """The labelled training data for the claim model, or None for rule mode."""
        chosen = self.labels_path or os.environ.get(LABELS_ENV)
        return Path(chosen).expanduser().resolve() if chosen else None

    def store(self) -> DatasetStore:
        """The versioned store the release asset publishes to."""
        return DatasetStore.in_data_dir(self.data_path(), self.dataset)
