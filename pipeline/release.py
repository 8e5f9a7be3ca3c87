"""Assemble the published tables and decide whether they make a new dataset version."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd
import pyarrow as pa

from pipeline.card import CHART_FILE, render_card, render_chart, summarize
from pipeline.diff import diff_tables
from pipeline.models import model_files
from pipeline.store import DatasetStore, PublishResult, Version
from pipeline.tables import CLAIMS, DOCUMENTS, REJECTS, SENTENCES, to_arrow
from pipeline.versions import SCHEMA_VERSION, package_version, pipeline_version


def input_fingerprint(
    documents: pd.DataFrame, rejects: pd.DataFrame, taggers: Sequence[str] = ()
) -> str:
    """A digest of every input (path, line, content sha256), of the pipeline version and of the
    claim taggers used (rules, or a trained model named after its training data).

    Equal fingerprints mean the same inputs went through the same code and model, so the
    published data would be identical; ingestion times do not count.
    """
    inputs = pd.concat(
        [
            documents[["source_path", "source_line", "sha256"]],
            rejects[["source_path", "source_line", "sha256"]],
        ],
        ignore_index=True,
    )
    keyed = sorted(
        (str(path), -1 if pd.isna(line) else int(line), sha or "")
        for path, line, sha in zip(
            inputs["source_path"], inputs["source_line"], inputs["sha256"], strict=True
        )
    )
    payload = json.dumps(
        {"inputs": keyed, "pipeline": pipeline_version(), "taggers": sorted(set(taggers))}
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def release_tables(
    documents: pd.DataFrame,
    sentences: pd.DataFrame,
    claims: pd.DataFrame,
    rejects: pd.DataFrame,
) -> dict[str, pa.Table]:
    """The four published tables as Arrow tables with their fixed schemas."""
    return {
        "documents": to_arrow(documents, DOCUMENTS),
        "sentences": to_arrow(sentences, SENTENCES),
        "claims": to_arrow(claims, CLAIMS),
        "rejects": to_arrow(rejects, REJECTS),
    }


CARD_FILE = "README.md"
SUMMARY_FILE = "summary.json"
CHANGELOG_FILE = "changelog.json"


def publish_release(
    store: DatasetStore,
    documents: pd.DataFrame,
    sentences: pd.DataFrame,
    claims: pd.DataFrame,
    rejects: pd.DataFrame,
    *,
    run_id: str,
    data_dir: Path,
) -> PublishResult:
    """Publish the tables as a new version of ``store`` unless the latest version was made from
    the same inputs by the same code (then return it with ``created=False``). ``data_dir``
    holds the trained models (see :mod:`pipeline.models`).

    Besides the four tables, a new version holds its dataset card (``README.md``), a chart
    of claim types and topics, ``summary.json`` (counts) and, when a version came before it,
    ``changelog.json`` (:func:`pipeline.diff.diff_tables` against that version), and, in
    trained mode, the model that tagged the claims (``model/``).
    """
    frames = {"documents": documents, "sentences": sentences, "claims": claims, "rejects": rejects}
    taggers = sorted(set(claims["tagger"]))
    fingerprint = input_fingerprint(documents, rejects, taggers)
    provenance = {
        "run_id": run_id,
        "code_version": pipeline_version(),
        "package_version": package_version(),
        "schema_version": SCHEMA_VERSION,
    }

    def attachments(name: str, previous: Version | None) -> dict[str, bytes]:
        summary = summarize(frames)
        files = {
            CARD_FILE: render_card(name, summary, provenance, fingerprint).encode(),
            CHART_FILE: render_chart(summary),
            SUMMARY_FILE: _json(summary),
        }
        for tagger in taggers:
            if tagger.startswith("model/"):
                files |= model_files(data_dir, tagger.removeprefix("model/"))
        if previous is not None:
            changes = diff_tables(_read_tables(store, previous), frames)
            files[CHANGELOG_FILE] = _json({"from": previous.name, "to": name, **changes})
        return files

    return store.publish(
        release_tables(documents, sentences, claims, rejects),
        fingerprint=fingerprint,
        provenance=provenance,
        attachments=attachments,
    )


def _read_tables(store: DatasetStore, version: Version) -> Mapping[str, pd.DataFrame]:
    return {
        table: store.read_table(table, version.name)
        for table in ("documents", "sentences", "claims")
    }


def _json(value: object) -> bytes:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True).encode()
