"""Store intermediate assets as Parquet files under ``<data_dir>/assets/``."""

import os
import uuid
from pathlib import Path

import dagster as dg
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.resources import ClaimsetConfig
from pipeline.tables import TABLE_SCHEMAS, to_arrow, to_pandas


class ParquetIOManager(dg.ConfigurableIOManager):
    """Write each DataFrame asset to ``<data_dir>/assets/<asset>.parquet`` with its fixed
    Arrow schema (atomically: temp file, then rename) and read it back for downstream assets.

    The files are the latest materialization of each stage, handy for inspection; published,
    immutable data lives in the versioned store.
    """

    claimset: ClaimsetConfig

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
