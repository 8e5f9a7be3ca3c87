"""The promises every ``tag_claims`` result keeps, checked in one place by the property tests."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd
import pyarrow as pa


def assert_tags_consistent(sentences: Sequence[str], frame: pd.DataFrame) -> None:
    """One row per sentence; scores in [0, 1]; every evidence cue slices out of its sentence;
    ``is_claim`` and ``verifiable`` follow the claim type; positives carry evidence; topics
    are sorted and unique."""
    assert len(frame) == len(sentences)
    assert frame["checkworthiness"].between(0.0, 1.0).all()
    for sentence, row in zip(sentences, frame.itertuples(index=False), strict=True):
        for item in row.evidence:
            assert item["cue"]
            assert sentence[item["start"] : item["end"]] == item["cue"]
        assert row.is_claim == (row.claim_type != "not_a_claim")
        assert row.verifiable == (row.claim_type not in ("not_a_claim", "personal_experience"))
        if row.is_claim:
            assert len(row.evidence) > 0
        assert list(row.topics) == sorted(set(row.topics))


def assert_arrow_matches_frame(table: pa.Table, frame: pd.DataFrame) -> None:
    """The Arrow form of the tags holds exactly the values of the pandas form, row by row
    (checkworthiness bit for bit)."""
    assert table.num_rows == len(frame)
    for got, row in zip(table.to_pylist(), frame.to_dict("records"), strict=True):
        assert set(got) == set(row)
        for name, value in row.items():
            if name == "checkworthiness":
                assert math.isclose(got[name], value, rel_tol=0.0, abs_tol=0.0)
            else:
                assert got[name] == (list(value) if name in ("topics", "evidence") else value)
