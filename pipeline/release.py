"""Assemble the published tables and decide whether they make a new dataset version."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd
import pyarrow as pa

from pipeline.card import CHART_FILE, render_card, render_chart, summarize
from pipeline.diff import COLUMNS, diff_tables
from pipeline.models import model_files
from pipeline.store import DatasetStore, Part, PublishResult, TableData, Version, read_columns
from pipeline.tables import TABLE_SCHEMAS, to_arrow
from pipeline.versions import SCHEMA_VERSION, package_version, pipeline_version

CARD_FILE = "README.md"
SUMMARY_FILE = "summary.json"
CHANGELOG_FILE = "changelog.json"


def claim_taggers(claims: TableData) -> list[str]:
    """The distinct values of the claims ``tagger`` column, sorted; only that column is read."""
    return sorted(set(read_columns(claims, ["tagger"])["tagger"]))


def publish_release(
    store: DatasetStore,
    tables: Mapping[str, Sequence[Part] | pd.DataFrame],
    *,
    fingerprint: str,
    run_id: str,
    data_dir: Path,
) -> PublishResult:
    """Publish ``tables`` (``documents``, ``sentences``, ``claims``, ``rejects``; each its part
    files, which are hard-linked, or a DataFrame, written with the table's schema) as a new
    version of ``store``, unless the latest version has ``fingerprint`` (see
    :func:`pipeline.engine.fingerprint`; then return it with ``created=False``). ``data_dir``
    holds the trained models (see :mod:`pipeline.models`).

    Besides the tables, a new version holds its dataset card (``README.md``), a chart of claim
    types and topics, ``summary.json`` (counts) and, when a version came before it,
    ``changelog.json`` (:func:`pipeline.diff.diff_tables` against that version), and, in
    trained mode, the model that tagged the claims (``model/``). The card, the summary and the
    changelog read only the columns they need.
    """
    provenance = {
        "run_id": run_id,
        "code_version": pipeline_version(),
        "package_version": package_version(),
        "schema_version": SCHEMA_VERSION,
    }

    def attachments(name: str, previous: Version | None) -> dict[str, bytes]:
        summary = summarize(tables)
        files = {
            CARD_FILE: render_card(name, summary, provenance, fingerprint).encode(),
            CHART_FILE: render_chart(summary),
            SUMMARY_FILE: _json(summary),
        }
        for tagger in claim_taggers(tables["claims"]):
            if tagger.startswith("model/"):
                files |= model_files(data_dir, tagger.removeprefix("model/"))
        if previous is not None:
            changes = diff_tables({table: previous.parts(table) for table in COLUMNS}, tables)
            files[CHANGELOG_FILE] = _json({"from": previous.name, "to": name, **changes})
        return files

    return store.publish(
        {name: _storable(name, data) for name, data in tables.items()},
        fingerprint=fingerprint,
        provenance=provenance,
        attachments=attachments,
    )


def _storable(table: str, data: Sequence[Part] | pd.DataFrame) -> Sequence[Part] | pa.Table:
    if isinstance(data, pd.DataFrame):
        return to_arrow(data, TABLE_SCHEMAS[table])
    return data


def _json(value: object) -> bytes:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True).encode()
