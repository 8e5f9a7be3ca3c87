"""The blocking asset checks across shards: they pass on a real run and each cross-shard
check fails, with the offending values named, when its invariant is broken."""

from __future__ import annotations

import dataclasses

import pytest

from assets.checks import claims_schema, documents_schema, rejects_schema, sentences_schema
from pipeline.compute import SerialBackend
from pipeline.engine import ShardedTable
from tests.conftest import write_corpus
from tests.test_engine import run_stages


@pytest.fixture(scope="module")
def tables(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ShardedTable]:
    root = tmp_path_factory.mktemp("checks")
    write_corpus(root / "raw")
    return run_stages(root / "raw", root / "data", SerialBackend(), 2_000)


def _failed(result) -> dict[str, str]:
    assert not result.passed
    return {line.split("'")[1]: line for line in result.description.splitlines()[1:]}


def test_every_check_passes_on_a_real_run(tables: dict[str, ShardedTable]) -> None:
    assert len(tables["documents"].parts) > 1
    results = [
        documents_schema(clean_documents=tables["documents"], rejects=tables["rejects"]),
        rejects_schema(rejects=tables["rejects"]),
        sentences_schema(sentences=tables["sentences"]),
        claims_schema(claims=tables["claims"]),
    ]
    assert [result.passed for result in results] == [True] * 4


def test_a_document_in_two_shards_fails_uniqueness_and_accounting(
    tables: dict[str, ShardedTable],
) -> None:
    documents = tables["documents"]
    doubled = dataclasses.replace(documents, parts=documents.parts + documents.parts[:1])
    failures = _failed(documents_schema(clean_documents=doubled, rejects=tables["rejects"]))
    assert set(failures) == {"doc_id_unique", "inputs_are_documents_plus_rejects"}
    repeated = documents.parts[0].rows
    assert f"failed on {repeated} rows" in failures["doc_id_unique"]


def test_a_duplicate_naming_no_document_fails(tables: dict[str, ShardedTable]) -> None:
    rejects = tables["rejects"]
    named = rejects.read()["duplicate_of"].dropna()
    assert len(named) >= 1  # the corpus holds an exact copy of the essay
    without = dataclasses.replace(
        tables["documents"], parts=(), extra=tables["documents"].extra | {"inputs": 0}
    )
    failures = _failed(documents_schema(clean_documents=without, rejects=rejects))
    assert f"failed on {len(named)} rows" in failures["duplicate_of_is_a_document"]
    assert named.iloc[0] in failures["duplicate_of_is_a_document"]


def test_a_reject_in_two_shards_fails_uniqueness(tables: dict[str, ShardedTable]) -> None:
    rejects = tables["rejects"]
    part = next(part for part in rejects.parts if part.rows)
    failures = _failed(rejects_schema(rejects=dataclasses.replace(rejects, parts=(part, part))))
    assert set(failures) == {"input_id_unique"}
    assert f"failed on {part.rows} rows" in failures["input_id_unique"]
