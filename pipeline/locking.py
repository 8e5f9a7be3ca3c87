"""Exclusive locks on claimset directories, with a clear message while waiting.

Locks are ``flock`` locks on a file: the kernel releases them when the holder exits or is
killed, so a crashed run never leaves a stale lock behind. The lock file records the holder's
pid and start time, for the waiting message only.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path


@contextmanager
def exclusive_lock(path: Path, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created if missing) for the ``with`` block.

    If another process holds it, call ``on_wait`` once with a message naming the holder, then
    block until the lock is free. Raises ``OSError`` when the lock file cannot be created (for
    example on a read-only file system).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                handle.seek(0)
                holder = handle.read().strip() or "another process"
                on_wait(f"{path} is held by {holder}; waiting for it to finish")
            started = time.monotonic()
            fcntl.flock(handle, fcntl.LOCK_EX)
            if on_wait is not None:
                on_wait(f"got {path} after {time.monotonic() - started:.1f} s")
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(
                f"pid {os.getpid()} since {datetime.now(UTC).isoformat(timespec='seconds')}"
            )
            handle.flush()
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
