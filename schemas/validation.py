"""Run a pandera model over a table and turn its failures into a readable report.

Used by the Dagster asset checks (failure cases go into check metadata as markdown tables) and
by anything else that wants to know which rows broke which rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pandera.pandas as pa


@dataclass(frozen=True)
class ValidationReport:
    """The result of validating one table against one or more pandera models.

    ``failures`` has one row per (check, failing row): ``schema``, ``check``, ``column``,
    ``key`` (the row's id, e.g. its ``sentence_id``), ``index`` and ``failure_case``.
    """

    table: str
    rows: int
    failures: pd.DataFrame = field(repr=False)

    @property
    def passed(self) -> bool:
        """True when no check failed on any row."""
        return self.failures.empty

    def counts_by_check(self) -> dict[str, int]:
        """Number of failing rows per check name, most frequent first."""
        counts = self.failures.groupby("check", sort=False).size().sort_values(ascending=False)
        return {str(name): int(count) for name, count in counts.items()}

    def summary(self, examples: int = 5) -> str:
        """A plain-text account naming the table, each failed check and example rows."""
        if self.passed:
            return f"{self.table}: all checks passed on {self.rows} rows"
        lines = [f"{self.table}: {len(self.failures)} failures in {self.rows} rows"]
        for check, count in self.counts_by_check().items():
            sample = self.failures[self.failures["check"] == check].head(examples)
            shown = ", ".join(
                f"{key or '#' + str(index)} ({case})"
                for key, index, case in zip(
                    sample["key"], sample["index"], sample["failure_case"], strict=True
                )
            )
            lines.append(f"  check {check!r} failed on {count} rows, e.g. {shown}")
        return "\n".join(lines)

    def markdown(self, limit: int = 20) -> str:
        """The first ``limit`` failures as a markdown table (for the Dagster UI)."""
        if self.passed:
            return "No failures."
        shown = self.failures.head(limit)
        header = "| schema | check | column | row | failure case |\n|---|---|---|---|---|\n"
        body = "\n".join(
            f"| {row.schema} | {_cell(row.check)} | {_cell(row.column)} | "
            f"{_cell(row.key or '#' + str(row.index))} | {_cell(row.failure_case)} |"
            for row in shown.itertuples()
        )
        more = len(self.failures) - len(shown)
        return header + body + (f"\n\n… and {more} more" if more > 0 else "")


def validate_frame(
    model: type[pa.DataFrameModel], frame: pd.DataFrame, *, key: str | None = None
) -> pd.DataFrame:
    """Validate ``frame`` with ``model`` (lazily, collecting every failure, without copying the
    frame) and return the failures table (empty when valid). ``key`` names the id column whose
    value identifies a failing row. Never raises for invalid data."""
    try:
        model.validate(frame, lazy=True, inplace=True)
    except pa.errors.SchemaErrors as errors:
        return _failures(model.__name__, errors.failure_cases, frame, key)
    return _failures(model.__name__, pd.DataFrame(), frame, key)


def report(table: str, frame: pd.DataFrame, failures: list[pd.DataFrame]) -> ValidationReport:
    """Combine the failures of several models over ``table`` into one report."""
    combined = pd.concat(failures, ignore_index=True) if failures else _failures("", None, frame)
    return ValidationReport(table=table, rows=len(frame), failures=combined)


_COLUMNS = ["schema", "check", "column", "key", "index", "failure_case"]


def _failures(
    schema: str, cases: pd.DataFrame | None, frame: pd.DataFrame, key: str | None = None
) -> pd.DataFrame:
    if cases is None or cases.empty:
        return pd.DataFrame(columns=_COLUMNS)
    # A dataframe-wide check reports every column of a failing row; keep one line per row.
    cases = cases.drop_duplicates(subset=["check", "index"], keep="first")
    return pd.DataFrame(
        {
            "schema": schema,
            "check": cases["check"].astype(str).to_numpy(),
            "column": cases["column"].astype(str).to_numpy(),
            "key": _keys(frame, key, cases["index"]),
            "index": cases["index"].to_numpy(),
            "failure_case": [_short(value) for value in cases["failure_case"]],
        }
    )


def _keys(frame: pd.DataFrame, key: str | None, indexes: pd.Series) -> np.ndarray:
    """The ``key`` value (as text) of the row at each of ``indexes`` (the first row when an
    index label repeats), None where there is no such row or column: one vectorised lookup."""
    keys = np.full(len(indexes), None, dtype=object)
    if key is None or key not in frame.columns:
        return keys
    first = ~frame.index.duplicated(keep="first")
    found = frame.index[first].get_indexer(pd.Index(indexes.to_numpy(), dtype=object))
    values = pd.Series(frame[key].to_numpy(dtype=object)[first][found[found >= 0]])
    keys[found >= 0] = values.astype(str).to_numpy()
    return keys


def _short(value: object, width: int = 80) -> str:
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= width else text[: width - 1] + "…"


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")
