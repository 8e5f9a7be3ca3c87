"""Immutable, versioned Parquet datasets on the local filesystem.

Layout under ``<data_dir>/datasets/<name>/``::

    v0001/                 one directory per published version, never modified afterwards
        documents/         one directory per table holding its part files, in order:
            part-00000.parquet   plain Parquet (zstd, page checksums); the parts of a table
            part-00001.parquet   share its schema, and an empty table has one empty part
        sentences/ claims/ rejects/
        manifest.json      version, created_at, run id, code version, input fingerprint,
                           row counts, the part files of each table, sha256 and size of every
                           file, schema version
    LATEST                 the name of the newest version ("v0001"), replaced atomically
    _staging/              versions being written; moved into place with one rename
    .lock                  held (flock) by the one process publishing at a time

Part files already written by the shard cache (:class:`Part`) are hard-linked into a version,
not re-encoded, so publishing a version that shares most of its data with the previous one
costs little. Versions written before this layout hold one ``<table>.parquet`` per table; they
stay readable (:meth:`Version.table_files`).

A version becomes visible only through ``rename(_staging/<tmp>, vNNNN)``, after every file and
its manifest are written and fsynced, so readers never see a partial version and a crash never
touches earlier versions. Leftover staging directories are removed by the next publisher.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import re
import shutil
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from pipeline.atomic import fsync_dir, fsync_file, write_text_atomically
from pipeline.locking import exclusive_lock
from pipeline.settings import DATASET_NAME, resolve_data_dir
from pipeline.tables import TABLE_SCHEMAS, to_pandas

PAUSE_ENV = "CLAIMSET_PAUSE_AT"
"""Fault-injection hook for the crash tests: a comma-separated list of publish steps
(``tables_written``, ``before_commit``, ``before_latest``) at which a publisher announces
``claimset: paused at <step>`` on stderr and sleeps, so a test can kill it there."""

MANIFEST = "manifest.json"
LATEST = "LATEST"
_VERSION_DIR = re.compile(r"^v(\d{4,})$")
_LINK_FAILURES = {errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP}
"""``os.link`` errors after which a part is copied instead (other filesystem, no hard links)."""


@dataclass(frozen=True)
class Part:
    """An immutable Parquet file already written (by the shard cache) that becomes one file of a
    published table. ``path`` is a local absolute path; ``rows``, ``bytes`` and ``sha256`` describe
    the file as written, and publishing trusts them (only its size is checked) so the file is
    never re-read or re-encoded."""

    path: str
    rows: int
    bytes: int
    sha256: str


TableData = Sequence[Part] | pd.DataFrame
"""A table as the release code handles it: part files on disk, or a DataFrame in memory."""


def table_rows(data: TableData) -> int:
    """The number of rows of ``data``, without reading any part file."""
    if isinstance(data, pd.DataFrame):
        return len(data)
    return sum(part.rows for part in data)


def read_columns(data: TableData, columns: Sequence[str]) -> pd.DataFrame:
    """Only ``columns`` of ``data``, in row order, as pandas (dtypes as :func:`to_pandas` gives).

    Part files are read with pyarrow's column projection, so other columns are never decoded.
    An empty sequence of parts gives an empty frame with those column names.
    """
    if isinstance(data, pd.DataFrame):
        return data[list(columns)].reset_index(drop=True)
    if not data:
        return pd.DataFrame({name: [] for name in columns})
    table = ds.dataset([part.path for part in data], format="parquet").to_table(
        columns=list(columns)
    )
    return to_pandas(table)


def count_values(data: TableData, column: str) -> dict[Any, int]:
    """How often each value of ``column`` occurs in ``data`` (each element, for a list column;
    nulls are not counted), most frequent first. Part files are read one at a time and only
    that column, so memory stays at one part's column whatever the table's size."""
    counts: Counter[Any] = Counter()
    if isinstance(data, pd.DataFrame):
        values = data[column]
        if values.map(lambda value: isinstance(value, list | tuple | np.ndarray)).any():
            values = values.explode()
        counts.update(values.dropna().tolist())
    else:
        for part in data:
            array = pq.read_table(part.path, columns=[column])[column]
            if pa.types.is_list(array.type) or pa.types.is_large_list(array.type):
                array = pc.list_flatten(array)
            for entry in pc.value_counts(array.drop_null()).to_pylist():
                counts[entry["values"]] += entry["counts"]
    return dict(counts.most_common())


@dataclass(frozen=True)
class Version:
    """A published dataset version: its name (``v0001``), number, directory and manifest."""

    name: str
    number: int
    path: Path
    manifest: dict[str, Any]

    def table_path(self, table: str) -> Path:
        """Where ``table`` lives in this version: its directory of part files, or for a version
        written in the old one-file layout, its ``<table>.parquet`` file. Both can be passed to
        ``pd.read_parquet`` or ``pyarrow.dataset.dataset``."""
        if "tables" in self.manifest:
            return self.path / table
        return self.path / f"{table}.parquet"

    def table_files(self, table: str) -> list[Path]:
        """The Parquet files of ``table`` in this version, in order (one file in the old
        layout). Raises ``KeyError`` when the version has no such table."""
        if "tables" in self.manifest:
            if table not in self.manifest["tables"]:
                raise KeyError(f"no table {table!r} in {self.name}")
            return [self.path / name for name in self.manifest["tables"][table]["files"]]
        if table not in self.manifest.get("row_counts", {}):
            raise KeyError(f"no table {table!r} in {self.name}")
        return [self.table_path(table)]

    def parts(self, table: str) -> list[Part]:
        """The files of ``table`` as :class:`Part` values (rows, size and sha256 as the manifest
        records them, not re-read), in order. Raises ``KeyError`` for an unknown table."""
        listed = self.manifest["files"]
        parts = []
        for path in self.table_files(table):
            entry = listed[path.relative_to(self.path).as_posix()]
            parts.append(Part(str(path), entry["rows"], entry["bytes"], entry["sha256"]))
        return parts


Attachments = Callable[[str, "Version | None"], Mapping[str, bytes]]
"""Builds the extra files of a version from its name and the version before it."""


@dataclass(frozen=True)
class PublishResult:
    """What :meth:`DatasetStore.publish` did: the version that now holds the data, and whether
    it was created by this call (False: the latest version already had the same fingerprint)."""

    version: Version
    created: bool


class DatasetStore:
    """Publish and read immutable versions of one dataset under ``root``."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    @classmethod
    def in_data_dir(cls, data_dir: str | os.PathLike[str], name: str) -> DatasetStore:
        """The store of dataset ``name`` inside a claimset data directory."""
        return cls(Path(data_dir) / "datasets" / name)

    def versions(self) -> list[Version]:
        """Every complete published version, oldest first. A directory without a readable
        manifest (which publishing never leaves behind) is not a version."""
        if not self.root.is_dir():
            return []
        found = []
        for entry in self.root.iterdir():
            match = _VERSION_DIR.match(entry.name)
            if not match or not entry.is_dir():
                continue
            try:
                manifest = json.loads((entry / MANIFEST).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            found.append(Version(entry.name, int(match.group(1)), entry, manifest))
        return sorted(found, key=lambda version: version.number)

    def latest(self) -> Version | None:
        """The version named by ``LATEST``, else the highest complete version, else None."""
        versions = self.versions()
        try:
            pointed = (self.root / LATEST).read_text(encoding="utf-8").strip()
        except OSError:
            pointed = ""
        by_name = {version.name: version for version in versions}
        if pointed in by_name:
            return by_name[pointed]
        return versions[-1] if versions else None

    def get(self, name: str | None = None) -> Version:
        """The version called ``name`` (``"v0003"``, ``"3"``, or None/"latest" for the latest).

        Raises ``LookupError`` when there is no such version.
        """
        if name in (None, "latest"):
            latest = self.latest()
            if latest is None:
                raise LookupError(f"no published version in {self.root}")
            return latest
        wanted = int(name.lstrip("v")) if name.lstrip("v").isdigit() else -1
        for version in self.versions():
            if version.number == wanted:
                return version
        raise LookupError(f"no version {name!r} in {self.root}")

    def verify(self, name: str | None = None) -> list[str]:
        """Check every file of version ``name`` (default latest) against its manifest.

        Returns one message per problem (a missing, resized or altered file, or a Parquet file
        anywhere in the version that the manifest does not list); an empty list means the
        version is intact. Every listed file is re-hashed. Raises ``LookupError`` for an unknown
        version.
        """
        version = self.get(name)
        problems = []
        listed = version.manifest.get("files", {})
        for file_name, entry in sorted(listed.items()):
            path = version.path / file_name
            if not path.is_file():
                problems.append(f"{version.name}/{file_name}: missing")
            elif path.stat().st_size != entry["bytes"]:
                problems.append(
                    f"{version.name}/{file_name}: size {path.stat().st_size} bytes, "
                    f"manifest says {entry['bytes']}"
                )
            elif sha256_file(path) != entry["sha256"]:
                problems.append(f"{version.name}/{file_name}: sha256 differs from the manifest")
        for path in sorted(version.path.rglob("*.parquet")):
            relative = path.relative_to(version.path).as_posix()
            if relative not in listed:
                problems.append(f"{version.name}/{relative}: not listed in the manifest")
        return problems

    def read_table(
        self, table: str, version: str | None = None, columns: Sequence[str] | None = None
    ) -> pd.DataFrame:
        """Load ``table`` of ``version`` (default latest) as a pandas DataFrame, all its parts in
        order; only ``columns`` when given."""
        dataset = self.arrow_dataset(table, version)
        return to_pandas(dataset.to_table(columns=list(columns) if columns else None))

    def arrow_dataset(self, table: str, version: str | None = None) -> ds.Dataset:
        """``table`` of ``version`` (default latest) as a lazy ``pyarrow.dataset.Dataset`` over
        its part files."""
        files = self.get(version).table_files(table)
        return ds.dataset([str(path) for path in files], format="parquet")

    def duckdb(self, table: str, version: str | None = None, connection: Any | None = None) -> Any:
        """``table`` of ``version`` (default latest) as a DuckDB relation over its part files
        (needs ``duckdb``)."""
        import duckdb

        connection = connection if connection is not None else duckdb.connect()
        files = self.get(version).table_files(table)
        return connection.read_parquet([str(path) for path in files])

    @contextmanager
    def reading(self, version: str | None = None) -> Iterator[Version]:
        """Hold a shared read lock on ``version`` (default latest) for the ``with`` block, so
        :meth:`prune` leaves it alone. On a read-only store the lock is skipped."""
        chosen = self.get(version)
        try:
            (self.root / ".readers").mkdir(exist_ok=True)
            handle = open(self.root / ".readers" / f"{chosen.name}.lock", "a+")  # noqa: SIM115
        except OSError:
            yield chosen
            return
        with handle:
            fcntl.flock(handle, fcntl.LOCK_SH)
            yield chosen

    def prune(self, keep: int) -> list[str]:
        """Delete all but the newest ``keep`` versions (``keep >= 1``); return the names removed.

        Never removes the latest version, nor one that a reader holds through
        :meth:`reading`. Each removed version first disappears from view with one rename,
        so a reader never sees it half deleted. Part files shared with other versions (hard
        links) stay as long as any version or the shard cache still links them.
        """
        if keep < 1:
            raise ValueError("keep must be at least 1: the latest version is never pruned")
        removed: list[str] = []
        with exclusive_lock(self.root / ".lock"):
            self._recover()
            latest = self.latest()
            candidates = self.versions()[:-keep]
            for version in candidates:
                if latest is not None and version.name == latest.name:
                    continue
                if not self._retire(version):
                    continue
                removed.append(version.name)
        return removed

    def _retire(self, version: Version) -> bool:
        readers = self.root / ".readers"
        readers.mkdir(exist_ok=True)
        with open(readers / f"{version.name}.lock", "a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            graveyard = self.root / "_staging" / f"pruned-{version.name}-{uuid.uuid4().hex[:8]}"
            graveyard.parent.mkdir(exist_ok=True)
            os.rename(version.path, graveyard)
            fsync_dir(self.root)
            shutil.rmtree(graveyard, ignore_errors=True)
        (readers / f"{version.name}.lock").unlink(missing_ok=True)
        return True

    def publish(
        self,
        tables: Mapping[str, Sequence[Part] | pa.Table],
        *,
        fingerprint: str,
        provenance: Mapping[str, str],
        attachments: Attachments | None = None,
    ) -> PublishResult:
        """Write ``tables`` as a new version, unless the latest version has ``fingerprint``.

        Each table becomes the directory ``<table>/`` of the version, holding
        ``part-00000.parquet``, ``part-00001.parquet``, ... in the given order. A ``pa.Table``
        is written as one part (zstd, page checksums). :class:`Part` files are hard-linked
        (copied when linking fails, e.g. across filesystems), never re-encoded; each must have
        the size it claims, or ``ValueError`` is raised and nothing is published. Their sha256
        goes into the manifest as given (:meth:`verify` re-hashes). An empty sequence of parts
        gives one empty part with the table's schema from :mod:`pipeline.tables`.

        ``fingerprint`` identifies inputs plus code; ``provenance`` (run id, code version, ...)
        is stored in the manifest and in the key-value metadata of the parts written here
        (linked parts are stored as the cache wrote them).
        ``attachments(version_name, previous_version)`` returns extra files (a dataset card,
        a changelog, charts) to store in the version; they are checksummed in the manifest
        like the tables. Holds an exclusive lock for the whole call, so concurrent publishers
        get consecutive versions. The new version is visible only once complete; on any error
        nothing becomes visible and earlier versions are untouched.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        with exclusive_lock(self.root / ".lock"):
            self._recover()
            latest = self.latest()
            if latest is not None and latest.manifest.get("input_fingerprint") == fingerprint:
                return PublishResult(latest, created=False)
            number = max((v.number for v in self.versions()), default=0) + 1
            name = f"v{number:04d}"
            staging = self.root / "_staging" / f"{name}-{uuid.uuid4().hex[:8]}"
            staging.mkdir(parents=True)
            try:
                extra = attachments(name, latest) if attachments is not None else {}
                manifest = self._write_version(
                    staging, name, tables, fingerprint, provenance, extra
                )
                _pause_point("before_commit")
                final = self.root / name
                os.rename(staging, final)
                fsync_dir(self.root)
                _pause_point("before_latest")
                self._point_latest_to(name)
            finally:
                if staging.exists():
                    shutil.rmtree(staging, ignore_errors=True)
            return PublishResult(Version(name, number, final, manifest), created=True)

    def _write_version(
        self,
        staging: Path,
        name: str,
        tables: Mapping[str, Sequence[Part] | pa.Table],
        fingerprint: str,
        provenance: Mapping[str, str],
        attachments: Mapping[str, bytes],
    ) -> dict[str, Any]:
        created_at = datetime.now(UTC).isoformat(timespec="seconds")
        stamp = {
            "version": name,
            "created_at": created_at,
            "input_fingerprint": fingerprint,
            **provenance,
        }
        files: dict[str, dict[str, Any]] = {}
        table_entries: dict[str, dict[str, Any]] = {}
        for table_name, data in tables.items():
            directory = staging / table_name
            directory.mkdir()
            if isinstance(data, pa.Table):
                sources: Sequence[Part | pa.Table] = [data]
            elif data:
                sources = data
            else:
                sources = [_empty_table(table_name)]
            relatives = []
            for index, source in enumerate(sources):
                path = directory / f"part-{index:05d}.parquet"
                if isinstance(source, Part):
                    entry = _link_part(source, path)
                else:
                    entry = _write_part(source, path, {**stamp, "table": table_name})
                relative = path.relative_to(staging).as_posix()
                files[relative] = {"table": table_name, **entry}
                relatives.append(relative)
            fsync_dir(directory)
            _pause_point("tables_written")
            table_entries[table_name] = {
                "rows": sum(files[relative]["rows"] for relative in relatives),
                "files": relatives,
            }
        for file_name, content in attachments.items():
            path = staging / file_name
            if Path(file_name).parts[0] in table_entries or file_name in files:
                raise ValueError(f"attachment {file_name!r} collides with a table's files")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
            fsync_file(path)
            files[file_name] = {
                "table": None,
                "rows": None,
                "bytes": len(content),
                "sha256": hashlib.sha256(content).hexdigest(),
            }
        manifest = {
            **stamp,
            "row_counts": {table: entry["rows"] for table, entry in table_entries.items()},
            "tables": table_entries,
            "files": files,
        }
        manifest_path = staging / MANIFEST
        manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True), "utf-8")
        fsync_file(manifest_path)
        fsync_dir(staging)
        return manifest

    def _point_latest_to(self, name: str) -> None:
        write_text_atomically(self.root / LATEST, name + "\n", durable=True)

    def _recover(self) -> None:
        # Only the lock holder writes, so anything staged before we got the lock is debris
        # from an interrupted publisher. A publisher killed between its commit rename and the
        # pointer update leaves a complete version that LATEST does not name yet: finish that.
        shutil.rmtree(self.root / "_staging", ignore_errors=True)
        for leftover in self.root.glob(f".{LATEST}.*"):
            leftover.unlink(missing_ok=True)
        versions = self.versions()
        latest = self.latest()
        if versions and latest is not None and latest.name != versions[-1].name:
            self._point_latest_to(versions[-1].name)


def _empty_table(table: str) -> pa.Table:
    if table not in TABLE_SCHEMAS:
        raise ValueError(f"no parts for table {table!r} and no known schema to write it empty")
    return TABLE_SCHEMAS[table].empty_table()


def _write_part(table: pa.Table, path: Path, stamp: Mapping[str, str]) -> dict[str, Any]:
    metadata = dict(table.schema.metadata or {})
    metadata[b"claimset"] = json.dumps(dict(stamp)).encode()
    pq.write_table(
        table.replace_schema_metadata(metadata),
        path,
        compression="zstd",
        write_page_checksum=True,
    )
    fsync_file(path)
    return {"rows": table.num_rows, "bytes": path.stat().st_size, "sha256": sha256_file(path)}


def _link_part(part: Part, path: Path) -> dict[str, Any]:
    try:
        os.link(part.path, path)
    except OSError as error:
        if error.errno not in _LINK_FAILURES:
            raise
        shutil.copyfile(part.path, path)
    size = path.stat().st_size
    if size != part.bytes:
        raise ValueError(f"part {part.path} has {size} bytes, not the {part.bytes} it claims")
    # The cache renames its files into place without fsync; make sure the data is durable
    # before the version that links it is committed.
    fsync_file(path)
    return {"rows": part.rows, "bytes": part.bytes, "sha256": part.sha256}


def _pause_point(step: str) -> None:
    if step in os.environ.get(PAUSE_ENV, "").split(","):
        print(f"claimset: paused at {step}", file=sys.stderr, flush=True)
        time.sleep(3600)


def sha256_file(path: str | os.PathLike[str]) -> str:
    """The sha256 hex digest of the file at ``path``, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def open_dataset(
    data_dir: str | os.PathLike[str] | None = None, name: str = DATASET_NAME
) -> DatasetStore:
    """The published claimset dataset under ``data_dir`` (default ``$CLAIMSET_DATA_DIR`` or
    the repository's ``data/``): list versions, load any table of any version as pandas, a
    pyarrow dataset or a DuckDB relation, ``latest`` by default."""
    return DatasetStore.in_data_dir(resolve_data_dir(data_dir), name)
