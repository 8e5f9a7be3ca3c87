"""Store intermediate assets under ``<data_dir>/assets/``: small tables as Parquet files,
sharded tables as a JSON list of their part files."""

import dataclasses
import json
import sys
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

import dagster as dg
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import PrivateAttr

from pipeline.atomic import write_atomically
from pipeline.engine import ShardedTable, StageStats
from pipeline.locking import exclusive_lock
from pipeline.resources import ClaimsetConfig
from pipeline.store import Part
from pipeline.tables import TABLE_SCHEMAS, to_arrow, to_pandas

RUN_LOCK = ".run.lock"
"""File under the data directory that a run (and cache clean-up) holds while it works."""


def referenced_parts(data_dir: Path) -> set[str]:
    """Paths of every part file named by the stored sharded-table handles under
    ``<data_dir>/assets``: the cache files the latest materializations use."""
    paths: set[str] = set()
    for handle in sorted((data_dir / "assets").glob("*.json")):
        try:
            table = _from_json(handle.read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError, TypeError):
            continue
        paths.update(part.path for part in table.parts)
    return paths


class ParquetIOManager(dg.ConfigurableIOManager):
    """Write each DataFrame asset to ``<data_dir>/assets/<asset>.parquet`` with its fixed
    Arrow schema, and each :class:`~pipeline.engine.ShardedTable` (whose rows already live in
    part files of the stage cache) to ``<data_dir>/assets/<asset>.json``; both atomically
    (temp file, then rename). Read them back for downstream assets.

    The files are the latest materialization of each stage, handy for inspection; published,
    immutable data lives in the versioned store.

    While a run uses it, the manager holds ``<data_dir>/.run.lock``: a second run on the same
    data directory waits (and says so) instead of mixing its intermediate files with ours.
    With Dagster's in-process executor (claimset's default) the lock covers the whole run.
    """

    claimset: ClaimsetConfig
    _held: ExitStack | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        def report_wait(message: str) -> None:
            print(f"claimset: {message}", file=sys.stderr, flush=True)
            if context.log is not None:
                context.log.info(message)

        stack = ExitStack()
        stack.enter_context(
            exclusive_lock(self.claimset.data_path() / RUN_LOCK, on_wait=report_wait)
        )
        self._held = stack

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._held is not None:
            self._held.close()
            self._held = None

    def path_for(self, asset_key: dg.AssetKey, suffix: str = ".parquet") -> Path:
        """Where the asset with ``asset_key`` is stored (``suffix`` ``.json`` for a sharded
        table)."""
        return self.claimset.data_path() / "assets" / f"{asset_key.to_user_string()}{suffix}"

    def handle_output(self, context: dg.OutputContext, obj: pd.DataFrame | ShardedTable) -> None:
        if isinstance(obj, ShardedTable):
            path = self.path_for(context.asset_key, ".json")
            _write_output(path, lambda target: target.write_text(_to_json(obj), "utf-8"))
            rows = obj.rows
        else:
            name = context.asset_key.to_user_string()
            schema = TABLE_SCHEMAS.get(name)
            table = (
                to_arrow(obj, schema) if schema else pa.Table.from_pandas(obj, preserve_index=False)
            )
            path = self.path_for(context.asset_key)
            _write_output(path, lambda target: pq.write_table(table, target, compression="zstd"))
            rows = table.num_rows
        context.add_output_metadata(
            {"path": dg.MetadataValue.path(str(path)), "dagster/row_count": rows}
        )

    def load_input(self, context: dg.InputContext) -> pd.DataFrame | ShardedTable:
        sharded = self.path_for(context.asset_key, ".json")
        if sharded.is_file():
            return _from_json(sharded.read_text(encoding="utf-8"))
        return to_pandas(pq.read_table(self.path_for(context.asset_key)))


def _write_output(path: Path, write: Callable[[Path], object]) -> None:
    """Replace the stored output at ``path`` atomically and remove its other-format twin."""
    write_atomically(path, write)
    # A stale file of the other kind would shadow or confuse the next load.
    other = path.with_suffix(".parquet" if path.suffix == ".json" else ".json")
    other.unlink(missing_ok=True)


def _to_json(table: ShardedTable) -> str:
    return json.dumps(dataclasses.asdict(table))


def _from_json(text: str) -> ShardedTable:
    document = json.loads(text)
    return ShardedTable(
        name=document["name"],
        parts=tuple(Part(**part) for part in document["parts"]),
        validation=tuple(document["validation"]),
        stats=StageStats(**document["stats"]),
        extra=document["extra"],
    )
