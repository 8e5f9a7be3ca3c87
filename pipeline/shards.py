"""Plan the work: an inventory of the input files and its division into shards.

A shard is a run of input files, in path order, holding about :data:`SHARD_BYTES` of input.
It is the unit of parallel work, of caching and of the published part files. Shard boundaries
are content-defined: whether a shard ends after a file depends only on that file (a hash of its
path, and its size), never on its neighbours, so adding, removing or editing one file changes
the shard it is in and leaves every other shard, and so every other cache entry, untouched.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from pipeline.atomic import write_text_atomically
from pipeline.ingest import MAX_FILE_BYTES, list_inputs, path_key
from pipeline.store import sha256_file

SHARD_BYTES = 4_000_000
"""Target input bytes per shard: big enough that per-shard overheads vanish, small enough
that a worker's memory stays bounded (about 10 MB batches, as Arrow likes them)."""

SHARD_FILES = 2_000
"""Target files per shard when files are tiny, so no shard holds a huge number of them."""

MAX_SHARD_FACTOR = 4
"""A shard is cut anyway once it holds this many times :data:`SHARD_BYTES` (the one cut that
depends on the files before it; resizing a file can move such cuts up to the next
content-defined cut)."""

MEMO_SETTLE_NS = 2_000_000_000
"""Files modified less than this long before an inventory are hashed again next time."""


@dataclass(frozen=True)
class InputFile:
    """One entry of the raw directory: its path relative to the raw directory (POSIX form,
    undecodable bytes as surrogate escapes), size, modification time and ``content``: the
    sha256 of its bytes, or ``"unreadable:..."`` when it is not a regular readable file."""

    relative: str
    size: int
    mtime_ns: int
    content: str


@dataclass(frozen=True)
class Shard:
    """A run of input files processed, cached and published together."""

    index: int
    files: tuple[InputFile, ...]

    @property
    def bytes(self) -> int:
        """Total input bytes of the shard."""
        return sum(file.size for file in self.files)

    def key(self) -> str:
        """A digest of the shard's file paths and contents: equal keys, equal inputs."""
        payload = json.dumps([[f.relative, f.content] for f in self.files], ensure_ascii=True)
        return hashlib.sha256(payload.encode()).hexdigest()


def inventory(raw_dir: Path, memo_path: Path | None = None) -> list[InputFile]:
    """Every input under ``raw_dir`` (as :func:`pipeline.ingest.list_inputs` finds them), in
    path order, with the sha256 of each regular file's content.

    Like git's index, ``memo_path`` (a JSON file) remembers the hash of each file by its
    absolute path, size, mtime and inode, so unchanged files are not read again; new or
    changed files are hashed on several threads. A file that cannot be stat'ed or read, or is
    not a regular file, gets an ``unreadable:`` marker instead of a hash (ingestion then
    records why). Never raises for a bad input; a corrupt memo is ignored.
    """
    memo = _load_memo(memo_path)
    entries: list[tuple[str, Path, os.stat_result | None]] = []
    for path in list_inputs(raw_dir):
        try:
            info: os.stat_result | None = path.stat()
        except OSError:
            info = None
        entries.append((path_key(path.relative_to(raw_dir)), path, info))

    contents = [_remembered(info, memo.get(str(path))) for _, path, info in entries]
    unknown = [i for i, digest in enumerate(contents) if digest is None]
    if unknown:
        with ThreadPoolExecutor(max_workers=4) as pool:
            digests = pool.map(_hash, [entries[i][1] for i in unknown])
            for i, digest in zip(unknown, digests, strict=True):
                contents[i] = digest
    files = [
        InputFile(relative, info.st_size if info else 0, info.st_mtime_ns if info else 0, digest)
        for (relative, _, info), digest in zip(entries, contents, strict=True)
    ]
    if memo_path is not None:
        # Like git's "racily clean" rule: a file modified within the last moments could be
        # rewritten again with the same size and mtime, so its hash is not remembered.
        settled = time.time_ns() - MEMO_SETTLE_NS
        updated = {
            str(path): [info.st_size, info.st_mtime_ns, info.st_ino, digest]
            for (_, path, info), digest in zip(entries, contents, strict=True)
            if info is not None
            and not digest.startswith("unreadable:")
            and info.st_mtime_ns < settled
        }
        if updated != memo:
            write_text_atomically(memo_path, json.dumps(updated))
    return files


def current_content(path: Path) -> str:
    """What :func:`inventory` would record for the file at ``path`` now, without a memo: its
    sha256, or an ``unreadable:`` marker."""
    try:
        info: os.stat_result | None = path.stat()
    except OSError:
        info = None
    return _remembered(info, None) or _hash(path)


def _remembered(info: os.stat_result | None, known: list | None) -> str | None:
    """The content of a file with stat ``info``: its marker when it is not a readable regular
    file, its remembered hash when ``known`` (a memo entry) matches its size, mtime and
    inode, else None (it must be hashed)."""
    if info is None or not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE_BYTES:
        mode = "missing" if info is None else f"{stat.S_IFMT(info.st_mode):o}"
        return f"unreadable:{mode}:{info.st_size if info else 0}"
    if known and known[:3] == [info.st_size, info.st_mtime_ns, info.st_ino]:
        return str(known[3])
    return None


def _hash(path: Path) -> str:
    try:
        return sha256_file(path)
    except OSError as error:
        return f"unreadable:{type(error).__name__}"


def plan_shards(
    files: Sequence[InputFile], target_bytes: int = SHARD_BYTES, target_files: int = SHARD_FILES
) -> list[Shard]:
    """Divide ``files`` (in the given order) into consecutive shards of about
    ``target_bytes`` input bytes or ``target_files`` files.

    A shard ends after a file with probability ``size / target_bytes + 1 / target_files``,
    decided by a hash of the file's path, so the decision is a property of the file alone:
    editing, adding or removing one file changes at most the shard it belongs to (and, if its
    own cut decision flips, merges or splits that shard with its neighbour). A shard is also
    cut once it exceeds ``MAX_SHARD_FACTOR * target_bytes``. Every file is in exactly one
    shard; the order is kept; shards are numbered from 0.
    """
    shards: list[Shard] = []
    current: list[InputFile] = []
    size = 0
    for file in files:
        current.append(file)
        size += file.size
        chance = file.size / target_bytes + 1 / target_files
        if _uniform(file.relative) < chance or size >= MAX_SHARD_FACTOR * target_bytes:
            shards.append(Shard(len(shards), tuple(current)))
            current, size = [], 0
    if current:
        shards.append(Shard(len(shards), tuple(current)))
    return shards


def _uniform(relative: str) -> float:
    digest = hashlib.sha256(relative.encode("utf-8", "surrogateescape")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _load_memo(memo_path: Path | None) -> dict[str, list]:
    if memo_path is None:
        return {}
    try:
        memo = json.loads(memo_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return memo if isinstance(memo, dict) else {}
