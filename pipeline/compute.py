"""Where per-shard work runs: in this process, in a local process pool, or on a Dask cluster.

Every backend maps a module-level function over picklable tasks and yields ``(index, result)``
pairs as results arrive. The functions are pure over their task (they read their inputs and
write their own part files, returning only small metadata), so the backends give identical
output and differ only in speed and where the CPU time is spent.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from typing import Any, Protocol, TypeVar

Task = TypeVar("Task")
Result = TypeVar("Result")

PRELOAD = ["pipeline.stages"]
"""Modules a fresh worker imports once, before its first task (pandas, pyarrow, the text
library), so tasks do not pay for imports."""


class Backend(Protocol):
    """Runs a function over tasks somewhere."""

    name: str

    def map(
        self, function: Callable[[Any], Any], tasks: Sequence[Any]
    ) -> Iterator[tuple[int, Any]]:
        """Yield ``(i, function(tasks[i]))`` for every task, in completion order. An exception
        raised by a task is raised here."""
        ...

    def close(self) -> None:
        """Release the workers."""
        ...


class SerialBackend:
    """Run every task in this process, one after the other."""

    name = "serial"

    def map(
        self, function: Callable[[Any], Any], tasks: Sequence[Any]
    ) -> Iterator[tuple[int, Any]]:
        for index, task in enumerate(tasks):
            yield index, function(task)

    def close(self) -> None:
        return None


class LocalBackend:
    """A pool of ``workers`` local processes (default: one per core), started lazily on the
    first map of more than one task, with the forkserver start method (safe under the threads
    of a Dagster run process). With one worker, or one task, work runs in this process."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.name = f"local[{self.workers}]"
        self._pool: Executor | None = None

    def map(
        self, function: Callable[[Any], Any], tasks: Sequence[Any]
    ) -> Iterator[tuple[int, Any]]:
        if self.workers == 1 or len(tasks) <= 1:
            yield from SerialBackend().map(function, tasks)
            return
        if self._pool is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(PRELOAD)
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context)
        futures = {self._pool.submit(function, task): index for index, task in enumerate(tasks)}
        for future in as_completed(futures):
            yield futures[future], future.result()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None


class DaskBackend:
    """Map tasks onto a Dask distributed cluster given its scheduler address
    (``tcp://host:8786``). Workers must be able to import claimset and to reach the raw and
    data directories at the same paths (a shared filesystem)."""

    def __init__(self, address: str) -> None:
        from distributed import Client

        self.client = Client(address)
        self.name = f"dask[{address}]"

    def map(
        self, function: Callable[[Any], Any], tasks: Sequence[Any]
    ) -> Iterator[tuple[int, Any]]:
        from distributed import as_completed as dask_completed

        futures = self.client.map(function, list(tasks), pure=False)
        positions = {future.key: index for index, future in enumerate(futures)}
        for future in dask_completed(futures):
            yield positions[future.key], future.result()

    def close(self) -> None:
        self.client.close()


def open_backend(kind: str = "local", workers: int = 0, address: str | None = None) -> Backend:
    """The backend named by ``kind``: ``"serial"``, ``"local"`` (``workers`` processes, 0 = one
    per core) or ``"dask"`` (needs ``address``). Raises ``ValueError`` for anything else."""
    if kind == "serial":
        return SerialBackend()
    if kind == "local":
        return LocalBackend(workers or None)
    if kind == "dask":
        if not address:
            raise ValueError("the dask backend needs a scheduler address (tcp://host:8786)")
        return DaskBackend(address)
    raise ValueError(f"unknown compute backend {kind!r}: use serial, local or dask")
