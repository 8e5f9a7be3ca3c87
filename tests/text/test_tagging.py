"""Tests of the rule-based claim tagger: types, evidence offsets, dtypes, topics, properties."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.text.tagging import (
    CLAIM_TYPES,
    COLUMNS,
    TYPE_RULES,
    load_topic_lexicon,
    tag_claims,
)
from tests.text.tag_invariants import assert_tags_consistent

TYPED = [
    ("China's NEV exports rose 25% in 2023.", "quantity"),
    ("BYD is now the world's largest maker of electric vehicles.", "quantity"),
    ("Industrial robot installations doubled between 2017 and 2022.", "quantity"),
    ("Battery prices fell by more than half over the decade.", "quantity"),
    ("The 14th Five-Year Plan sets targets for digital industries.", "law_rule"),
    ("Made in China 2025 names ten priority sectors.", "law_rule"),
    ("Brussels imposed countervailing tariffs on Chinese EVs.", "law_rule"),
    ("Exporters must obtain a licence for gallium shipments.", "law_rule"),
    ("Output is expected to double by 2030.", "prediction"),
    ("Humanoid robots will enter car factories within five years.", "prediction"),
    ("Chip demand could slow next year.", "prediction"),
    ("Rising labor costs led to automation in coastal factories.", "correlation_causation"),
    ("Cheap solar panels drove the boom in rooftop installations.", "correlation_causation"),
    ("Many suppliers moved inland because of lower wages.", "correlation_causation"),
    ("I visited a battery plant in Ningde last year.", "personal_experience"),
    ("We toured a lights-out factory near Shenzhen.", "personal_experience"),
    ("According to the ministry, the sector employs skilled technicians.", "other_claim"),
    ("Some external observers voice concerns over intellectual property issues.", "other_claim"),
    ("New quality productive forces refers to advanced, innovative production.", "other_claim"),
    ("CATL opened a new plant in Hungary.", "other_claim"),
    ("Ningde is a coastal city in Fujian.", "other_claim"),
    ("We have upgraded every assembly line in the plant.", "other_claim"),
    ("It changed the way suppliers ship parts.", "other_claim"),
    ("Engineers in Shenzhen describe the change with a simple phrase.", "other_claim"),
    ("Local governments upgraded the industrial parks around the port.", "other_claim"),
    ("That's why we need to support robotics research.", "not_a_claim"),
    ("We must fight unfair tariffs together.", "not_a_claim"),
    ("What does this mean for Europe?", "not_a_claim"),
    ("Leave a reply", "not_a_claim"),
    ("Thanks for reading.", "not_a_claim"),
    ("I think we should be more ambitious.", "not_a_claim"),
    ("This is a fascinating time to be alive.", "not_a_claim"),
    ("It feels like a different era for the workshop.", "not_a_claim"),
    ("The team on the line is dedicated and highly skilled.", "not_a_claim"),
    ("I think Shenzhen has changed a lot.", "not_a_claim"),
    ("", "not_a_claim"),
]


@pytest.mark.parametrize(("sentence", "expected"), TYPED)
def test_claim_type(sentence: str, expected: str) -> None:
    row = tag_claims([sentence]).iloc[0]
    assert row["claim_type"] == expected, row["evidence"]
    assert row["is_claim"] == (expected != "not_a_claim")


def test_one_row_per_sentence_in_order_with_exact_dtypes() -> None:
    sentences = [s for s, _ in TYPED]
    frame = tag_claims(sentences)
    assert list(frame.columns) == list(COLUMNS)
    assert isinstance(frame.index, pd.RangeIndex)
    assert len(frame) == len(sentences)
    assert frame["claim_type"].tolist() == [t for _, t in TYPED]
    assert frame["is_claim"].dtype == bool
    assert frame["verifiable"].dtype == bool
    assert frame["hedged"].dtype == bool
    assert frame["checkworthiness"].dtype == "float64"
    assert frame["claim_type"].isin(CLAIM_TYPES).all()
    # Row order follows input order, also when the same sentences come reversed.
    backwards = tag_claims(sentences[::-1])
    assert backwards["claim_type"].tolist() == frame["claim_type"].tolist()[::-1]


def test_empty_input_gives_empty_frame_with_columns_and_dtypes() -> None:
    empty = tag_claims([])
    full = tag_claims(["China's NEV exports rose 25% in 2023."])
    assert len(empty) == 0
    assert list(empty.columns) == list(COLUMNS)
    assert isinstance(empty.index, pd.RangeIndex)
    assert empty.dtypes.to_dict() == full.dtypes.to_dict()


def test_every_evidence_offset_slices_back_to_its_cue() -> None:
    sentences = [s for s, _ in TYPED] + [
        "Data show  sustained   growth; NEV sales rose 35.8% to ¥1.2 trillion.",
        "“Robots,” officials said, “will do 40% of welding by 2027.”",
    ]
    frame = tag_claims(sentences)
    for sentence, items in zip(sentences, frame["evidence"], strict=True):
        for item in items:
            assert set(item) == {"rule", "cue", "start", "end"}
            assert sentence[item["start"] : item["end"]] == item["cue"]
            assert item["cue"]


def test_every_positive_is_explained_by_its_evidence() -> None:
    frame = tag_claims([s for s, _ in TYPED])
    for _, row in frame[frame["is_claim"]].iterrows():
        rules = {item["rule"] for item in row["evidence"]}
        assert rules & TYPE_RULES[row["claim_type"]], row


def test_verifiable_follows_type_and_is_claim_agrees() -> None:
    frame = tag_claims([s for s, _ in TYPED])
    expected = ~frame["claim_type"].isin(["not_a_claim", "personal_experience"])
    assert (frame["verifiable"] == expected).all()
    assert (frame["is_claim"] == (frame["claim_type"] != "not_a_claim")).all()


def test_generic_statements_are_explained_by_the_statement_rule() -> None:
    frame = tag_claims(
        ["Ningde is a coastal city in Fujian.", "It changed the way suppliers ship."]
    )
    for items in frame["evidence"]:
        cues = [(item["rule"], item["cue"]) for item in items if item["rule"] == "statement"]
        assert cues in ([("statement", "Ningde is a")], [("statement", "It changed")])


def test_named_actors_and_past_events_explain_otherwise_untyped_sentences() -> None:
    frame = tag_claims(
        [
            "Engineers in Shenzhen describe the change.",
            "Local governments upgraded the parks.",
            "The workshop near Hefei makes motor controllers.",
            "CATL opened a new plant in Hungary.",
            "The staff are dedicated and skilled.",
        ]
    )
    cues = [[i["cue"] for i in items if i["rule"] == "statement"] for items in frame["evidence"]]
    # The last two: a sentence with a type cue ("opened") is not scanned again, and
    # participles mostly used as adjectives are no past event.
    assert cues == [["Shenzhen"], ["upgraded"], ["Hefei"], [], []]
    assert frame["claim_type"].tolist()[:3] == ["other_claim"] * 3


def test_opinion_outvotes_causal_and_legal_cues_but_not_numbers() -> None:
    frame = tag_claims(
        [
            "We must fight unfair tariffs together.",
            "I think we should be proud of the 30% rise.",
        ]
    )
    assert frame["claim_type"].tolist() == ["not_a_claim", "quantity"]


def test_hedges_and_attribution() -> None:
    frame = tag_claims(
        [
            "Output is expected to double by 2030.",
            "Shipments may fall this quarter.",
            "Shipments fell 3% this quarter.",
            "Some external observers voice concerns over market access.",
            "Data show sustained growth in high-tech manufacturing.",
            "According to the National Bureau of Statistics, output rose 7%.",
            "The government said it would cut red tape.",
            "Dr. Chen said the market is expected to follow.",
        ]
    )
    assert frame["hedged"].tolist() == [True, True, False, False, False, False, False, True]
    assert frame["attributed_to"].tolist() == [
        None,
        None,
        None,
        "Some external observers",
        "Data show",
        "According to the National Bureau of Statistics",
        "The government",
        "Dr. Chen",
    ]


def test_checkworthiness_ranks_facts_above_opinion_and_boilerplate() -> None:
    frame = tag_claims(
        [
            "China's NEV exports rose 25% in 2023, according to customs data.",
            "I think we should be more ambitious.",
            "Leave a reply",
        ]
    )
    score = frame["checkworthiness"].tolist()
    assert score[0] > 0.5 > score[1] > score[2] == 0.0
    assert frame["checkworthiness"].between(0.0, 1.0).all()


def test_topics_from_bundled_lexicon() -> None:
    frame = tag_claims(
        [
            "China's NEV exports rose 25% in 2023.",
            "Huawei designs AI chips for data centres.",
            "She said the rain came early.",  # "ai" inside words and lower case: no topic
            "The high speed rail network and the high-speed-rail fleet grew.",
            "Made in China 2025 promoted industrial robots.",
        ]
    )
    topics = frame["topics"].tolist()
    assert topics[0] == ["ev", "trade"]
    assert topics[1] == ["ai", "digital_economy", "semiconductors"]
    assert topics[2] == []
    assert topics[3] == ["high_speed_rail"]
    assert topics[4] == ["policy", "robotics"]
    for row_topics in topics:
        assert row_topics == sorted(set(row_topics))


def test_short_acronyms_are_case_sensitive() -> None:
    frame = tag_claims(["Ev charging is fine.", "EV charging is fine.", "ai is not AI here."])
    assert frame["topics"].tolist() == [[], ["ev"], ["ai"]]
    cues = [item["cue"] for item in frame["evidence"][2] if item["rule"] == "topic:ai"]
    assert cues == ["AI"]


def test_custom_topic_lexicon_and_loader(tmp_path) -> None:
    path = tmp_path / "lexicon.yaml"
    path.write_text("topics:\n  steel: [steel, blast furnace]\n  gpu: [GPU]\n", encoding="utf-8")
    lexicon = load_topic_lexicon(path)
    assert lexicon == {"steel": ["steel", "blast furnace"], "gpu": ["GPU"]}
    frame = tag_claims(["Blast-furnace steel output fell; gpu and GPU sales rose."], topics=lexicon)
    assert frame["topics"].tolist() == [["gpu", "steel"]]
    topic_cues = [(i["rule"], i["cue"]) for i in frame["evidence"][0] if i["rule"].startswith("t")]
    assert topic_cues == [
        ("topic:steel", "Blast-furnace"),
        ("topic:steel", "steel"),
        ("topic:gpu", "GPU"),
    ]
    assert tag_claims(["steel"], topics={})["topics"].tolist() == [[]]


def test_bundled_lexicon_has_the_manufacturing_topics() -> None:
    lexicon = load_topic_lexicon()
    for name in (
        "ev",
        "batteries",
        "solar",
        "robotics",
        "ai",
        "semiconductors",
        "aerospace",
        "high_speed_rail",
        "quantum",
        "biotech",
        "digital_economy",
        "talent",
        "supply_chains",
        "trade",
        "policy",
    ):
        assert lexicon[name], name


def test_rejects_a_single_string() -> None:
    with pytest.raises(TypeError):
        tag_claims("China's NEV exports rose 25% in 2023.")


def test_deterministic() -> None:
    sentences = [s for s, _ in TYPED]
    pd.testing.assert_frame_equal(tag_claims(sentences), tag_claims(sentences))


FRAGMENT = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=12),
    st.text(st.sampled_from(list(" .,%$¥?'’-“”0123456789IiAaEeVv")), max_size=12),
    st.sampled_from(
        [
            "will ",
            "rose ",
            "according to ",
            " said ",
            "AI ",
            "İ",
            "ß",
            "ﬁ",
            "I visited ",
            "by 2030",
            "in 2023 ",
            "Data show ",
            "Five-Year Plan",
        ]
    ),
)
TEXT = st.lists(FRAGMENT, max_size=14).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(TEXT, max_size=8))
def test_arbitrary_text_never_raises_and_keeps_invariants(sentences: list[str]) -> None:
    frame = tag_claims(sentences)
    assert_tags_consistent(sentences, frame)
    for row in frame[frame["is_claim"]].itertuples(index=False):
        assert {item["rule"] for item in row.evidence} & TYPE_RULES[row.claim_type]
