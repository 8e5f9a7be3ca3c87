"""The asset job that materializes the whole claimset chain."""

import dagster as dg

DATASET_TAG = "claimset/dataset"
"""Run tag limited to one concurrent run per dataset in dagster.yaml."""

claimset_job = dg.define_asset_job(
    name="claimset_job",
    selection=dg.AssetSelection.groups("claimset"),
    description="Raw files to a validated, published dataset version (all assets and checks).",
    tags={DATASET_TAG: "claimset"},
)
