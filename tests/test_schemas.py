"""Tests of the pandera models: valid tables pass, each broken rule is reported by name."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from pipeline.claims import tag_sentences
from pipeline.curate import curate_documents
from pipeline.ingest import read_raw_documents
from pipeline.sentences import split_documents
from pipeline.tables import EVIDENCE, to_pandas
from schemas.claims import validate_claims
from schemas.documents import validate_documents
from schemas.rejects import validate_rejects
from schemas.sentences import validate_sentences
from schemas.validation import ValidationReport
from schemas.vectorised import (
    WHITESPACE,
    arrow_strings,
    char_lengths,
    full_match,
    is_stripped,
    slices_equal,
)


@pytest.fixture
def tables(raw_dir: Path) -> dict[str, pd.DataFrame]:
    raw = read_raw_documents(raw_dir)
    documents, rejects = curate_documents(raw)
    sentences = split_documents(documents)
    return {
        "raw": raw,
        "documents": documents,
        "rejects": rejects,
        "sentences": sentences,
        "claims": tag_sentences(sentences),
    }


def test_tables_built_by_the_pipeline_pass(tables: dict[str, pd.DataFrame]) -> None:
    reports = [
        validate_documents(tables["documents"], tables["rejects"], tables["raw"]["input_id"]),
        validate_rejects(tables["rejects"]),
        validate_sentences(tables["sentences"], tables["documents"]),
        validate_claims(tables["claims"], tables["sentences"]),
    ]
    for report in reports:
        assert report.passed, report.summary()


def test_shifted_offsets_fail_with_the_rows_named(tables: dict[str, pd.DataFrame]) -> None:
    sentences = tables["sentences"].copy()
    sentences.loc[0, "start"] += 1
    sentences.loc[1, "end"] = sentences.loc[1, "start"]
    report = validate_sentences(sentences, tables["documents"])
    assert not report.passed
    counts = report.counts_by_check()
    assert counts["end_after_start"] == 1
    assert counts["text_equals_document_slice"] == 2
    assert counts["text_length_matches_offsets"] == 2
    failing = set(report.failures["key"])
    assert {sentences.loc[0, "sentence_id"], sentences.loc[1, "sentence_id"]} <= failing
    assert "text_equals_document_slice" in report.summary()
    assert "| sentences" not in report.markdown()  # markdown rows name the schema, not the table
    assert "SentenceInDocumentSchema" in report.markdown()


def test_sentence_of_unknown_document_and_past_its_end(tables: dict[str, pd.DataFrame]) -> None:
    sentences = tables["sentences"].copy()
    sentences.loc[0, "doc_id"] = "0" * 16
    sentences.loc[1, "end"] = 10**6
    counts = validate_sentences(sentences, tables["documents"]).counts_by_check()
    assert counts["sentence_has_document"] == 1
    assert counts["offsets_within_document"] == 1


def test_claims_must_match_sentences_and_explain_positives(
    tables: dict[str, pd.DataFrame],
) -> None:
    claims = tables["claims"].copy()
    positive = claims.index[claims["is_claim"]][0]
    claims.at[positive, "evidence"] = []
    claims.loc[claims.index[-1], "claim_type"] = "gossip"
    claims = claims.drop(index=claims.index[0])
    counts = validate_claims(claims, tables["sentences"]).counts_by_check()
    assert counts["claims_have_evidence"] == 1
    assert counts["sentence_has_claim_row"] == 1
    assert any(name.startswith("isin") for name in counts)


def test_accounting_identity_catches_a_lost_input(tables: dict[str, pd.DataFrame]) -> None:
    documents = tables["documents"].iloc[1:]
    counts = validate_documents(
        documents, tables["rejects"], tables["raw"]["input_id"]
    ).counts_by_check()
    assert counts["accounted_for_exactly_once"] == 1


def test_unknown_reject_reason_fails(tables: dict[str, pd.DataFrame]) -> None:
    rejects = tables["rejects"].copy()
    rejects.loc[rejects.index[0], "reason"] = "because"
    report = validate_rejects(rejects)
    assert not report.passed
    assert report.failures["failure_case"].tolist() == ["because"]


def _failing_keys(report: ValidationReport, check: str) -> set[str]:
    return set(report.failures.loc[report.failures["check"] == check, "key"])


SENTENCE_ID_FORMAT = "str_matches('^[0-9a-f]{16}-\\d{4,}$')"
HEX16_FORMAT = "str_matches('^[0-9a-f]{16}$')"


@pytest.mark.parametrize(
    ("column", "value", "check"),
    [
        ("sentence_id", "b9eddaf37ba33950-01", SENTENCE_ID_FORMAT),
        ("doc_id", "B9EDDAF37BA33950", HEX16_FORMAT),
        ("text", "", "str_length(1, None)"),
        ("text", "\u2003Output will double by 2030.", "text_has_no_outer_whitespace"),
        ("text", "Output will double by 2030.\x1c", "text_has_no_outer_whitespace"),
        ("text", 2030, "dtype('str')"),
    ],
)
def test_each_broken_sentence_cell_is_named(
    tables: dict[str, pd.DataFrame], column: str, value: object, check: str
) -> None:
    sentences = tables["sentences"].copy()
    row = len(sentences) // 2
    sentences[column] = sentences[column].astype(object)
    sentences.at[row, column] = value
    report = validate_sentences(sentences, tables["documents"])
    assert _failing_keys(report, check) == {str(sentences.at[row, "sentence_id"])}


def test_sentence_text_must_equal_the_document_slice(tables: dict[str, pd.DataFrame]) -> None:
    sentences = tables["sentences"].copy()
    chinese = sentences.index[sentences["text"].str.contains("新")][0]
    sentences.at[chinese, "text"] = "旧" + sentences.at[chinese, "text"][1:]
    english = sentences.index[sentences["text"].str.contains("’")][0]
    sentences.at[english, "text"] = sentences.at[english, "text"].swapcase()
    report = validate_sentences(sentences, tables["documents"])
    assert _failing_keys(report, "text_equals_document_slice") == {
        sentences.at[chinese, "sentence_id"],
        sentences.at[english, "sentence_id"],
    }
    assert report.counts_by_check() == {"text_equals_document_slice": 2}


def test_unordered_and_overlapping_sentences_are_still_compared(
    tables: dict[str, pd.DataFrame],
) -> None:
    sentences = tables["sentences"].iloc[::-1].reset_index(drop=True)
    duplicate = sentences.iloc[[0]].assign(sentence_id=sentences.at[0, "doc_id"] + "-9999")
    overlapping = pd.concat([sentences, duplicate], ignore_index=True)
    assert validate_sentences(overlapping, tables["documents"]).failures["check"].tolist() == [
        "index_unique_within_document",
        "index_unique_within_document",
    ]
    overlapping.at[len(overlapping) - 1, "text"] = overlapping.at[0, "text"][:-1] + "X"
    report = validate_sentences(overlapping, tables["documents"])
    assert _failing_keys(report, "text_equals_document_slice") == {
        overlapping.at[len(overlapping) - 1, "sentence_id"]
    }


def _with_evidence_item(claims: pd.DataFrame, **changes: object) -> tuple[pd.DataFrame, str]:
    claims = claims.copy()
    row = claims.index[claims["evidence"].map(len) > 0][-1]
    items = [dict(item) for item in claims.at[row, "evidence"]]
    items[0] |= changes
    claims.at[row, "evidence"] = items
    return claims, claims.at[row, "sentence_id"]


@pytest.mark.parametrize(
    "changes",
    [{"cue": "nothing like it"}, {"start": 1}, {"end": 10**6}, {"start": None}],
)
def test_evidence_cue_must_equal_the_sentence_slice(
    tables: dict[str, pd.DataFrame], changes: dict[str, object]
) -> None:
    claims, sentence_id = _with_evidence_item(tables["claims"], **changes)
    report = validate_claims(claims, tables["sentences"])
    assert _failing_keys(report, "evidence_cue_equals_sentence_slice") == {sentence_id}


def test_overlapping_evidence_items_are_each_checked(tables: dict[str, pd.DataFrame]) -> None:
    claims = tables["claims"].copy()
    row = claims.index[claims["evidence"].map(len) > 0][0]
    item = dict(claims.at[row, "evidence"][0])
    inner = item | {"cue": item["cue"][1:], "start": item["start"] + 1}
    claims.at[row, "evidence"] = [item, inner, inner | {"cue": inner["cue"].upper() + "!"}]
    report = validate_claims(claims, tables["sentences"])
    assert report.counts_by_check() == {"evidence_cue_equals_sentence_slice": 1}
    assert _failing_keys(report, "evidence_cue_equals_sentence_slice") == {
        claims.at[row, "sentence_id"]
    }


@pytest.mark.parametrize(
    ("column", "value", "check"),
    [
        ("doc_id", "not-a-doc-id", HEX16_FORMAT),
        ("tagger", "", "str_length(1, None)"),
        ("sentence_id", "0000000000000000-0001", "claim_has_sentence"),
    ],
)
def test_each_broken_claim_cell_is_named(
    tables: dict[str, pd.DataFrame], column: str, value: object, check: str
) -> None:
    claims = tables["claims"].copy()
    claims.at[0, column] = value
    report = validate_claims(claims, tables["sentences"])
    assert _failing_keys(report, check) == {str(claims.at[0, "sentence_id"])}


@pytest.mark.parametrize(
    ("column", "value", "check"),
    [
        ("sha256", "0" * 63, "str_matches('^[0-9a-f]{64}$')"),
        ("lang", "english", "str_matches('^([a-z]{2,3}|und)$')"),
        ("text", "Padded. ", "text_has_no_outer_whitespace"),
        ("n_chars", 1, "n_chars_is_text_length"),
    ],
)
def test_each_broken_document_cell_is_named(
    tables: dict[str, pd.DataFrame], column: str, value: object, check: str
) -> None:
    documents = tables["documents"].copy()
    documents.at[0, column] = value
    report = validate_documents(documents, tables["rejects"], tables["raw"]["input_id"])
    assert _failing_keys(report, check) == {documents.at[0, "doc_id"]}


def test_reject_ids_are_checked(tables: dict[str, pd.DataFrame]) -> None:
    rejects = tables["rejects"].copy()
    rejects.at[0, "input_id"] = "short"
    assert _failing_keys(validate_rejects(rejects), HEX16_FORMAT) == {"short"}


def test_whitespace_is_what_str_strip_removes() -> None:
    assert "".join(chr(code) for code in range(0x110000) if chr(code).isspace()) == WHITESPACE


EDGE_STRINGS = ["0123456789abcdef", "0123456789abcdef\n", "0123456789ABCDEF", "", " a", "a\x85"]


@pytest.mark.parametrize("arrow", [True, False])
def test_vectorised_string_checks_agree_with_pandas(arrow: bool) -> None:
    cells = pd.Series([*EDGE_STRINGS, "0123456789abcde٣", "中文\u3000", None], dtype=object)
    series = arrow_strings(cells.to_frame("cell"))["cell"] if arrow else cells
    pattern = r"^[0-9a-f]{15}\d$"
    expected = cells.str.match(pattern).where(cells.notna(), True).astype(bool)
    assert full_match(series, pattern).tolist() == expected.tolist()
    assert char_lengths(series).tolist()[:-1] == cells.str.len().tolist()[:-1]
    assert is_stripped(series).tolist() == (cells.str.strip() == cells).tolist()


def test_slices_equal_follows_python_slicing() -> None:
    owners = ["China’s factories", "新质生产力正在重塑制造业。", "abc"]
    rows = [(0, 0, 7, "China’s"), (0, 5, 7, "’s"), (0, -9, None, "factories"), (1, 2, 5, "生产力")]
    rows += [(1, 3, 4, "产"), (0, 2, 1, ""), (2, 1, 99, "bc"), (2, 0, 3, "abd"), (-1, 0, 1, "a")]
    rows += [(0, 5, 7, "'s"), (1, 0, 2, "新质"), (0, 0, 5, "China")]
    owner, starts, ends, pieces = zip(*rows, strict=True)
    expected = [
        index >= 0 and owners[index][start:end] == piece for index, start, end, piece in rows
    ]
    result = slices_equal(
        pa.array(owners, type=pa.large_string()),
        np.array(owner),
        np.array(starts),
        np.array([10**6 if end is None else end for end in ends]),
        pa.array(pieces, type=pa.large_string()),
    )
    assert result.tolist() == expected


def test_empty_tables_pass_every_check() -> None:
    """A shard without sentences (all its inputs rejected) still validates."""
    from pipeline.tables import CLAIMS, DOCUMENTS, SENTENCES, empty_frame
    from schemas.claims import validate_claims
    from schemas.sentences import validate_sentences

    sentences, documents = empty_frame(SENTENCES), empty_frame(DOCUMENTS)
    assert validate_sentences(sentences, documents).passed
    assert validate_claims(empty_frame(CLAIMS), sentences).passed


def _as_arrow(frame: pd.DataFrame) -> pa.Table:
    """The rows of ``frame`` as an Arrow table, column types inferred from the cells."""
    return pa.Table.from_pandas(frame, preserve_index=False)


REPORTED = ["schema", "check", "column", "key", "failure_case"]


def _same_failures(validate: Callable[..., ValidationReport], *broken: pa.Table) -> None:
    """``validate`` reports the same failures for the Arrow tables ``broken`` as for their
    pandas form (:func:`pipeline.tables.to_pandas`, as the stages used to hand them over)."""
    pandas_report = validate(*(to_pandas(table) for table in broken))
    arrow_report = validate(*broken)
    assert not pandas_report.passed
    assert arrow_report.failures[REPORTED].equals(pandas_report.failures[REPORTED])
    assert arrow_report.rows == pandas_report.rows


def _broken_sentences(sentences: pd.DataFrame) -> pd.DataFrame:
    sentences = sentences.copy()
    sentences.loc[0, "start"] += 1
    sentences.loc[1, "end"] = sentences.loc[1, "start"]
    sentences.loc[2, "doc_id"] = "0" * 16
    sentences.loc[3, "sentence_id"] = "b9eddaf37ba33950-01"
    sentences.loc[4, "text"] = " " + sentences.loc[4, "text"][1:]
    sentences.loc[5, "end"] = 10**6
    return pd.concat([sentences, sentences.iloc[[6]]], ignore_index=True)


def _broken_claims(claims: pd.DataFrame) -> pd.DataFrame:
    claims, _ = _with_evidence_item(claims, cue="nothing like it")
    first = claims.index[claims["evidence"].map(len) > 0][0]
    claims.at[first, "evidence"] = [item | {"start": None} for item in claims.at[first, "evidence"]]
    positive = claims.index[claims["is_claim"]][0]
    claims.at[positive, "evidence"] = []
    claims.loc[claims.index[-1], "claim_type"] = "gossip"
    claims.loc[claims.index[-2], "tagger"] = ""
    claims.loc[claims.index[-3], "checkworthiness"] = 2.0
    claims.loc[claims.index[-4], "verifiable"] = not claims.loc[claims.index[-4], "verifiable"]
    claims.loc[claims.index[-5], "sentence_id"] = "0000000000000000-0001"
    return claims.drop(index=claims.index[0]).reset_index(drop=True)


def test_arrow_sentences_fail_as_pandas_sentences(tables: dict[str, pd.DataFrame]) -> None:
    broken = _broken_sentences(tables["sentences"])
    _same_failures(validate_sentences, _as_arrow(broken), _as_arrow(tables["documents"]))


def test_arrow_claims_fail_as_pandas_claims(tables: dict[str, pd.DataFrame]) -> None:
    claims, sentences = _as_arrow(_broken_claims(tables["claims"])), tables["sentences"]
    assert {
        "claims_have_evidence",
        "evidence_cue_equals_sentence_slice",
        "sentence_has_claim_row",
        "claim_has_sentence",
        "str_length(1, None)",
        "less_than_or_equal_to(1.0)",
        "verifiable_follows_type",
        "is_claim_agrees_with_type",
    } <= set(validate_claims(claims, sentences).counts_by_check())
    _same_failures(validate_claims, claims, _as_arrow(sentences))


def _without_start(claims: pa.Table) -> pa.Table:
    """``claims`` with evidence items that have no ``start`` field at all."""
    item = pa.struct([field for field in EVIDENCE if field.name != "start"])
    cells = [
        [{name: value for name, value in entry.items() if name != "start"} for entry in items]
        for items in claims["evidence"].to_pylist()
    ]
    column = claims.schema.get_field_index("evidence")
    return claims.set_column(column, "evidence", pa.array(cells, type=pa.list_(item)))


def test_evidence_items_without_offsets_fail_as_arrow_and_pandas(
    tables: dict[str, pd.DataFrame],
) -> None:
    """A null evidence item, or items without a ``start`` field, fail the offset check."""
    claims = tables["claims"].copy()
    with_evidence = claims["evidence"].map(len) > 0
    row = claims.index[with_evidence][0]
    claims.at[row, "evidence"] = [None, *claims.at[row, "evidence"]]
    sentences = _as_arrow(tables["sentences"])
    cases = [
        (_as_arrow(claims), {claims.at[row, "sentence_id"]}),
        (_without_start(_as_arrow(tables["claims"])), set(claims["sentence_id"][with_evidence])),
    ]
    for broken, failing in cases:
        report = validate_claims(broken, sentences)
        assert _failing_keys(report, "evidence_cue_equals_sentence_slice") == failing
        _same_failures(validate_claims, broken, sentences)


def test_arrow_documents_and_rejects_fail_as_pandas(tables: dict[str, pd.DataFrame]) -> None:
    documents, rejects = tables["documents"].copy(), tables["rejects"].copy()
    documents.at[0, "sha256"] = "0" * 63
    documents.at[1, "lang"] = "english"
    documents.at[2, "text"] = "Padded. "
    documents.at[3, "n_chars"] = 1
    documents = documents.iloc[:-1]
    rejects.at[0, "input_id"] = "short"
    rejects.at[1, "reason"] = "because"
    raw_ids = pa.chunked_array([pa.array(tables["raw"]["input_id"])])
    _same_failures(
        lambda documents, rejects: validate_documents(
            documents, rejects, raw_ids if isinstance(documents, pa.Table) else raw_ids.to_pandas()
        ),
        _as_arrow(documents),
        _as_arrow(rejects),
    )
    _same_failures(validate_rejects, _as_arrow(rejects))


def test_stored_arrow_tables_pass(tables: dict[str, pd.DataFrame]) -> None:
    """The tables as the stages hold them (Arrow, with the stored schemas) pass."""
    from pipeline.claims import claims_table
    from pipeline.tables import DOCUMENTS, REJECTS, SENTENCES, to_arrow

    documents = to_arrow(tables["documents"], DOCUMENTS)
    rejects = to_arrow(tables["rejects"], REJECTS)
    sentences = to_arrow(tables["sentences"], SENTENCES)
    reports = [
        validate_documents(documents, rejects, pa.array(tables["raw"]["input_id"])),
        validate_rejects(rejects),
        validate_sentences(sentences, documents),
        validate_claims(claims_table(sentences), sentences),
    ]
    for report in reports:
        assert report.passed, report.summary()


def test_empty_arrow_tables_pass_every_check() -> None:
    from pipeline.tables import CLAIMS, SENTENCES

    sentences = SENTENCES.empty_table()
    assert validate_claims(CLAIMS.empty_table(), sentences).passed
