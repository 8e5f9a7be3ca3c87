"""Replace a file all at once: readers see the old content or the new, never a part of it."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from pathlib import Path


def write_atomically(
    path: str | os.PathLike[str], write: Callable[[Path], object], *, durable: bool = False
) -> None:
    """Call ``write(temporary)`` on a fresh sibling of ``path`` (same directory, hidden name),
    then rename it over ``path``. The parent directory is created if needed. If ``write``
    raises, ``path`` is untouched and the temporary file is removed.

    ``durable=True`` also fsyncs the file before the rename and the directory after it, so the
    new content survives a power loss once this returns (slower; for pointers such as
    ``LATEST``)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}")
    try:
        write(temporary)
        if durable:
            fsync_file(temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    if durable:
        fsync_dir(path.parent)


def write_text_atomically(
    path: str | os.PathLike[str], text: str, *, durable: bool = False
) -> None:
    """:func:`write_atomically` of ``text`` as UTF-8."""
    write_atomically(
        path, lambda target: target.write_text(text, encoding="utf-8"), durable=durable
    )


def fsync_file(path: str | os.PathLike[str]) -> None:
    """Flush the content of the file at ``path`` to the disk."""
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def fsync_dir(path: str | os.PathLike[str]) -> None:
    """Flush the entries of the directory at ``path`` (renames, new files) to the disk."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
