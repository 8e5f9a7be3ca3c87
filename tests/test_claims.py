"""Tests of the claims stage: the Arrow path equals the pandas path, with the CLAIMS schema."""

from __future__ import annotations

import pyarrow as pa
import pytest

from pipeline.claims import RULE_TAGGER, claims_table, tag_sentences
from pipeline.tables import CLAIMS, SENTENCES, to_arrow, to_pandas
from pipeline.text import train_claim_model

TEXTS = [
    "China's NEV exports rose 25% in 2023.",
    "Output is expected to double by 2030.",
    "I think we should be more ambitious.",
    "Dr. Chen said the plant would open in May.",
    "What does this mean for Europe?",
    "CATL opened a new plant in Hungary.",
    "Thanks for reading.",
    "Battery prices fell by more than half over the decade.",
]


def _sentences(texts: list[str]) -> pa.Table:
    n = len(texts)
    return pa.Table.from_pydict(
        {
            "sentence_id": [f"s{i}" for i in range(n)],
            "doc_id": [f"d{i // 3}" for i in range(n)],
            "index": [i % 3 for i in range(n)],
            "start": [0] * n,
            "end": [len(t) for t in texts],
            "text": texts,
        },
        schema=SENTENCES,
    )


def test_claims_table_equals_tag_sentences_in_rule_mode() -> None:
    sentences = _sentences(TEXTS)
    table = claims_table(sentences)
    assert table.schema.equals(CLAIMS)
    assert table.column("tagger").to_pylist() == [RULE_TAGGER] * len(TEXTS)
    assert table.equals(to_arrow(tag_sentences(to_pandas(sentences)), CLAIMS))


def test_claims_table_equals_tag_sentences_in_trained_mode() -> None:
    texts = TEXTS * 4
    labels = [i % 2 == 0 for i in range(len(texts))]
    model = ("m", train_claim_model(texts, labels, seed=0))
    sentences = _sentences(TEXTS)
    table = claims_table(sentences, model=model)
    assert table.schema.equals(CLAIMS)
    assert set(table.column("tagger").to_pylist()) == {"model/m"}
    assert table.equals(to_arrow(tag_sentences(to_pandas(sentences), model=model), CLAIMS))


def test_claims_table_of_no_sentences_is_empty_with_the_schema() -> None:
    table = claims_table(SENTENCES.empty_table())
    assert table.num_rows == 0
    assert table.schema.equals(CLAIMS)


def test_claims_table_names_a_missing_column() -> None:
    with pytest.raises(KeyError, match="text"):
        claims_table(_sentences(TEXTS).drop_columns(["text"]))
