"""The dataset card of a version: what the data is, how it was made, what is in it, how to
load it, and a chart of claim types and topics."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from pipeline.store import TableData, count_values, table_rows
from pipeline.text import CLAIM_TYPES

CHART_FILE = "claims_chart.png"
"""File name of the chart inside a version directory."""


def summarize(tables: Mapping[str, TableData]) -> dict[str, Any]:
    """Counts that describe a version: rows per table, claims per type and topic, languages,
    rejects by reason. JSON-ready; every claim type appears, with 0 when absent.

    ``tables`` holds ``documents``, ``claims`` and ``rejects`` (and any other table, which is
    only counted), each a DataFrame or its part files. Row counts come from the parts'
    metadata; from the files only ``claims.is_claim``, ``claim_type`` and ``topics``,
    ``documents.lang`` and ``rejects.reason`` are read, one part at a time."""
    types = count_values(tables["claims"], "claim_type")
    return {
        "rows": {name: table_rows(data) for name, data in tables.items()},
        "claims": int(count_values(tables["claims"], "is_claim").get(True, 0)),
        "claim_types": {name: int(types.get(name, 0)) for name in CLAIM_TYPES},
        "topics": _counts(count_values(tables["claims"], "topics")),
        "languages": _counts(count_values(tables["documents"], "lang")),
        "rejects_by_reason": _counts(count_values(tables["rejects"], "reason")),
    }


def render_card(
    name: str, summary: Mapping[str, Any], provenance: Mapping[str, str], fingerprint: str
) -> str:
    """The card of version ``name`` as Markdown (stored as the version's ``README.md``)."""
    rows = summary["rows"]
    path = f"data/datasets/claimset/{name}"
    sections = [
        f"# claimset {name}",
        "Sentence-level claims extracted from news and policy commentary. Each sentence of each "
        "accepted document has one row in `sentences` (with exact character offsets into the "
        "document's cleaned text) and one row in `claims` (claim type after Full Fact's "
        "claim-type schema, check-worthiness, topics, and the evidence behind each tag). "
        "Inputs that could not be used are listed in `rejects` with a reason.",
        "## Provenance\n\n"
        + _table(
            ["field", "value"],
            [
                ["version", name],
                ["run id", provenance.get("run_id", "")],
                ["code version", provenance.get("code_version", "")],
                ["package version", provenance.get("package_version", "")],
                ["schema version", provenance.get("schema_version", "")],
                ["input fingerprint", f"`{fingerprint}`"],
            ],
        ),
        "## Contents\n\n" + _table(["table", "rows"], [[t, n] for t, n in rows.items()]),
        "## Claim types\n\n"
        f"{summary['claims']} of {rows.get('sentences', 0)} sentences are claims.\n\n"
        + _table(["claim_type", "sentences"], list(summary["claim_types"].items()))
        + f"\n\n![claim types and topics]({CHART_FILE})",
        "Taxonomy: `quantity` (values, changes, comparisons, rankings), `prediction` (future or "
        "hypothetical), `correlation_causation`, `law_rule` (laws, rules, official plans and "
        "policies), `personal_experience`, `other_claim` (quotes, attributions, definitions, "
        "other factual assertions), `not_a_claim` (questions, opinion, boilerplate).",
        "## Topics\n\n" + _table(["topic", "sentences"], list(summary["topics"].items())),
        "## Languages\n\n" + _table(["lang", "documents"], list(summary["languages"].items())),
        "## Rejects by reason\n\n"
        + _table(["reason", "inputs"], list(summary["rejects_by_reason"].items())),
        "## How to load\n\n"
        "Each table is a directory of Parquet part files, read as one table:\n\n"
        "```python\nimport pandas as pd\n"
        f'claims = pd.read_parquet("{path}/claims")\n```\n\n'
        "```python\nimport duckdb\n"
        f"duckdb.sql(\"select claim_type, count(*) from '{path}/claims/*.parquet' group by all\")"
        "\n```\n\n"
        "```python\nimport polars as pl\n"
        f'sentences = pl.read_parquet("{path}/sentences/*.parquet")\n```\n\n'
        "Join `claims` to `sentences` on `sentence_id`, and `sentences` to `documents` on "
        "`doc_id`; `documents.text[start:end]` is the sentence text.",
    ]
    return "\n\n".join(sections) + "\n"


def render_chart(summary: Mapping[str, Any]) -> bytes:
    """A PNG bar chart of sentences per claim type and per topic."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
    types = summary["claim_types"]
    left.barh(list(types), list(types.values()), color="#3b6ea5")
    left.invert_yaxis()
    left.set_title("Sentences per claim type")
    topics = summary["topics"] or {"(none)": 0}
    right.barh(list(topics), list(topics.values()), color="#c2603a")
    right.invert_yaxis()
    right.set_title("Sentences per topic")
    for axis in (left, right):
        axis.set_xlabel("sentences")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, metadata={"Software": None})
    plt.close(figure)
    return buffer.getvalue()


def _counts(counts: Mapping[Any, int]) -> dict[str, int]:
    return {str(key): int(count) for key, count in counts.items()}


def _table(header: list[str], rows: list[list[Any]]) -> str:
    if not rows:
        return "_(none)_"
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)
