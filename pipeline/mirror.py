"""Copy published versions to any filesystem a URI names: object storage (``s3://``,
``gs://``, ``abfs://``), HDFS, another local path (``file://``), or anything fsspec supports.

The local data directory keeps what needs POSIX semantics (the stage cache and its hard links,
locks, the atomic rename that commits a version); a mirror is where readers elsewhere find the
data. Object stores have no rename, so a mirrored version is committed by writing order
instead: every data file first, then ``manifest.json``, then ``LATEST``. A reader that starts
from ``LATEST`` (or from a version's manifest) therefore never sees a partial version; a
version directory without a manifest is an interrupted upload, which the next mirror run
completes. One writer per mirror is assumed: claimset runs are limited to one per dataset
(``dagster.yaml``), and each local publish holds the store's lock.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pyarrow.fs as pafs

from pipeline.store import LATEST, MANIFEST, Version


@dataclass(frozen=True)
class MirrorResult:
    """What :func:`mirror_version` did: the version's URI and how many files it uploaded
    (0 when the mirror already held the version)."""

    uri: str
    uploaded: int


def filesystem(uri: str) -> tuple[pafs.FileSystem, str]:
    """The pyarrow filesystem and base path of ``uri``: pyarrow's own filesystems (local,
    S3, GCS, Azure, HDFS) first, else any fsspec implementation wrapped for pyarrow. Raises
    ``ValueError`` for a URI neither understands."""
    try:
        return pafs.FileSystem.from_uri(uri)
    except (ValueError, TypeError, OSError, ImportError) as pyarrow_error:
        try:
            import fsspec
        except ImportError:
            raise ValueError(f"cannot open {uri!r}: {pyarrow_error}") from pyarrow_error
        try:
            spec, path = fsspec.core.url_to_fs(uri)
        except (ValueError, ImportError) as error:
            raise ValueError(f"cannot open {uri!r}: {error}") from error
        return pafs.PyFileSystem(pafs.FSSpecHandler(spec)), path


def mirror_version(version: Version, uri: str) -> MirrorResult:
    """Upload ``version`` to ``<uri>/<version name>/`` and point ``<uri>/LATEST`` at it.

    Files already in the mirror with the manifest's size are skipped, so an interrupted
    mirror resumes and re-mirroring is cheap. The manifest is written after every file it
    lists, and ``LATEST`` after the manifest. Raises ``ValueError`` when the mirror already
    holds a different version of the same name, ``OSError`` when the filesystem fails.
    """
    fs, base = filesystem(uri)
    base = base.rstrip("/")
    target = f"{base}/{version.name}"
    manifest_path = f"{target}/{MANIFEST}"
    uploaded = 0
    present = _read(fs, manifest_path)
    if present is not None and json.loads(present) != version.manifest:
        raise ValueError(
            f"{uri} already holds a different {version.name}; published versions are never "
            "overwritten (mirror this data directory to a new location)"
        )
    if present is None:
        fs.create_dir(target, recursive=True)
        for name, entry in sorted(version.manifest.get("files", {}).items()):
            destination = f"{target}/{name}"
            info = fs.get_file_info(destination)
            if info.type == pafs.FileType.File and info.size == entry["bytes"]:
                continue
            fs.create_dir(destination.rsplit("/", 1)[0], recursive=True)
            _upload(fs, str(version.path / name), destination)
            uploaded += 1
        manifest = json.dumps(version.manifest, indent=2, sort_keys=True).encode()
        _write(fs, manifest_path, manifest)
        uploaded += 1
    if _read(fs, f"{base}/{LATEST}") != version.name:
        _write(fs, f"{base}/{LATEST}", (version.name + "\n").encode())
    return MirrorResult(uri=f"{uri.rstrip('/')}/{version.name}", uploaded=uploaded)


def latest_in_mirror(uri: str) -> str | None:
    """The version name ``<uri>/LATEST`` names, or None when the mirror has none yet."""
    fs, base = filesystem(uri)
    return _read(fs, f"{base.rstrip('/')}/{LATEST}")


def _upload(fs: pafs.FileSystem, source: str, destination: str) -> None:
    with open(source, "rb") as reader, fs.open_output_stream(destination) as writer:
        for block in iter(lambda: reader.read(8 << 20), b""):
            writer.write(block)


def _write(fs: pafs.FileSystem, path: str, content: bytes) -> None:
    with fs.open_output_stream(path) as writer:
        writer.write(content)


def _read(fs: pafs.FileSystem, path: str) -> str | None:
    if fs.get_file_info(path).type != pafs.FileType.File:
        return None
    with fs.open_input_stream(path) as reader:
        return reader.read().decode("utf-8").strip() or None
