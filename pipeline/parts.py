"""The stage cache: immutable Parquet part files and stage results under ``<data_dir>/cache``.

Layout::

    cache/parts/<k2>/<key>-<table>.parquet   one table of one shard, written once
    cache/results/<stage>/<k2>/<key>.json    what a stage produced for one shard

``key`` is a digest of everything the output depends on: the stage's code version and the
exact inputs (file contents, or the sha256 of the upstream part files). So a result found under
its key is the result the stage would compute now, and a re-run recomputes only the shards whose
inputs or code changed. Part files are written to a temporary name and renamed into place, and
never modified afterwards: published versions hard-link them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.atomic import write_atomically, write_text_atomically
from pipeline.store import Part, sha256_file


def cache_key(*parts: object) -> str:
    """A sha256 hex digest of ``parts`` (JSON-serialisable values), used as a cache key."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


class PartCache:
    """Read and write the stage cache rooted at ``root``."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def part_path(self, key: str, table: str) -> Path:
        """Where the part of ``table`` produced under ``key`` lives."""
        return self.root / "parts" / key[:2] / f"{key}-{table}.parquet"

    def write_part(self, table: pa.Table, key: str, name: str) -> Part:
        """Write ``table`` as the part ``name`` of ``key`` (zstd, page checksums; atomically)
        and return it with its row count, size and sha256."""
        path = self.part_path(key, name)

        def write(temporary: Path) -> None:
            pq.write_table(table, temporary, compression="zstd", write_page_checksum=True)
            # Published versions hard-link this file: make accidental in-place edits fail.
            os.chmod(temporary, 0o444)

        write_atomically(path, write)
        return Part(
            path=str(path),
            rows=table.num_rows,
            bytes=path.stat().st_size,
            sha256=sha256_file(path),
        )

    def load_result(self, stage: str, key: str) -> dict[str, Any] | None:
        """The result saved for ``stage`` under ``key``, or None when there is none or one of
        its part files has gone (then the stage runs again)."""
        try:
            result = json.loads(self._result_path(stage, key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        parts = result.get("parts", {})
        if not all(Path(part["path"]).is_file() for part in parts.values()):
            return None
        return result

    def save_result(self, stage: str, key: str, result: dict[str, Any]) -> None:
        """Record ``result`` (JSON-ready; ``parts`` maps names to :class:`Part` or dicts) as
        what ``stage`` produced under ``key``."""
        write_text_atomically(self._result_path(stage, key), json.dumps(result, default=_plain))

    def collect_garbage(self, keep: set[str]) -> tuple[int, int]:
        """Delete every part file whose path is not in ``keep``, and every stage result and
        reuse record (``latest/``) that names such a part; return ``(parts removed, bytes
        freed)``.

        Published versions hold hard links to their parts, so they keep their data; a later
        run recomputes what it needs. The caller must make sure no run writes to the cache
        meanwhile (hold the data directory's run lock)."""
        removed, freed = 0, 0
        for path in sorted((self.root / "parts").glob("*/*.parquet")):
            if str(path) not in keep:
                freed += path.stat().st_size
                path.unlink(missing_ok=True)
                removed += 1
        for path in sorted((self.root / "results").glob("*/*/*.json")):
            try:
                parts = json.loads(path.read_text(encoding="utf-8")).get("parts", {})
            except (OSError, ValueError):
                parts = {"unreadable": {"path": ""}}
            if not all(entry["path"] in keep for entry in parts.values()):
                path.unlink(missing_ok=True)
        # Records of earlier runs' outputs (pipeline.reuse) of code that no longer runs.
        for path in sorted((self.root / "latest").glob("*.json")):
            try:
                listed = json.loads(path.read_text(encoding="utf-8"))
                paths = [entry["path"] for item in listed for entry in item["parts"].values()]
            except (OSError, ValueError, TypeError, KeyError):
                paths = [""]
            if not all(part in keep for part in paths):
                path.unlink(missing_ok=True)
        return removed, freed

    def _result_path(self, stage: str, key: str) -> Path:
        return self.root / "results" / stage / key[:2] / f"{key}.json"


def part_from_dict(entry: dict[str, Any]) -> Part:
    """The :class:`Part` saved as ``entry`` in a result."""
    return Part(
        path=entry["path"], rows=entry["rows"], bytes=entry["bytes"], sha256=entry["sha256"]
    )


def _plain(value: object) -> object:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")
