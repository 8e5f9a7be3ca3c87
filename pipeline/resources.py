"""Dagster resources: where claimset reads raw files and writes its data, and where the
per-shard work runs."""

import os
from pathlib import Path

import dagster as dg
from pydantic import PrivateAttr

from pipeline.compute import Backend, open_backend
from pipeline.parts import PartCache
from pipeline.settings import (
    DATASET_NAME,
    LABELS_ENV,
    PUBLISH_URI_ENV,
    resolve_data_dir,
    resolve_raw_dir,
)
from pipeline.shards import SHARD_BYTES
from pipeline.store import DatasetStore

BACKEND_ENV = "CLAIMSET_BACKEND"
WORKERS_ENV = "CLAIMSET_WORKERS"
SCHEDULER_ENV = "CLAIMSET_DASK_SCHEDULER"


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
    publish_uri: str | None = None
    """Where every published version is also copied for readers elsewhere: any pyarrow or
    fsspec URI (``s3://bucket/claimset``, ``gs://...``, ``file:///srv/claimset``); empty (and
    no ``$CLAIMSET_PUBLISH_URI``) means the local data directory only."""

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

    def mirror_uri(self) -> str | None:
        """The URI published versions are mirrored to, or None."""
        return self.publish_uri or os.environ.get(PUBLISH_URI_ENV) or None

    def store(self) -> DatasetStore:
        """The versioned store the release asset publishes to."""
        return DatasetStore.in_data_dir(self.data_path(), self.dataset)

    def cache(self) -> PartCache:
        """The stage cache (part files and per-shard results) under ``<data_dir>/cache``."""
        return PartCache(self.data_path() / "cache")


class ComputeBackend(dg.ConfigurableResource):
    """Where per-shard work runs (see :mod:`pipeline.compute`).

    ``kind``: ``local`` (a process pool on this machine, the default), ``serial`` (in the run
    process) or ``dask`` (a Dask distributed cluster at ``scheduler_address``). Empty fields
    fall back to ``$CLAIMSET_BACKEND``, ``$CLAIMSET_WORKERS`` and ``$CLAIMSET_DASK_SCHEDULER``.
    One backend serves the whole run and is closed at its end.
    """

    kind: str | None = None
    workers: int | None = None
    """Local worker processes; 0 or empty means one per core."""
    scheduler_address: str | None = None
    shard_bytes: int = SHARD_BYTES
    """Target input bytes per shard (the unit of parallel work, caching and part files)."""

    _backend: Backend | None = PrivateAttr(default=None)

    def backend(self) -> Backend:
        """The backend, opened on first use."""
        if self._backend is None:
            kind = self.kind or os.environ.get(BACKEND_ENV) or "local"
            workers = self.workers or int(os.environ.get(WORKERS_ENV) or 0)
            address = self.scheduler_address or os.environ.get(SCHEDULER_ENV)
            self._backend = open_backend(kind, workers, address)
        return self._backend

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._backend is not None:
            self._backend.close()
            self._backend = None
