"""Arbitrary text and bytes through the whole text chain: decode, clean, split, tag.

Nothing may raise, offsets must stay valid, cleaning must be idempotent.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.text import clean_text, decode_bytes, split_sentences, tag_claims
from tests.text.tag_invariants import assert_tags_consistent

FUZZ_EXAMPLES = 300
"""Hypothesis examples per fuzz test and run."""

MESSY = st.text(
    st.one_of(
        st.characters(),
        st.sampled_from(list(".!?。！？…\"'“”‘’()[]\n\r\t \u00a0\u2028\ufeff\x00\x1bâ€™发表回复")),
    ),
    max_size=400,
)


def _check_chain(text: str) -> None:
    cleaned = clean_text(text).text
    assert clean_text(cleaned).text == cleaned
    spans = split_sentences(cleaned)
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(cleaned)
        assert not cleaned[start].isspace() and not cleaned[end - 1].isspace()
        previous_end = end
    sentences = [cleaned[start:end] for start, end in spans]
    assert_tags_consistent(sentences, tag_claims(sentences))


@settings(max_examples=FUZZ_EXAMPLES)
@given(MESSY)
def test_arbitrary_text_through_clean_split_tag(text: str) -> None:
    _check_chain(text)


@settings(max_examples=FUZZ_EXAMPLES)
@given(st.binary(max_size=600))
def test_arbitrary_bytes_through_decode_clean_split_tag(data: bytes) -> None:
    decoded = decode_bytes(data)
    assert (decoded.text is None) == (decoded.reason is not None)
    if decoded.text is not None:
        _check_chain(decoded.text)
