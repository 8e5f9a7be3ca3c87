"""Tests of the trained claim mode on a small hand-made labelled set (no shared data)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.text import model as model_module
from pipeline.text.model import (
    RULE_FEATURES,
    ClaimModel,
    load_claim_model,
    stored_weights_sha256,
    train_claim_model,
)
from pipeline.text.tagging import CLAIM_TYPES, COLUMNS, tag_claims
from tests.text.tag_invariants import assert_tags_consistent

SUBJECTS = ["BYD", "CATL", "Huawei", "The steel sector", "Robot makers", "Solar exporters"]
FACTS = [
    "{} shipped 3.2 million vehicles in 2023.",
    "{} opened a battery plant in Hungary last year.",
    "{} employed 120,000 workers in Shenzhen in 2022.",
    "{} raised output by 18% after the new subsidies.",
    "{} received a licence from the ministry in March.",
]
OPINIONS = [
    "I think {} should dream bigger.",
    "What will {} do next?",
    "Thank you all for coming tonight, and {} too.",
    "We must believe in {} and in each other.",
    "Wow, {} is just wonderful!",
]
TEXTS = [t.format(s) for s in SUBJECTS for t in FACTS] + [
    t.format(s) for s in SUBJECTS for t in OPINIONS
]
LABELS = [True] * (len(SUBJECTS) * len(FACTS)) + [False] * (len(SUBJECTS) * len(OPINIONS))

UNSEEN_FACT = "Xiaomi sold 40,000 cars in Beijing in 2024."
UNSEEN_OPINION = "I think we should all be grateful tonight."


@pytest.fixture(scope="module")
def model() -> ClaimModel:
    return train_claim_model(TEXTS, LABELS, seed=0)


def test_learns_the_synthetic_task(model: ClaimModel) -> None:
    probs = model.predict_proba([UNSEEN_FACT, UNSEEN_OPINION])
    assert probs[0] > model.threshold > probs[1]
    assert model.predict(TEXTS).tolist() == LABELS


def test_metrics_and_metadata(model: ClaimModel) -> None:
    for key in ("precision", "recall", "f1"):
        assert 0.0 <= model.metrics[key] <= 1.0
    assert model.metrics["held_out"] == 12  # stratified 20% of 60
    assert model.metrics["trained_on"] == len(TEXTS)
    assert 0.0 <= model.threshold <= 1.0
    assert len(model.training_sha256) == 64
    assert model.params["seed"] == 0
    assert model.params["C"] in model.params["C_grid"]
    assert 0.0 <= model.metrics["out_of_fold_f1"] <= 1.0
    names = model.feature_names
    assert len(names) == len(model.coef)
    assert names[: len(RULE_FEATURES)] == list(RULE_FEATURES)
    assert any(name.startswith("word:") for name in names)
    assert any(name.startswith("char:") for name in names)


def test_regularisation_is_the_grid_value_with_the_best_out_of_fold_f1() -> None:
    y = np.array([True, True, False, False])
    useless = np.array([0.5, 0.4, 0.6, 0.3])
    perfect = np.array([0.9, 0.8, 0.2, 0.1])
    grid = model_module._C_GRID
    oof = np.stack([useless, perfect, perfect, useless][: len(grid)])
    c, threshold, f1 = model_module._choose(oof, y)
    assert (c, f1) == (grid[1], 1.0)  # the smaller of two equally good values
    assert 0.2 < threshold <= 0.8


def test_tag_claims_with_model_keeps_columns_dtypes_and_invariants(model: ClaimModel) -> None:
    sentences = [*TEXTS, UNSEEN_FACT, UNSEEN_OPINION, "", "   ", "?!"]
    frame = tag_claims(sentences, model=model)
    rules = tag_claims(sentences)
    assert list(frame.columns) == list(COLUMNS)
    assert isinstance(frame.index, pd.RangeIndex)
    assert frame.dtypes.to_dict() == rules.dtypes.to_dict()
    assert frame["claim_type"].isin(CLAIM_TYPES).all()
    assert frame["checkworthiness"].between(0.0, 1.0).all()
    np.testing.assert_array_equal(
        frame["checkworthiness"].to_numpy(), model.predict_proba(sentences)
    )
    assert (frame["is_claim"] == (frame["checkworthiness"] >= model.threshold)).all()
    assert (frame["is_claim"] == (frame["claim_type"] != "not_a_claim")).all()
    expected = ~frame["claim_type"].isin(["not_a_claim", "personal_experience"])
    assert (frame["verifiable"] == expected).all()
    # Hedges, attribution and topics still come from the rules.
    for column in ("hedged", "attributed_to", "topics"):
        assert frame[column].tolist() == rules[column].tolist()
    # Sentences without a letter or digit score 0.
    assert frame["checkworthiness"].tolist()[-3:] == [0.0, 0.0, 0.0]


def test_empty_input_with_model_gives_empty_frame(model: ClaimModel) -> None:
    empty = tag_claims([], model=model)
    assert len(empty) == 0
    assert list(empty.columns) == list(COLUMNS)
    assert empty.dtypes.to_dict() == tag_claims([UNSEEN_FACT]).dtypes.to_dict()
    with pytest.raises(TypeError):
        tag_claims(UNSEEN_FACT, model=model)


def test_claim_type_comes_from_rules_or_other_claim(model: ClaimModel) -> None:
    sentences = [*TEXTS, UNSEEN_FACT]
    frame = tag_claims(sentences, model=model)
    rules = tag_claims(sentences)
    for (_, row), rule_type in zip(frame.iterrows(), rules["claim_type"], strict=True):
        if row["is_claim"]:
            assert row["claim_type"] == ("other_claim" if rule_type == "not_a_claim" else rule_type)


def test_positives_are_explained_with_valid_offsets(model: ClaimModel) -> None:
    sentences = [*TEXTS, UNSEEN_FACT, UNSEEN_OPINION]
    frame = tag_claims(sentences, model=model)
    assert frame["is_claim"].any()
    for sentence, row in zip(sentences, frame.itertuples(index=False), strict=True):
        if row.is_claim:
            assert 1 <= len(row.evidence) <= 3
        for item in row.evidence:
            assert set(item) == {"rule", "cue", "start", "end"}
            assert item["rule"].startswith("model:")
            assert item["cue"]
            assert sentence[item["start"] : item["end"]] == item["cue"]
        starts = [item["start"] for item in row.evidence]
        assert starts == sorted(starts)
    fact = frame.iloc[len(TEXTS)]
    assert fact["is_claim"]
    assert {item["rule"].split(":")[1] for item in fact["evidence"]} <= {
        "rule",
        "type",
        "word",
        "char",
        "bias",
    }


def test_rule_features_point_at_their_cues(model: ClaimModel) -> None:
    frame = tag_claims([UNSEEN_FACT], model=model)
    rule_cues = tag_claims([UNSEEN_FACT])["evidence"][0]
    spans = {(item["start"], item["end"]) for item in rule_cues}
    for item in frame["evidence"][0]:
        if item["rule"].startswith(("model:rule:", "model:type:")):
            assert (item["start"], item["end"]) in spans


def test_save_load_round_trip_gives_identical_predictions(model: ClaimModel, tmp_path) -> None:
    directory = model.save(tmp_path / "claims-model")
    assert sorted(p.name for p in directory.iterdir()) == ["arrays.npz", "model.json"]
    document = json.loads((directory / "model.json").read_text(encoding="utf-8"))
    for key in (
        "threshold",
        "intercept",
        "metrics",
        "training_sha256",
        "created_at",
        "sklearn_version",
        "feature_names",
    ):
        assert key in document
    loaded = load_claim_model(directory)
    sentences = [*TEXTS, UNSEEN_FACT, UNSEEN_OPINION, "Ünïcode ﬁnance İstanbul 5%."]
    pd.testing.assert_frame_equal(
        tag_claims(sentences, model=loaded), tag_claims(sentences, model=model)
    )
    assert loaded.threshold == model.threshold
    assert loaded.metrics == model.metrics
    assert loaded.feature_names == model.feature_names


def test_load_refuses_tampered_arrays(model: ClaimModel, tmp_path) -> None:
    directory = model.save(tmp_path / "m")
    (directory / "arrays.npz").write_bytes((directory / "arrays.npz").read_bytes() + b"x")
    with pytest.raises(ValueError, match="sha256"):
        load_claim_model(directory)
    (directory / "model.json").write_text('{"format": "something else"}', encoding="utf-8")
    with pytest.raises(ValueError, match="not a claimset claim model"):
        load_claim_model(directory)


def test_weights_digest_is_stored_checked_and_tracks_the_weights(
    model: ClaimModel, tmp_path
) -> None:
    directory = model.save(tmp_path / "m")
    assert stored_weights_sha256(directory) == model.weights_sha256()
    other = train_claim_model(TEXTS, [not label for label in LABELS], seed=0)
    assert other.weights_sha256() != model.weights_sha256()
    document = json.loads((directory / "model.json").read_text(encoding="utf-8"))
    document["threshold"] = document["threshold"] + 0.01
    (directory / "model.json").write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ValueError, match="weights_sha256"):
        load_claim_model(directory)
    # A model saved before the digest was recorded still loads; its digest is computed.
    document["threshold"] = model.threshold
    del document["weights_sha256"]
    (directory / "model.json").write_text(json.dumps(document), encoding="utf-8")
    assert load_claim_model(directory).threshold == model.threshold
    assert stored_weights_sha256(directory) == model.weights_sha256()


def test_training_is_deterministic(model: ClaimModel) -> None:
    again = train_claim_model(TEXTS, LABELS, seed=0)
    np.testing.assert_array_equal(again.coef, model.coef)
    assert again.threshold == model.threshold
    assert again.metrics == model.metrics
    assert again.training_sha256 == model.training_sha256
    assert again.weights_sha256() == model.weights_sha256()
    sentences = [UNSEEN_FACT, UNSEEN_OPINION]
    pd.testing.assert_frame_equal(
        tag_claims(sentences, model=again), tag_claims(sentences, model=model)
    )


def test_refuses_mismatched_lengths() -> None:
    with pytest.raises(ValueError, match="labels"):
        train_claim_model(TEXTS, LABELS[:-1])


def test_refuses_single_class_labels() -> None:
    with pytest.raises(ValueError, match="positive and"):
        train_claim_model(TEXTS, [True] * len(TEXTS))
    with pytest.raises(ValueError, match="positive and"):
        train_claim_model(TEXTS, [False] * len(TEXTS))


def test_refuses_non_bool_labels_and_non_string_texts() -> None:
    with pytest.raises(ValueError, match="not a bool"):
        train_claim_model(TEXTS, ["yes"] * len(TEXTS))
    with pytest.raises(TypeError):
        train_claim_model([*TEXTS[:-1], 5], LABELS)
    with pytest.raises(TypeError):
        train_claim_model("one string", [True])


FRAGMENT = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=12),
    st.text(st.sampled_from(list(" .,%$¥?'’-“”0123456789IiAaEeVv\t\n")), max_size=12),
    st.sampled_from(
        [
            "BYD ",
            "shipped ",
            "million ",
            "in 2023",
            "I think ",
            "should ",
            "according to ",
            "İ",
            "ß",
            "ﬁ",
            "Thank you",
            "18%",
        ]
    ),
)
TEXT = st.lists(FRAGMENT, max_size=14).map("".join)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(TEXT, max_size=8))
def test_arbitrary_text_with_model_keeps_invariants(sentences: list[str]) -> None:
    model = _shared_model()
    frame = tag_claims(sentences, model=model)
    assert_tags_consistent(sentences, frame)
    assert (frame["is_claim"] == (frame["checkworthiness"] >= model.threshold)).all()


_CACHE: list[ClaimModel] = []


def _shared_model() -> ClaimModel:
    # Hypothesis cannot take function-scoped fixtures; train once per session instead.
    if not _CACHE:
        _CACHE.append(train_claim_model(TEXTS, LABELS, seed=0))
    return _CACHE[0]
