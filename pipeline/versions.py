"""Code and schema versions: bump a stage's version whenever its output for the same input
changes. They become Dagster ``code_version``s, and together they form the pipeline version
recorded in every published manifest, so a re-run with unchanged inputs and code publishes
nothing new."""

from __future__ import annotations

import hashlib
import json
from importlib import metadata

STAGE_VERSIONS: dict[str, str] = {
    "raw_documents": "1",
    "clean_documents": "1",
    "sentences": "1",
    "claim_model": "2",
    "claims": "2",
    "claimset_release": "1",
    "corpus_summary": "1",
}
"""Version of each asset's logic, keyed by asset name."""

SCHEMA_VERSION = "1"
"""Version of the published table layouts (columns, types, meanings)."""


TEXT_LIBRARIES = (
    "ftfy",
    "charset-normalizer",
    "trafilatura",
    "lxml",
    "lxml_html_clean",
    "py3langid",
)
"""Libraries whose version changes what the text stages output (extraction, repair, language)."""


def library_versions() -> dict[str, str]:
    """Installed version of each library in :data:`TEXT_LIBRARIES` ("missing" when absent)."""
    versions = {}
    for name in TEXT_LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "missing"
    return versions


def package_version() -> str:
    """The installed claimset distribution version, or ``"0+unknown"`` when not installed."""
    try:
        return metadata.version("claimset")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def pipeline_version() -> str:
    """A short stable digest of every stage version, the schema version, the package version
    and the text libraries' versions: equal digests mean the same code produced the data."""
    payload = json.dumps(
        {
            "stages": STAGE_VERSIONS,
            "schema": SCHEMA_VERSION,
            "package": package_version(),
            "libraries": library_versions(),
        },
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:16]
