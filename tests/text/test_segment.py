"""Tests for pipeline.text.segment.split_sentences: hand-written rule cases and properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.text.segment import split_sentences


def sentences(text: str, lang: str | None = None) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text, lang)]


def check_invariants(text: str, spans: list[tuple[int, int]]) -> None:
    covered = [False] * len(text)
    previous_end = 0
    for start, end in spans:
        assert isinstance(start, int) and isinstance(end, int)
        assert previous_end <= start < end <= len(text)
        assert not text[start].isspace()
        assert not text[end - 1].isspace()
        for i in range(start, end):
            covered[i] = True
        previous_end = end
    for i, ch in enumerate(text):
        assert covered[i] or ch.isspace(), f"character {i} ({ch!r}) is in no span"


CASES = {
    # basic terminators
    "period": ("Hello World. My name is Jonas.", ["Hello World.", "My name is Jonas."]),
    "question": ("What is it? It is a test.", ["What is it?", "It is a test."]),
    "exclamation": ("There it is! I found it.", ["There it is!", "I found it."]),
    "double punctuation": ("Hello?! Is that you?", ["Hello?!", "Is that you?"]),
    "no final punctuation": ("One. Two", ["One.", "Two"]),
    # abbreviations
    "titles": (
        "Mr. Smith met Dr. Jones and Prof. Lee. They talked.",
        ["Mr. Smith met Dr. Jones and Prof. Lee.", "They talked."],
    ),
    "military titles": (
        "Gen. Smith and Lt. Brown met Sen. Green and Gov. White.",
        ["Gen. Smith and Lt. Brown met Sen. Green and Gov. White."],
    ),
    "saint and mount": (
        "I can see Mt. Fuji from St. Mary's.",
        ["I can see Mt. Fuji from St. Mary's."],
    ),
    "company mid sentence": (
        "They closed the deal with Pitt, Briggs & Co. at noon.",
        ["They closed the deal with Pitt, Briggs & Co. at noon."],
    ),
    "company at end": (
        "They closed the deal with Pitt, Briggs & Co. It closed yesterday.",
        ["They closed the deal with Pitt, Briggs & Co.", "It closed yesterday."],
    ),
    "inc and ltd": ("Acme Inc. and Foo Ltd. merged.", ["Acme Inc. and Foo Ltd. merged."]),
    "e.g. and i.e.": (
        "Use a tool, e.g. a hammer, i.e. something heavy.",
        ["Use a tool, e.g. a hammer, i.e. something heavy."],
    ),
    "etc mid sentence": ("Apples, pears, etc. are fruit.", ["Apples, pears, etc. are fruit."]),
    "etc at end": (
        "Apples, pears, etc. The list goes on.",
        ["Apples, pears, etc.", "The list goes on."],
    ),
    "U.S. mid sentence": (
        "I work for the U.S. Government in Virginia.",
        ["I work for the U.S. Government in Virginia."],
    ),
    "U.S. at end": ("I live in the U.S. How about you?", ["I live in the U.S.", "How about you?"]),
    "U.K. lowercase next": ("The U.K. has left.", ["The U.K. has left."]),
    "number abbreviations": (
        "See No. 5 on p. 55 and Fig. 3 for details.",
        ["See No. 5 on p. 55 and Fig. 3 for details."],
    ),
    "no as a word": ("Is it late? No. It is early.", ["Is it late?", "No.", "It is early."]),
    "versus": ("It was Smith vs. Jones in court.", ["It was Smith vs. Jones in court."]),
    "month": ("It opened on Jan. 5 this year.", ["It opened on Jan. 5 this year."]),
    "am pm": (
        "At 5 a.m. Mr. Smith went to the bank. He left the bank at 6 P.M. Mr. Smith then went.",
        [
            "At 5 a.m. Mr. Smith went to the bank.",
            "He left the bank at 6 P.M.",
            "Mr. Smith then went.",
        ],
    ),
    "approx": ("It costs approx. 5 dollars.", ["It costs approx. 5 dollars."]),
    # initials
    "middle initial": ("My name is Jonas E. Smith.", ["My name is Jonas E. Smith."]),
    "several initials": (
        "J. R. R. Tolkien wrote it. He was British.",
        ["J. R. R. Tolkien wrote it.", "He was British."],
    ),
    "pronoun I at end": (
        "We make a good team, you and I. Did you see Albert I. Jones yesterday?",
        ["We make a good team, you and I.", "Did you see Albert I. Jones yesterday?"],
    ),
    # numbers
    "decimal": ("Pi is about 3.14 and growth was 1.5% this year.", None),
    "money": ("She has $100.00. It is in her bag.", ["She has $100.00.", "It is in her bag."]),
    "billions": ("It cost $2.5 billion. Nobody paid.", ["It cost $2.5 billion.", "Nobody paid."]),
    "version": ("Install version 1.2.3 now.", ["Install version 1.2.3 now."]),
    "number ends sentence": (
        "The troops killed 4. It was bad.",
        ["The troops killed 4.", "It was bad."],
    ),
    # ellipses
    "ellipsis lowercase": ("I mean... well, maybe.", ["I mean... well, maybe."]),
    "ellipsis boundary": (
        "I never meant that.... She left.",
        ["I never meant that....", "She left."],
    ),
    "unicode ellipsis boundary": ("Wait for it… Now!", ["Wait for it…", "Now!"]),
    "bracket ellipsis": ('"Bohr [...] used it [...]" (Smith 55).', None),
    "spaced ellipsis": (
        "the thing is . . . I didn't mean it.",
        ["the thing is . . . I didn't mean it."],
    ),
    # quotes and parentheses
    "closing quote belongs to sentence": (
        "He said “Go.” Then he left.",
        ["He said “Go.”", "Then he left."],
    ),
    "quote then lowercase": (
        'She turned to him, "This is great." she said.',
        ['She turned to him, "This is great." she said.'],
    ),
    "single quotes": ("He said 'stop.' She stopped.", ["He said 'stop.'", "She stopped."]),
    "parenthetical": (
        "He teaches (He worked as an engineer.) at the University.",
        ["He teaches (He worked as an engineer.) at the University."],
    ),
    "sentence in parentheses": (
        "It rained. (Nobody cared.) We left.",
        ["It rained.", "(Nobody cared.)", "We left."],
    ),
    "named entity with exclamation": (
        "She works at Yahoo! in accounting.",
        ["She works at Yahoo! in accounting."],
    ),
    # lists
    "numbered list": (
        "1. The first item 2. The second item",
        ["1. The first item", "2. The second item"],
    ),
    "parenthesised list": (
        "1) The first item. 2) The second item.",
        ["1) The first item.", "2) The second item."],
    ),
    "lettered list": (
        "a. The first item b. The second item c. The third",
        ["a. The first item", "b. The second item", "c. The third"],
    ),
    "bullets": ("• 9. The first • 10. The second", ["• 9. The first", "• 10. The second"]),
    "list lines": (
        "Steps:\n1. Open it.\n2. Close it.",
        ["Steps:", "1. Open it.", "2. Close it."],
    ),
    # URLs and e-mail addresses
    "email": (
        "Her email is Jane.Doe@example.com. I sent her an email.",
        ["Her email is Jane.Doe@example.com.", "I sent her an email."],
    ),
    "url": (
        "Go to www.example.org or https://x.org/a.html. Then log in.",
        ["Go to www.example.org or https://x.org/a.html.", "Then log in."],
    ),
    "domain mid sentence": ("Visit example.com for more.", ["Visit example.com for more."]),
    # trailing citation marks, emoticons, quoted speech
    "citation": (
        "He won in 1951. [11] In 24 games he lost.",
        ["He won in 1951. [11]", "In 24 games he lost."],
    ),
    "emoticon": ("Great trip. :) We loved it", ["Great trip. :)", "We loved it"]),
    "emoticon ends sentence": ("Thanks a lot :) See you", ["Thanks a lot :)", "See you"]),
    "speaker after quotation": (
        "“Are you ready?” Pete asked. “Yes.” I said.",
        ["“Are you ready?” Pete asked.", "“Yes.” I said."],
    ),
    "list label after sentence": (
        "My questions are these: 1. Is it open? 2. When?",
        ["My questions are these: 1. Is it open?", "2. When?"],
    ),
    # newlines
    "newline ends sentence": ("A title\nThe body starts here", ["A title", "The body starts here"]),
    "blank lines": ("  First.\n\n\n  Second  \r\n", ["First.", "Second"]),
    "newline after abbreviation": ("Call Dr.\nNobody came", ["Call Dr.", "Nobody came"]),
    # CJK
    "chinese": (
        "今天天气很好。我们去公园吧！你去吗？",
        ["今天天气很好。", "我们去公园吧！", "你去吗？"],
    ),
    "chinese closing quote": ("他说：“走吧。”然后走了。", ["他说：“走吧。”", "然后走了。"]),
    "chinese runs": ("真的吗？！太好了。", ["真的吗？！", "太好了。"]),
    "japanese brackets": ("「はい。」と言った。", ["「はい。」", "と言った。"]),
    "full width number": ("价格是３．５元。很便宜。", ["价格是３．５元。", "很便宜。"]),
    "mixed english chinese": (
        "This is English. 这是中文。And more English.",
        ["This is English.", "这是中文。", "And more English."],
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_rule_cases(name: str) -> None:
    text, expected = CASES[name]
    spans = split_sentences(text)
    check_invariants(text, spans)
    if expected is None:
        expected = [text]
    assert [text[a:b] for a, b in spans] == expected


@pytest.mark.parametrize("lang", [None, "en", "zh", "ja", "xx"])
def test_lang_hint_accepted(lang: str | None) -> None:
    assert sentences("One. Two。Three", lang) == ["One.", "Two。", "Three"]


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "\n\n",
        "\t \u3000\u2028",
        ".",
        "...",
        "。",
        "\ud800",
        "a\ud800. B\udfff.",
        "\x00. \x1c",
    ],
)
def test_degenerate_inputs(text: str) -> None:
    check_invariants(text, split_sentences(text))


def test_offsets_index_original_text() -> None:
    text = "  Dr. Who?  Yes!\n\tNo.  "
    spans = split_sentences(text)
    assert spans == [(2, 10), (12, 16), (18, 21)]


def test_long_and_pathological_texts() -> None:
    text = "This is a sentence with an abbrev. e.g. one. " * 20_000
    spans = split_sentences(text)
    check_invariants(text, spans)
    for pathological in (
        "a" + " " * 200_000 + "b" + "." * 100_000 + "\n" * 1000,
        "." * 100_000 + "a",
        ". " * 50_000 + "a",
        "!" * 50_000 + '"' * 50_000 + "a",
        "1. " * 30_000,
        ":) " * 30_000,
    ):
        check_invariants(pathological, split_sentences(pathological))


PUNCT = ".!?…。！？．｡\"'”’“‘)]}」』）》([{•⁃-*:;, \n\r\t\u3000\u2028\x0b\x1c"
WORDS = st.sampled_from(
    ["Mr", "U.S", "e.g", "I", "A", "etc", "1", "3.14", "word", "The", "no", "a.m", "中文", "x"]
)
punct_heavy = st.text(alphabet=st.sampled_from(PUNCT + "aA1中"), max_size=60)
whitespace_heavy = st.text(
    alphabet=st.sampled_from(" \t\n\r\x0b\x0c\u00a0\u2028\u3000.a"), max_size=60
)
token_soup = st.lists(st.one_of(WORDS, st.sampled_from(list(PUNCT))), max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(st.text(), punct_heavy, whitespace_heavy, token_soup),
    st.sampled_from([None, "en", "zh"]),
)
def test_span_invariants(text: str, lang: str | None) -> None:
    spans = split_sentences(text, lang)
    check_invariants(text, spans)
    assert split_sentences(text, lang) == spans  # deterministic
