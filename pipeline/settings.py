"""Where claimset reads raw files and writes data: explicit value, then environment, then default.

The defaults point into the repository (``data/raw`` and ``data``) so that ``make run`` works on a
fresh clone; ``CLAIMSET_RAW_DIR`` and ``CLAIMSET_DATA_DIR`` override them for every entry point
(CLI, Dagster UI, schedules and sensors).
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlparse

PROJECT_ROOT = Path(__file__).resolve().parents[1]
RAW_DIR_ENV = "CLAIMSET_RAW_DIR"
DATA_DIR_ENV = "CLAIMSET_DATA_DIR"
LABELS_ENV = "CLAIMSET_LABELS"
PUBLISH_URI_ENV = "CLAIMSET_PUBLISH_URI"
DATASET_NAME = "claimset"


def resolve_raw_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Return the raw-document directory: ``explicit``, else ``$CLAIMSET_RAW_DIR``, else
    ``<repo>/data/raw``. The path is made absolute but not required to exist."""
    return _resolve(explicit, RAW_DIR_ENV, PROJECT_ROOT / "data" / "raw")


def resolve_data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Return the data directory (intermediate assets and published datasets): ``explicit``,
    else ``$CLAIMSET_DATA_DIR``, else ``<repo>/data``. Absolute, not required to exist."""
    return _resolve(explicit, DATA_DIR_ENV, PROJECT_ROOT / "data")


def _resolve(explicit: str | os.PathLike[str] | None, env: str, default: Path) -> Path:
    chosen = str(explicit or os.environ.get(env) or default)
    return local_path(chosen).expanduser().resolve()


def local_path(location: str) -> Path:
    """``location`` as a local path: a plain path, or a ``file://`` URI. Other URIs raise
    ``ValueError``: the raw and data directories need a POSIX filesystem (local or a shared
    mount); publish to object storage with ``CLAIMSET_PUBLISH_URI`` instead."""
    parsed = urlparse(location)
    if parsed.scheme == "file":
        if parsed.netloc not in ("", "localhost"):
            raise ValueError(f"{location!r}: file URIs must name a local path")
        return Path(unquote(parsed.path))
    if len(parsed.scheme) > 1:  # one letter would be a Windows drive
        raise ValueError(
            f"{location!r}: the raw and data directories must be local or mounted paths "
            "(or file:// URIs); to put published versions on object storage set "
            f"{PUBLISH_URI_ENV} (see README, 'Scaling out')"
        )
    return Path(location)
