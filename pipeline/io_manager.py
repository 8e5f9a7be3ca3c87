"""Store intermediate assets as Parquet files under ``<data_dir>/assets/``."""

import os
import sys
import uuid
from contextlib import ExitStack
from pathlib import Path

import dagster as dg
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import PrivateAttr

from pipeline.locking import exclusive_lock
from pipeline.resources import ClaimsetConfig
from pipeline.tables import TABLE_SCHEMAS, to_arrow, to_pandas


class ParquetIOManager(dg.ConfigurableIOManager):
    """Write each DataFrame asset to ``<data_dir>/assets/<asset>.parquet`` with its fixed
    Arrow schema (atomically: temp file, then rename) and read it back for downstream assets.

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
            exclusive_lock(self.claimset.data_path() / ".run.lock", on_wait=report_wait)
        )
        self._held = stack

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._held is not None:
            self._held.close()
            self._held = None

    def path_for(self, asset_key: dg.AssetKey) -> Path:
        """Where the asset with ``asset_key`` is stored."""
        return self.claimset.data_path() / "assets" / f"{asset_key.to_user_string()}.parquet"

    def handle_output(self, context: dg.OutputContext, obj: pd.DataFrame) -> None:
        name = context.asset_key.to_user_string()
        schema = TABLE_SCHEMAS.get(name)
        table = to_arrow(obj, schema) if schema else pa.Table.from_pandas(obj, preserve_index=False)
        path = self.path_for(context.asset_key)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}")
        try:
            pq.write_table(table, temporary, compression="zstd")
            os.replace(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)
        context.add_output_metadata(
            {"path": dg.MetadataValue.path(str(path)), "dagster/row_count": table.num_rows}
        )

    def load_input(self, context: dg.InputContext) -> pd.DataFrame:
        return to_pandas(pq.read_table(self.path_for(context.asset_key)))
