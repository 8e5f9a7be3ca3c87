"""Tests of the batch machinery of the rule tagger: Arrow output, whole-batch scanning,
RE2 prefilters, the split scans and the context checks, against straightforward references."""

from __future__ import annotations

import re

import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.text import tagging
from pipeline.text.tagging import ARROW_SCHEMA, COLUMNS, tag_claims, tag_claims_arrow
from tests.text.tag_invariants import assert_arrow_matches_frame

FRAGMENT = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=10),
    st.text(st.sampled_from(list(" \t\n\x00.,%$¥?'’-“”0123456789IiWwAaEeVv")), max_size=10),
    st.sampled_from(
        [
            "i ",
            "we ",
            "really ",
            "do ",
            "think ",
            "visited ",
            "was ",
            "we've closed ",
            "He said ",
            "Ohio has 88 counties ",
            "Emily is a graduate ",
            "in Hefei ",
            "upgraded ",
            "indeed ",
            "dedicated ",
            "I'm ",
            "U.S. ",
            "according to the NBS ",
            "some external observers ",
            "up to 5 ",
            "since 2019 ",
            "by 2030",
            "1990s ",
            "EV ",
            "electric-vehicle ",
            "solar panels ",
            "May ",
            "© ",
            "ﬁ",
            "İ",
        ]
    ),
)
TEXT = st.lists(FRAGMENT, max_size=12).map("".join)
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

SENTENCES = [
    "China's NEV exports rose 25% in 2023.",
    "I really do think we should be more ambitious.",
    "Dr. Chen said the plant would open in May.",
    "According to the ministry, output reached 3.5 million units.",
    "We've closed three plants since 2019.",
    "Leave a reply",
    "",
    "What does this mean for Europe?",
]


def test_arrow_output_has_the_schema_and_the_values_of_the_frame() -> None:
    table = tag_claims_arrow(SENTENCES)
    assert table.schema.equals(ARROW_SCHEMA)
    assert table.column_names == list(COLUMNS)
    assert_arrow_matches_frame(table, tag_claims(SENTENCES))


def test_arrow_input_gives_the_same_table() -> None:
    expected = tag_claims_arrow(SENTENCES)
    assert tag_claims_arrow(pa.array(SENTENCES)).equals(expected)
    chunked = pa.chunked_array([SENTENCES[:3], SENTENCES[3:]])
    assert tag_claims_arrow(chunked).equals(expected)


def test_empty_input_gives_an_empty_table() -> None:
    table = tag_claims_arrow([])
    assert table.num_rows == 0
    assert table.schema.equals(ARROW_SCHEMA)


def test_lone_surrogates_fall_back_to_python_scanning() -> None:
    sentences = ["We visited \ud800 a plant in 2023.", "Output rose 5% \udfff last year."]
    batch = tag_claims(sentences)
    for i, sentence in enumerate(sentences):
        alone = tag_claims([sentence]).iloc[0]
        assert batch.iloc[i].to_dict() == alone.to_dict()


@SETTINGS
@given(st.lists(TEXT, max_size=6))
def test_batch_rows_equal_sentences_tagged_alone(sentences: list[str]) -> None:
    batch = tag_claims_arrow(sentences)
    assert_arrow_matches_frame(batch, tag_claims(sentences))
    for i, sentence in enumerate(sentences):
        assert batch.slice(i, 1).to_pylist() == tag_claims_arrow([sentence]).to_pylist()


def _matches(array: pa.Array, pattern: str) -> list[bool]:
    return pc.match_substring_regex(array, pattern).to_pylist()


@SETTINGS
@given(TEXT)
def test_prefilters_keep_every_sentence_the_exact_patterns_match(sentence: str) -> None:
    low = tagging._same_length_lower(sentence)
    filters = tagging._prefilters()
    topics = tagging._compile_topics(tagging._default_lexicon())
    lows, texts = pa.array([low]), pa.array([sentence])
    if re.search(r"\d", low):
        assert _matches(lows, filters["digit"]) == [True]
    if tagging._PAST_STATEMENT_RE.search(low):
        assert _matches(lows, filters["past"]) == [True]
    if tagging._NAMED_STATEMENT_RE.search(sentence):
        assert _matches(texts, filters["named"]) == [True]
    if topics.regex.search(low):
        assert _matches(lows, topics.prefilter) == [True]


def _subject_start_reference(
    low: str, pos: int, subjects: frozenset[str], fillers: frozenset[str]
) -> int | None:
    """The first-person check written as a walk back over at most four words."""
    for _ in range(4):
        found = tagging._word_before(low, pos)
        if found is None:
            return None
        word, start = found
        if word in subjects:
            return start
        if word not in fillers:
            return None
        pos = start
    return None


@SETTINGS
@given(TEXT)
def test_reversed_first_person_regex_equals_the_word_walk(sentence: str) -> None:
    low = tagging._same_length_lower(sentence)
    reverse = low[::-1]
    cases = (
        ("fp_opinion", tagging._FP_OPINION_SUBJECTS, tagging._FP_OPINION_FILLERS),
        ("fp_personal", tagging._FP_PERSONAL_SUBJECTS, tagging._FP_PERSONAL_FILLERS),
    )
    for name, subjects, fillers in cases:
        regex = tagging._FP_SUBJECT_BEFORE[tagging._CHECKS.index(name)]
        for pos in range(len(low) + 1):
            found = regex.match(reverse, len(low) - pos)
            got = None if found is None else len(low) - found.end()
            assert got == _subject_start_reference(low, pos, subjects, fillers)


@SETTINGS
@given(TEXT)
def test_question_and_short_by_re2_equal_the_python_definitions(sentence: str) -> None:
    batch = tagging._Batch.of([sentence], None)
    if batch.arrow is None:
        return
    question, short = tagging._question_and_short(batch)
    assert question.tolist() == [sentence.rstrip(tagging._QUESTION_TAIL).endswith("?")]
    assert short.tolist() == [len(sentence.split(None, 3)) < 4]


_PAST_EVENT_REFERENCE = re.compile(
    rf"(?<![\w'])(?!(?:{tagging._PARTICIPLE_ADJECTIVES})(?![\w']))[a-z]{{3,}}ed(?![\w'])"
)
_ACTOR_REFERENCE = re.compile(r"(?<=[a-z\d,;:][ \t])(?!I\b)[A-Z](?:[\w'’&-]|\.(?=\w))*")


@SETTINGS
@given(TEXT)
def test_fast_statement_regexes_equal_their_plain_forms(sentence: str) -> None:
    low = tagging._same_length_lower(sentence)
    size = len(low)
    reversed_spans = [
        (size - m.end(), size - m.start())
        for m in tagging._PAST_EVENT_REVERSED_RE.finditer(low[::-1])
    ]
    assert sorted(reversed_spans) == [m.span() for m in _PAST_EVENT_REFERENCE.finditer(low)]
    assert [m.span() for m in tagging._ACTOR_RE.finditer(sentence)] == [
        m.span() for m in _ACTOR_REFERENCE.finditer(sentence)
    ]


SPLIT_FRAGMENT = st.one_of(
    FRAGMENT,
    st.sampled_from(
        [
            "“",
            "—",
            "\u00a0",
            "\u3000",
            "«",
            "©©",
            "second-largest ",
            "second\u00a0largest ",
            "“second-largest ",
            "artificial\u00a0intelligence ",
            "new\u2011energy vehicles ",
            "officials said ",
            "Dr. Chen, has said ",
            "“Xinhua said ",
            "the state council said ",
            "us$5 ",
            "rmb$6 ",
            "5 rmb$6 ",
            "€1,000.5 million ",
            "2020s ",
            "3-fold ",
        ]
    ),
)
SPLIT_TEXTS = st.lists(st.lists(SPLIT_FRAGMENT, max_size=10).map("".join), max_size=6)
_ODD_LEXICON = {"odd": ["é", "straße", "x—y", "a\u00a0b", "ai", "chip"]}


def _pairs(spans: tuple) -> list[tuple[int, int]]:
    return list(zip(spans[0].tolist(), spans[1].tolist(), strict=True))


def _plain_spans(regex: re.Pattern[str], batch: tagging._Batch, rows: list[int]) -> list:
    return [
        (int(batch.offsets[r]) + m.start(), int(batch.offsets[r]) + m.end())
        for r in rows
        for m in regex.finditer(batch.lows[r])
    ]


@SETTINGS
@given(SPLIT_TEXTS)
def test_split_word_scans_equal_the_plain_patterns(sentences: list[str]) -> None:
    batch = tagging._Batch.of(sentences, None)
    rows = list(range(len(sentences)))
    cues = tagging._CUES
    found = tagging._word_spans(cues.regex, cues.split, batch, tagging._Joined.lows_of(batch))
    assert _pairs(found) == _plain_spans(cues.regex, batch, rows)
    for lexicon in (tagging._default_lexicon(), tagging._freeze(_ODD_LEXICON)):
        topics = tagging._compile_topics(lexicon)
        joined = tagging._Joined.of(batch.lows, rows, batch.offsets, topics.separator)
        found = tagging._word_spans(topics.regex, topics.split, batch, joined)
        assert _pairs(found) == _plain_spans(topics.regex, batch, rows)


@SETTINGS
@given(st.lists(SPLIT_FRAGMENT, max_size=12).map("".join))
def test_number_halves_find_the_number_pattern(sentence: str) -> None:
    low = tagging._same_length_lower(sentence)
    expected = [m.span() for m in tagging._NUMBER_RE.finditer(low)]
    assert _pairs(tagging._number_spans(low)) == expected


@SETTINGS
@given(st.lists(SPLIT_FRAGMENT, max_size=12).map("".join))
def test_subject_end_check_never_rejects_a_subject(sentence: str) -> None:
    reverse = sentence[::-1]
    for pos in range(len(sentence) + 1):
        if tagging._SUBJECT_BEFORE_RE.search(sentence, max(0, pos - 80), pos) is not None:
            assert tagging._SUBJECT_END_REVERSED_RE.match(reverse, len(sentence) - pos)


_INSTITUTION_REFERENCE = (
    r"(?<!\w)(?:(?:the|its|their|our|a|an)\s+)?(?:(?:"
    + "|".join(sorted(tagging._SOURCE_MODIFIERS - {"the"}, key=len, reverse=True)).replace(
        ".", r"\."
    )
    + r")\s+){0,3}(?:"
    + tagging._SOURCE_NOUNS.replace(" ", r"\s+")
    + ")"
)
_SUBJECT_REFERENCE = re.compile(
    rf"(?:(?P<name>{tagging._NAME})|(?P<np>(?i:{_INSTITUTION_REFERENCE})))"
    rf"\s*,?\s+(?:(?:{tagging._REPORT_FILLERS})\s+)?\Z"
)


@SETTINGS
@given(st.lists(SPLIT_FRAGMENT, max_size=12).map("".join))
def test_subject_regex_equals_its_plain_alternation(sentence: str) -> None:
    for pos in range(len(sentence) + 1):
        window = max(0, pos - 80)
        found = tagging._SUBJECT_BEFORE_RE.search(sentence, window, pos)
        expected = _SUBJECT_REFERENCE.search(sentence, window, pos)
        assert (found and (found.span("name"), found.span("np"))) == (
            expected and (expected.span("name"), expected.span("np"))
        )
