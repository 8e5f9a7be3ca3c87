"""The dataset card of a version: what the data is, how it was made, what is in it, how to
load it, and a chart of claim types and topics."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from xml.sax.saxutils import escape

from pipeline.store import TableData, count_values, table_rows
from pipeline.text import CLAIM_TYPES

CHART_FILE = "claims_chart.svg"
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
    """An SVG bar chart of sentences per claim type (left) and per topic (right), as UTF-8
    bytes. Deterministic: the same summary always gives the same bytes. Bar lengths are
    proportional to the counts within each panel; every bar is labelled with its name and
    count, and the labels are XML-escaped."""
    panels = [
        ("Sentences per claim type", summary["claim_types"], "#3b6ea5"),
        ("Sentences per topic", summary["topics"] or {"(none)": 0}, "#c2603a"),
    ]
    rows = max(len(counts) for _, counts, _ in panels)
    height = _CHART_TOP + rows * _BAR_PITCH + 12
    width = len(panels) * _PANEL_WIDTH
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
    ]
    for index, (title, counts, colour) in enumerate(panels):
        parts.append(_panel(index * _PANEL_WIDTH, title, counts, colour))
    parts.append("</svg>")
    return ("\n".join(parts) + "\n").encode("utf-8")


_PANEL_WIDTH = 520
_LABEL_WIDTH = 170
_BAR_SPACE = 280
_CHART_TOP = 40
_BAR_PITCH = 22


def _panel(left: int, title: str, counts: Mapping[str, int], colour: str) -> str:
    """One titled panel of horizontal bars, ``left`` pixels from the chart's left edge."""
    most = max([*counts.values(), 1])
    lines = [
        f'<g transform="translate({left},0)">',
        f'<text x="{_PANEL_WIDTH // 2}" y="22" text-anchor="middle" font-size="14" '
        f'font-weight="bold">{escape(title)}</text>',
    ]
    for row, (name, count) in enumerate(counts.items()):
        top = _CHART_TOP + row * _BAR_PITCH
        length = round(_BAR_SPACE * int(count) / most, 1)
        middle = top + _BAR_PITCH // 2 + 4
        lines += [
            f'<text x="{_LABEL_WIDTH - 6}" y="{middle}" text-anchor="end">{escape(str(name))}'
            "</text>",
            f'<rect x="{_LABEL_WIDTH}" y="{top + 3}" width="{length}" '
            f'height="{_BAR_PITCH - 6}" fill="{colour}"><title>{escape(str(name))}: {int(count)}'
            "</title></rect>",
            f'<text x="{_LABEL_WIDTH + length + 4}" y="{middle}">{int(count)}</text>',
        ]
    lines.append("</g>")
    return "\n".join(lines)


def _counts(counts: Mapping[Any, int]) -> dict[str, int]:
    return {str(key): int(count) for key, count in counts.items()}


def _table(header: list[str], rows: list[list[Any]]) -> str:
    if not rows:
        return "_(none)_"
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)
