"""Blocking pandera checks on every table: a failure is shown in the UI with its failing rows
and stops publishing."""

import dagster as dg
import pandas as pd

from schemas.claims import validate_claims
from schemas.documents import validate_documents
from schemas.rejects import validate_rejects
from schemas.sentences import validate_sentences
from schemas.validation import ValidationReport


def check_result(report: ValidationReport) -> dg.AssetCheckResult:
    """An asset check result carrying the report: per-check failure counts and a markdown
    table of failing rows (which row, which check, which value)."""
    metadata: dict[str, object] = {"rows": report.rows, "failures": len(report.failures)}
    if not report.passed:
        metadata["failed_checks"] = dg.MetadataValue.md(
            "\n".join(
                f"- `{name}`: {count} rows" for name, count in report.counts_by_check().items()
            )
        )
        metadata["failure_cases"] = dg.MetadataValue.md(report.markdown())
    return dg.AssetCheckResult(
        passed=report.passed,
        metadata=metadata,
        description=report.summary(),
    )


@dg.asset_check(
    asset="clean_documents",
    blocking=True,
    additional_ins={"raw_documents": dg.AssetIn("raw_documents"), "rejects": dg.AssetIn("rejects")},
)
def documents_schema(
    clean_documents: pd.DataFrame, raw_documents: pd.DataFrame, rejects: pd.DataFrame
) -> dg.AssetCheckResult:
    """DocumentSchema (ids, types, ranges, cleaned text), the accounting identity (every
    input is exactly one document or one reject) and duplicate rejects naming kept documents."""
    return check_result(validate_documents(clean_documents, rejects, raw_documents["input_id"]))


@dg.asset_check(asset="rejects", blocking=True)
def rejects_schema(rejects: pd.DataFrame) -> dg.AssetCheckResult:
    """RejectSchema: known reason codes, unique inputs, a kept document named for duplicates."""
    return check_result(validate_rejects(rejects))


@dg.asset_check(
    asset="sentences",
    blocking=True,
    additional_ins={"clean_documents": dg.AssetIn("clean_documents")},
)
def sentences_schema(sentences: pd.DataFrame, clean_documents: pd.DataFrame) -> dg.AssetCheckResult:
    """SentenceSchema plus offsets against documents: end > start, within the document, and
    text equal to the document slice."""
    return check_result(validate_sentences(sentences, clean_documents))


@dg.asset_check(
    asset="claims",
    blocking=True,
    additional_ins={"sentences": dg.AssetIn("sentences")},
)
def claims_schema(claims: pd.DataFrame, sentences: pd.DataFrame) -> dg.AssetCheckResult:
    """ClaimSchema plus one claim row per sentence and evidence offsets that slice back to
    their cues."""
    return check_result(validate_claims(claims, sentences))


SCHEMA_CHECKS = [documents_schema, rejects_schema, sentences_schema, claims_schema]
"""Every blocking schema check, for the Definitions and for in-process runs."""
