"""Dagster resources: where claimset reads raw files and writes its data."""

from pathlib import Path

import dagster as dg

from pipeline.settings import DATASET_NAME, resolve_data_dir, resolve_raw_dir
from pipeline.store import DatasetStore


class ClaimsetConfig(dg.ConfigurableResource):
    """Locations used by every claimset asset, sensor and schedule.

    Leave a field empty to use ``$CLAIMSET_RAW_DIR`` / ``$CLAIMSET_DATA_DIR``, or else the
    repository's ``data/raw`` and ``data`` directories.
    """

    raw_dir: str | None = None
    data_dir: str | None = None
    dataset: str = DATASET_NAME

    def raw_path(self) -> Path:
        """The directory whose files are the pipeline's inputs."""
        return resolve_raw_dir(self.raw_dir)

    def data_path(self) -> Path:
        """The directory holding intermediate assets and published datasets."""
        return resolve_data_dir(self.data_dir)

    def store(self) -> DatasetStore:
        """The versioned store the release asset publishes to."""
        return DatasetStore.in_data_dir(self.data_path(), self.dataset)
