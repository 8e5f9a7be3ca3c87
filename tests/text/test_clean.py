"""Tests for pipeline.text.clean: repair, whitespace, unwrapping, boilerplate, idempotence."""

from __future__ import annotations

import re
import re._constants
import re._parser
import unicodedata

import ftfy
import pytest
from ftfy.badness import BADNESS_RE
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pipeline.text import clean
from pipeline.text.clean import clean_text

ESSAY = (
    "China’s factories are changing fast. Robot installations rose 7% in 2023.\n"
    "Analysts expect the pace to continue as battery plants automate their lines."
)

# --- repair -------------------------------------------------------------------------------


def test_mojibake_apostrophe_is_repaired() -> None:
    cleaned = clean_text("The company\u00e2\u20ac\u2122s robots are cheaper.")
    assert cleaned.text == "The company’s robots are cheaper."
    assert "repaired_mojibake" in cleaned.notes


def test_mojibake_double_quotes_are_repaired() -> None:
    broken = "He said \u00e2\u20ac\u0153reducers are the bottleneck\u00e2\u20ac\x9d today."
    assert clean_text(broken).text == "He said “reducers are the bottleneck” today."


def test_curly_quotes_full_width_and_chinese_punctuation_survive() -> None:
    text = "“Smart” factories – ‘fast’ lines.\n新质生产力（新能源汽车）：增长３５％！真的吗？"
    assert clean_text(text).text == text


def test_nfc_normalisation_without_nfkc() -> None:
    cleaned = clean_text("Cafe\u0301 robots ① ＡＢＣ")
    assert cleaned.text == "Café robots ① ＡＢＣ"


def test_html_entities_are_unescaped_even_when_double_escaped() -> None:
    assert (
        clean_text("R&amp;D spending &amp;rsquo; up &#8217; AT&T").text
        == "R&D spending ’ up ’ AT&T"
    )


def test_lone_surrogates_are_replaced() -> None:
    cleaned = clean_text("bad \ud800 surrogate")
    assert cleaned.text == "bad \ufffd surrogate"
    cleaned.text.encode("utf-8")  # must not raise


# --- control characters and whitespace ----------------------------------------------------


def test_control_characters_removed_but_newlines_kept() -> None:
    cleaned = clean_text("Output\x00 rose\x07 7%.\nExports\x1b fell.\x7f")
    assert cleaned.text == "Output rose 7%.\nExports fell."
    assert "removed_control_chars" in cleaned.notes


def test_tabs_odd_spaces_and_runs_become_one_space() -> None:
    text = "Output\trose\u00a0\u00a07%\u2009in   2023.\u3000Exports fell."
    assert clean_text(text).text == "Output rose 7% in 2023. Exports fell."


def test_all_newline_forms_become_single_newlines_without_blank_lines() -> None:
    text = "  First paragraph.\r\n\r\n\r\nSecond one.\rThird.\u2028Fourth.\u2029Fifth.  \n\n"
    assert clean_text(text).text == "First paragraph.\nSecond one.\nThird.\nFourth.\nFifth."


def test_whitespace_only_becomes_empty() -> None:
    assert clean_text(" \n\t\u00a0\r\n ").text == ""
    assert clean_text("").text == ""


# --- unwrapping ---------------------------------------------------------------------------


def test_hard_wrapped_paragraph_is_unwrapped() -> None:
    text = (
        "Robot density in Chinese manufacturing passed 470 units per\n"
        "10,000 workers in 2023, according to an industry body, which put\n"
        "the country ahead of\n"
        "Germany for the first time.\n"
        "Next paragraph starts here."
    )
    cleaned = clean_text(text)
    assert cleaned.text == (
        "Robot density in Chinese manufacturing passed 470 units per 10,000 workers in 2023, "
        "according to an industry body, which put the country ahead of Germany for the "
        "first time.\nNext paragraph starts here."
    )
    assert "unwrapped_lines" in cleaned.notes


def test_titles_list_items_and_finished_sentences_are_not_joined() -> None:
    text = (
        "Battery makers bet on scale\n"
        "production rose sharply in the last quarter of the year.\n"
        "- Output rose 35.8% to 9.5 million units in the year to December\n"
        "- exports grew.\n"
        "The plan was announced in 2015 by the State Council:\n"
        "ten sectors were named."
    )
    assert clean_text(text).text == text


def test_cjk_lines_are_never_joined_with_a_space() -> None:
    text = (
        "新质生产力是近年来中国经济政策中的关键词它强调以科技创新推动产业升级\n"
        "而不是依靠低成本劳动力"
    )
    assert clean_text(text).text == text


def test_hyphenated_line_break_keeps_the_hyphen_without_space() -> None:
    text = "Suppliers of lithium iron phosphate cells expanded their high-\ntech lines quickly."
    assert clean_text(text).text == (
        "Suppliers of lithium iron phosphate cells expanded their high-tech lines quickly."
    )


# --- markdown -----------------------------------------------------------------------------


def test_markdown_heading_markers_and_bold_dropped_lists_kept() -> None:
    text = "# Notes on policy\n\n## What matters\n\n- **Robots** first.\n- Batteries, e.g. LFP."
    cleaned = clean_text(text)
    assert cleaned.text == "Notes on policy\nWhat matters\n- Robots first.\n- Batteries, e.g. LFP."
    assert "stripped_markdown_headings" in cleaned.notes


def test_snake_case_and_arithmetic_are_not_treated_as_emphasis() -> None:
    text = "The field __init__ and 2**10**3 stay as written."
    assert clean_text(text).text == text


# --- boilerplate --------------------------------------------------------------------------


def test_chinese_reply_widget_at_end_of_english_essay_is_removed() -> None:
    cleaned = clean_text(ESSAY + "\n\n发表回复\n")
    assert cleaned.text == ESSAY
    assert "removed_boilerplate:reply_widget" in cleaned.notes


def test_reply_widget_removes_trailing_comment_form() -> None:
    form = (
        "Leave a Reply Cancel reply\n"
        "You must be logged in to post a comment.\n"
        "Your email address will not be published. Required fields are marked *\n"
        "Name *\nEmail *\nWebsite\n"
        "Save my name, email, and website in this browser for the next time I comment.\n"
        "Post Comment"
    )
    cleaned = clean_text(ESSAY + "\n" + form)
    assert cleaned.text == ESSAY
    assert cleaned.notes.count("removed_boilerplate:reply_widget") == 1


def test_share_bar_cookie_notice_and_other_furniture_removed() -> None:
    text = "\n".join(
        [
            "We use cookies to improve your experience. By continuing you agree to our policy.",
            "Accept all cookies | Cookie settings",
            "Share this:",
            "Share on Facebook | Tweet | Email",
            "Click to share on Twitter (Opens in new window)",
            "分享到：微信 微博",
            ESSAY,
            "Advertisement",
            "Read more »",
            "Subscribe to our weekly newsletter for more factory news",
            "Copyright © 2025 Factory Floor Weekly. All rights reserved.",
        ]
    )
    cleaned = clean_text(text)
    assert cleaned.text == ESSAY
    for kind in ("cookie_notice", "share_bar", "advertisement", "read_more", "newsletter"):
        assert f"removed_boilerplate:{kind}" in cleaned.notes
    assert "removed_boilerplate:copyright" in cleaned.notes


def test_real_sentences_mentioning_boilerplate_words_are_kept() -> None:
    text = (
        "Regulators said the app collects cookies and location data from drivers.\n"
        "Engineers share their designs on a Tweet-like internal board.\n"
        "Readers were invited to leave a reply on the ministry's consultation page by May.\n"
        "Copyright disputes over robot designs rose in 2024."
    )
    assert clean_text(text).text == text


def test_related_posts_block_at_the_end_is_removed() -> None:
    text = ESSAY + "\nRelated posts:\nSolar glass prices slide again\nRobot density in Guangdong"
    assert clean_text(text).text == ESSAY


def test_reply_widget_in_the_middle_removes_only_itself() -> None:
    long_tail = "\n".join(f"Paragraph {n} says output rose {n}% in the year." for n in range(20))
    cleaned = clean_text("Leave a comment\n" + long_tail)
    assert cleaned.text == long_tail


def test_everything_boilerplate_gives_empty_text() -> None:
    assert clean_text("Share this:\nTweet\nLeave a Reply").text == ""


# --- properties ---------------------------------------------------------------------------

FRAGMENTS = [
    "发表回复", "发表评论", "Leave a Reply", "Leave a reply", "Post a comment", "Cancel reply",
    "You must be logged in to post a comment.", "Name *", "Email *", "Website",
    "Save my name, email, and website in this browser for the next time I comment.",
    "Share this:", "Share on Facebook", "Click to share on Twitter", "Tweet",
    "Share | Tweet | Email", "分享到", "We use cookies to improve your experience.",
    "This website uses cookies", "Accept all cookies", "Cookie settings",
    "Subscribe to our newsletter", "Related posts", "Related articles",
    "Copyright © 2025 Foo. All rights reserved.", "Advertisement", "Read more",
    "\u00e2\u20ac\u2122", "\u00e2\u20ac\u0153", "\u00e2\u20ac\x9d", "Ã©", "â€", "\x00", "\x1b[31m",
    "\x07", "\u200b", "\ufeff", "\u00ad", "\ud800", "&amp;", "&rsquo;", "&#8217;", "&", "#",
    "## ", "# Heading", "- ", "* ", "1. ", "**", "__", "*", "_", "|", ">", "-",
    "\n", "\n\n", "\r\n", "\r", "\t", " ", "  ", "\u00a0", "\u3000", "\u2028", "\u2029",
    "\x85", "\x0c", "e\u0301", "\u0301", "ﬁ", "．", "。", "！", "？", "：", "，", "“", "”",
    "‘", "’", ".", ",", ":", "of", "the", "and", "x" * 45, "a" * 60, "China", "robots",
    "rose 35.8% to 9.5 million units", "新质生产力", "新能源汽车", "制造业", "high-", "tech",
    "A", "b", "7", "2025",
]  # fmt: skip

texts = st.one_of(
    st.text(),
    st.lists(st.sampled_from(FRAGMENTS), max_size=40).map("".join),
    st.lists(
        st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)),
        max_size=40,
    ).map("".join),
    st.lists(st.sampled_from(FRAGMENTS), max_size=25).map(" ".join),
    st.lists(st.sampled_from(FRAGMENTS), max_size=25).map("\n".join),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
@example("Leave a Reply\n" + "x" * 45 + "\nread")
@example("# " + "a" * 60 + "\nb")
@example("Read\nmore")
@example("**a\nb**")
def test_clean_is_idempotent(text: str) -> None:
    once = clean_text(text).text
    assert clean_text(once).text == once


@settings(max_examples=300, deadline=None)
@given(texts)
def test_clean_never_raises_and_output_is_tidy(text: str) -> None:
    cleaned = clean_text(text)
    out = cleaned.text
    assert isinstance(out, str)
    assert out == out.strip()
    assert "\n\n" not in out and "\r" not in out and "\t" not in out and "  " not in out
    assert not any(ord(ch) < 32 and ch != "\n" for ch in out)
    out.encode("utf-8")  # no lone surrogates left
    assert len(set(cleaned.notes)) == len(cleaned.notes)


def test_large_input_is_cleaned_throughout() -> None:
    text = (ESSAY + "\n\nShare this:\nSome  spaced   text here.\n") * 2000
    cleaned = clean_text(text)
    assert "Share this:" not in cleaned.text
    assert cleaned.text.count("Some spaced text here.") == 2000


# --- the ftfy guard -----------------------------------------------------------------------
# clean_text skips ftfy when _ftfy_may_change says it cannot change anything; these pin
# that promise to ftfy itself, so an ftfy upgrade that widens its rules fails here.

MOJIBAKE = [
    "Ã©", "Ã ", "Â ", "Ã\xa0", "â€™", "â€œ", "â€\x9d", "â€”", "Ã¼ber", "Ã¶", "Ã—²", "×²",
    "Â£", "Â°C", "Ã‰", "Å“", "Ø³Ø", "à²", "√±", "≈°", "‚Ä¢", "вЂ™", "ВЂВ", "β€™", "ā€",
    "ГўВЂВ™s", "Œ1", "\x80", "\x9d", "é", "ü", "€", "£", "°", "½", "²", "ß", "œ", "ﬁ",
    "“", "”", "‘", "’", "—", "–", "…", "•", "·", "\xa0", "™", "®", "©", "«", "»", "¿",
    "São Paulo", "café", "Zürich", "naïve", "Москва", "Αθήνα", "e\u0301", "\u3000",
]  # fmt: skip

mojibake_texts = st.lists(
    st.one_of(st.sampled_from(MOJIBAKE + FRAGMENTS), st.text(max_size=6)), max_size=30
).map("".join)


@settings(max_examples=500, deadline=None)
@given(st.one_of(texts, mojibake_texts))
@example("Price: 5 Â£ only")
@example("line one\nÃ  la carte")
@example("x" * 20 + "Ã©" + "y" * 20)
@example("‚ó°")
def test_ftfy_guard_only_skips_text_ftfy_leaves_alone(text: str) -> None:
    if clean._ftfy_may_change(text):
        return
    fixed = ftfy.fix_and_explain(text, clean._FTFY_CONFIG)
    assert fixed.text == text
    assert not fixed.explanation
    assert ftfy.fix_text(text, clean._FTFY_CHECK_CONFIG) == text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mojibake_texts)
def test_clean_is_idempotent_on_mojibake(text: str) -> None:
    once = clean_text(text).text
    assert clean_text(once).text == once


def _branches(pattern: str) -> list[list[tuple[object, object]]]:
    parsed = re._parser.parse(pattern, re.VERBOSE)
    (op, (_, alternatives)) = parsed.data[0] if len(parsed.data) == 1 else (None, (None, []))
    assert op == re._constants.BRANCH
    return [list(alternative) for alternative in alternatives]


def _position_chars(op: object, value: object) -> set[str] | None:
    """Characters one regex item can match, or None when it is not a plain character set."""
    if op == re._constants.LITERAL:
        return {chr(value)}
    if op != re._constants.IN:
        return None
    chars: set[str] = set()
    for item_op, item in value:
        if item_op == re._constants.LITERAL:
            chars.add(chr(item))
        elif item_op == re._constants.RANGE:
            chars.update(map(chr, range(item[0], item[1] + 1)))
        else:  # negated or category classes are not finite sets of signs
            return None
    return chars


def test_every_ftfy_badness_pattern_needs_a_mojibake_sign() -> None:
    """The guard's reasoning: text without a sign is never "bad", and a match lies within
    _MOJIBAKE_SPAN characters of its sign."""
    assert re._parser.parse(BADNESS_RE.pattern, re.VERBOSE).getwidth()[1] <= clean._MOJIBAKE_SPAN
    for alternative in _branches(BADNESS_RE.pattern):
        positions = [_position_chars(op, value) for op, value in alternative]
        assert any(
            chars and all(clean._MOJIBAKE_SIGNS.fullmatch(char) for char in chars)
            for chars in positions
        ), alternative


def test_typical_typography_does_not_wake_ftfy() -> None:
    assert not clean._ftfy_may_change("“China’s factories” — rising… fast • 新质生产力。")
    assert clean._ftfy_may_change("China\u00e2\u20ac\u2122s factories")


# --- fast paths equal their slow definitions ------------------------------------------------

line_texts = st.one_of(
    st.text(max_size=300),
    st.lists(
        st.one_of(
            st.sampled_from(
                [*FRAGMENTS, "All Rights Reserved", "all rights reserved.", "版权所有", "ſ",
                 "ALL RİGHTS", "reserved", "©", " ", "\n", "including", "such", "”", ")", "」"]
            ),
            st.text(max_size=6),
        ),
        max_size=40,
    ).map("".join),
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(line_texts)
@example("Stocks rose.”)")
@example("It ended.\n")
def test_sentence_end_check_equals_the_regex(line: str) -> None:
    final = re.compile(r"[.!?:;…。！？；：]['\"’”)\]»」』】）]*$")
    assert clean._ends_sentence(line) == bool(final.search(line))


@settings(max_examples=500, deadline=None)
@given(line_texts)
@example("x" * 30 + " including")
@example("x" * 30 + " the\n")
def test_open_ending_search_from_the_tail_equals_a_full_search(line: str) -> None:
    tail = max(len(line) - clean._OPEN_ENDING_SPAN, 0)
    assert bool(clean._OPEN_ENDING.search(line, tail)) == bool(clean._OPEN_ENDING.search(line))


@settings(max_examples=500, deadline=None)
@given(line_texts)
@example("x" * 150 + "All rights reserved")
@example("x" * 151 + "All rights reserved")
@example("x" * 80 + "版权所有")
@example("x\n" + "All rights reserved")
@example("© 2024 Example Ltd")
def test_copyright_check_equals_the_single_regex(body: str) -> None:
    single = re.compile(
        r"(?:copyright\s*)?(?:©|\(c\))\s*(?:\d{4}|[A-Z])|copyright\s+\d{4}"
        r"|.{0,150}\ball\ rights\ reserved\b|.{0,80}版权所有",
        re.I | re.X,
    )
    prefix, _ = clean._PREFIXES["copyright"]
    split = prefix.match(body) or clean._has_notice_near_start(
        body, clean._NOTICES_NEAR_START["copyright"]
    )
    assert bool(split) == bool(single.match(body))


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from(" \nab"), max_size=60))
def test_collapsing_runs_equals_the_regex(text: str) -> None:
    assert clean._collapse_runs(text, " ") == re.sub(r" {2,}", " ", text)
    assert clean._collapse_runs(text, "\n") == re.sub(r"\n{2,}", "\n", text)


EVERY_CHARACTER = "".join(map(chr, range(0x110000)))


@pytest.mark.parametrize(
    ("merged", "parts"),
    [
        (
            clean._ODD_CHARS,
            (clean._SURROGATE, clean._NEWLINE_CHARS, clean._CONTROL, clean._ODD_SPACE),
        ),
        (clean._FTFY_SUSPECTS, (clean._FTFY_TARGETS, clean._MOJIBAKE_SIGNS)),
        (clean._SPECIAL, (clean._ODD_CHARS, clean._FTFY_SUSPECTS)),
    ],
)
def test_merged_character_classes_are_exact_unions(
    merged: re.Pattern[str], parts: tuple[re.Pattern[str], ...]
) -> None:
    def hits(pattern: re.Pattern[str]) -> set[int]:
        return {match.start() for match in pattern.finditer(EVERY_CHARACTER)}

    assert hits(merged) == set().union(*map(hits, parts))


def test_cleaning_only_inserts_characters_that_are_no_ftfy_suspects() -> None:
    assert not clean._FTFY_SUSPECTS.search(" \n")


def _reference_whitespace(text: str, notes: list[str]) -> str:
    """The whitespace rules over the whole text, as :func:`clean._normalized_lines` applies
    them line by line."""
    before = text
    text = clean._ODD_SPACE.sub(" ", clean._NEWLINES.sub("\n", text))
    text = re.sub(r"\n{2,}", "\n", re.sub(r" *\n *", "\n", re.sub(r" {2,}", " ", text)))
    text = text.strip(" \n")
    if text != before.strip():
        notes.append("normalized_whitespace")
    return text


@settings(max_examples=500, deadline=None)
@given(texts)
@example("\na")
@example(" a \n\n b  c ")
def test_normalized_lines_equal_the_whole_text_rules(text: str) -> None:
    notes: list[str] = []
    expected_notes: list[str] = []
    lines = clean._normalized_lines(text, notes)
    assert "\n".join(lines) == _reference_whitespace(text, expected_notes)
    assert notes == expected_notes
    assert "" not in lines
    if not clean._ODD_CHARS.search(text):
        fast_notes: list[str] = []
        assert clean._normalized_lines(text, fast_notes, odd_chars=False) == lines
        assert fast_notes == notes


@settings(max_examples=500, deadline=None)
@given(st.one_of(texts, mojibake_texts))
@example("Cafe\u0301")
def test_repaired_text_is_nfc(text: str) -> None:
    text = clean._SURROGATE.sub("\ufffd", text)
    assert unicodedata.is_normalized("NFC", clean._repair_unicode(text, []))


@settings(max_examples=500, deadline=None)
@given(st.text(st.sampled_from("\ne< \u0301\u0338\u0316\u1100\u1161가")))
def test_text_is_nfc_exactly_when_its_lines_are(text: str) -> None:
    lines_nfc = all(unicodedata.is_normalized("NFC", line) for line in text.split("\n"))
    assert unicodedata.is_normalized("NFC", text) == lines_nfc


def _reference_short_line_kind(line: str) -> str | None:
    """:func:`clean._short_line_kind` without its prefilters: every kind checked in turn."""
    body = line.lstrip("#>*-•· \t")
    if not body:
        return None
    for kind, (prefix, max_length) in clean._PREFIXES.items():
        if len(body) <= max_length and (
            prefix.match(body)
            or clean._has_notice_near_start(body, clean._NOTICES_NEAR_START.get(kind, ()))
        ):
            return kind
    if len(body) > clean._MAX_TOKEN_LINE:
        return None
    found: str | None = None
    rest = body
    for kind in clean._TOKEN_KIND_ORDER:
        reduced = clean._TOKEN_RES[kind].sub(" ", rest)
        if reduced != rest:
            found = found or kind
            rest = reduced
    return found if found is not None and clean._NO_LETTERS.fullmatch(rest) else None


boilerplate_lines = st.one_of(
    line_texts,
    st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=6).map(" ".join),
    st.tuples(st.sampled_from(FRAGMENTS), st.text(max_size=250)).map("".join),
)


@settings(max_examples=1000, deadline=None)
@given(boilerplate_lines)
@example("x" * 170 + " ok")
@example("ſhare | Tweet")
@example("We use cookies " + "x" * 300)
def test_line_kind_equals_its_unfiltered_definition(line: str) -> None:
    assert clean._short_line_kind.__wrapped__(line) == _reference_short_line_kind(line)
    body = line.lstrip("#>*-•· \t")
    any_prefix = any(prefix.match(body) for prefix, _ in clean._PREFIXES.values())
    assert bool(clean._ANY_PREFIX.match(body)) == any_prefix
    any_token = any(token.search(body) for token in clean._TOKEN_RES.values())
    assert bool(clean._ANY_TOKEN.search(body)) == any_token


@settings(max_examples=500, deadline=None)
@given(st.one_of(texts, mojibake_texts))
@example("Cafe\u0301 \u00c3")
@example("A\u0303 x")
def test_clean_pass_claims_no_ftfy_suspects_only_when_there_are_none(text: str) -> None:
    cleaned, suspects = clean._clean(text, [])
    if not suspects:
        assert not clean._FTFY_SUSPECTS.search(cleaned.text)
