"""Tests for pipeline.text.language: py3langid plus the CJK script shortcut."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.text import language
from pipeline.text.language import detect_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("China's factories are changing fast. Robot installations rose 7% in 2023.", "en"),
        ("Die Fabriken in China verändern sich schnell, sagen Analysten.", "de"),
        ("Les usines chinoises investissent massivement dans les robots industriels.", "fr"),
        ("新质生产力正在重塑制造业。新能源汽车产量增长了35.8%！", "zh"),
        ("新能源汽車產量增長了。", "zh"),
        ("日本のロボット産業は成長している。", "ja"),
        ("한국의 반도체 산업이 성장하고 있다.", "ko"),
    ],
)
def test_detects_languages(text: str, expected: str) -> None:
    lang, probability = detect_language(text)
    assert lang == expected
    assert 0.5 < probability <= 1.0


def test_mixed_chinese_with_latin_brand_names_is_chinese() -> None:
    lang, probability = detect_language("比亚迪BYD和宁德时代CATL扩大了产能。")
    assert lang == "zh"
    assert 0.5 <= probability <= 1.0


@pytest.mark.parametrize("text", ["", "   \n\t", "ok", "42", "35.8% — 9.5 (2025)", "::::", "🙂🙂"])
def test_undetermined_for_empty_short_or_letterless_text(text: str) -> None:
    assert detect_language(text) == ("und", 0.0)


def test_only_the_start_of_long_text_is_classified(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []
    real = language._get_identifier()

    class Spy:
        def classify(self, sample: str) -> tuple[str, float]:
            seen.append(len(sample))
            return real.classify(sample)

    monkeypatch.setattr(language, "_get_identifier", lambda: Spy())
    lang, _ = detect_language("Robots are being installed in factories. " * 500)
    assert lang == "en"
    assert seen and max(seen) <= 2000


def test_model_load_failure_gives_und(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> None:
        raise OSError("model file missing")

    monkeypatch.setattr(language, "_get_identifier", broken)
    assert detect_language("This is clearly an English sentence about robots.") == ("und", 0.0)


def test_identifier_is_loaded_once() -> None:
    assert language._get_identifier() is language._get_identifier()


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_never_raises_and_probability_in_range(text: str) -> None:
    lang, probability = detect_language(text)
    assert isinstance(lang, str) and lang
    assert 0.0 <= probability <= 1.0
    if lang == "und":
        assert probability == 0.0


@settings(max_examples=300)
@given(st.text(st.characters(codec="utf-8"), max_size=80))
def test_script_counts_equal_per_character_counts(text: str) -> None:
    for runs in (language._LETTER, language._HAN, language._KANA, language._HANGUL):
        single = re.compile(runs.pattern.removesuffix("+"))
        assert language._count(runs, text) == len(single.findall(text))


def _stock_identifier() -> Any:
    """py3langid exactly as shipped: float16 weights, the per-byte Python automaton walk."""
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)


STOCK = _stock_identifier()

SAMPLES = [
    "China’s factories are changing fast. Robot installations rose 7% in 2023.",
    "Die Fabriken in China verändern sich schnell, sagen Analysten.",
    "Les usines chinoises investissent massivement dans les robots industriels. " * 30,
    "x",
    "The “world’s factory” — once known for volume — now competes on quality.",
    "新质生产力正在重塑制造业。", "日本のロボット産業", "한국의 반도체", "Москва", "Αθήνα",
    "ROBOTS ARE EVERYWHERE", "naïve café", "e\u0301", "🙂", "\ud800", " ", "of the and",
]  # fmt: skip

language_texts = st.one_of(
    st.text(max_size=200),
    st.lists(st.sampled_from(SAMPLES), max_size=12).map(" ".join),
    st.lists(st.one_of(st.sampled_from(SAMPLES), st.text(max_size=5)), max_size=20).map("".join),
)


def test_scores_equal_the_stock_py3langid_identifier() -> None:
    """Vectorised walk and float32 weights change speed only, never a probability."""
    ours = language._get_identifier()
    for text in SAMPLES:
        assert ours.classify(text) == STOCK.classify(text)


@settings(max_examples=400, deadline=None)
@given(language_texts)
def test_scores_equal_stock_py3langid_bit_for_bit(text: str) -> None:
    ours = language._get_identifier()
    assert ours.classify(text) == STOCK.classify(text)
    assert ours._decide(text).tobytes() == STOCK._decide(text).tobytes()
    encoded = text.encode("utf-8", "surrogatepass")
    assert ours.classify(encoded) == STOCK.classify(encoded)


@settings(max_examples=300, deadline=None)
@given(language_texts)
def test_vectorised_walk_visits_the_features_of_the_byte_walk(text: str) -> None:
    from py3langid.langid import visit_counts

    ours = language._get_identifier()
    encoded = ours._encode(text)
    stock = visit_counts(STOCK.tk_nextmove, STOCK._rowbase, STOCK.tk_output, encoded)
    visited = Counter(ours._features(encoded).tolist())
    assert list(visited.items()) == list((stock or {}).items())


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 40), min_size=1, max_size=300))
def test_counts_in_first_seen_order_equal_a_counter(values: list[int]) -> None:
    ids, counts = language._counts_in_first_seen_order(np.array(values, dtype=np.intp))
    expected = Counter(values)
    assert ids.tolist() == list(expected)
    assert counts.dtype == np.float32
    assert counts.tolist() == list(expected.values())


def _reference_detect(text: str) -> tuple[str, float]:
    """detect_language by its definition: every script counted in full, then the rules."""
    sample = text[: language._MAX_CHARS].strip()
    if not sample:
        return language.UNDETERMINED
    han, kana, hangul = (
        language._count(runs, sample) for runs in (language._HAN, language._KANA, language._HANGUL)
    )
    letters = max(language._count(language._LETTER, sample), han + kana + hangul)
    if letters == 0:
        return language.UNDETERMINED
    if kana >= 2 and kana / letters >= 0.1 and (han + kana) / letters >= 0.5:
        return "ja", round((han + kana) / letters, 4)
    if hangul >= 2 and hangul / letters >= 0.5:
        return "ko", round(hangul / letters, 4)
    if han >= 2 and han / letters >= 0.5:
        return "zh", round(han / letters, 4)
    if letters < 3:
        return language.UNDETERMINED
    return language._classify(sample)


cjk_texts = st.lists(
    st.sampled_from(
        ["新质", "生产力", "ロボット", "の", "한국", "a", "ab", "Robots", " ", "7", "。"]
    ),
    max_size=30,
).map("".join)


@settings(max_examples=500, deadline=None)
@given(st.one_of(language_texts, cjk_texts))
def test_early_stopping_letter_count_gives_the_full_count_verdict(text: str) -> None:
    assert detect_language(text) == _reference_detect(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60), st.integers(0, 70))
def test_has_letters_agrees_with_the_full_count(text: str, at_least: int) -> None:
    assert language._has_letters(text, at_least) == (
        language._count(language._LETTER, text) >= at_least
    )


# --- batches --------------------------------------------------------------------------------

batch_items = st.one_of(language_texts, cjk_texts, st.none(), st.integers())


@settings(max_examples=300, deadline=None)
@given(st.lists(batch_items, max_size=30))
def test_batch_detection_equals_one_by_one(texts: list[Any]) -> None:
    assert language.detect_languages(texts) == [detect_language(text) for text in texts]


@settings(max_examples=50, deadline=None)
@given(st.lists(language_texts, min_size=1, max_size=40), st.integers(1, 600))
def test_batch_split_into_small_walks_equals_one_by_one(texts: list[str], batch_bytes: int) -> None:
    saved = language._BATCH_BYTES
    language._BATCH_BYTES = batch_bytes
    try:
        assert language.detect_languages(texts) == [detect_language(text) for text in texts]
    finally:
        language._BATCH_BYTES = saved


@settings(max_examples=200, deadline=None)
@given(st.lists(language_texts, max_size=20))
def test_batch_feature_counts_equal_the_single_text_walk(texts: list[str]) -> None:
    ours = language._get_identifier()
    encoded = [ours._encode(text) for text in texts]
    for text, (ids, counts) in zip(encoded, ours._feature_counts(encoded), strict=True):
        features = ours._features(text)
        expected = (
            language._counts_in_first_seen_order(features)
            if features.size
            else (np.zeros(0, np.intp), np.zeros(0, np.float32))
        )
        assert ids.tolist() == expected[0].tolist()
        assert counts.dtype == np.float32
        assert counts.tolist() == expected[1].tolist()


@settings(max_examples=100, deadline=None)
@given(st.lists(language_texts, max_size=20))
def test_classify_many_equals_stock_py3langid_bit_for_bit(texts: list[str]) -> None:
    assert language._get_identifier().classify_many(texts) == [
        STOCK.classify(text) for text in texts
    ]


def test_separator_byte_resets_the_walk_and_is_never_utf8() -> None:
    ours = language._get_identifier()
    assert ours._separator is not None
    with pytest.raises(UnicodeDecodeError):
        bytes((ours._separator,)).decode("utf-8")


def test_batch_with_model_load_failure_gives_und(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> None:
        raise OSError("model file missing")

    monkeypatch.setattr(language, "_get_identifier", broken)
    texts = ["This is clearly an English sentence about robots.", "新质生产力正在重塑制造业。"]
    assert language.detect_languages(texts) == [("und", 0.0), ("zh", 1.0)]


def test_batches_keep_order_and_respect_the_byte_limit() -> None:
    items = [b"a" * size for size in (3, 1, 4, 1, 5, 9, 2, 6)]
    batches = list(language._batches(items, 8))
    assert [item for batch in batches for item in batch] == items
    for batch in batches:
        assert len(batch) == 1 or sum(len(item) + 1 for item in batch) - 1 <= 8


def _shipped() -> Any:
    from py3langid.langid import MODEL_DIR, MODEL_FILE

    return MODEL_DIR / MODEL_FILE


def _assert_same_model(ours: Any, stock: Any) -> None:
    for name in ("nb_ptc", "nb_pc"):
        assert getattr(ours, name).dtype == getattr(stock, name).dtype
        np.testing.assert_array_equal(getattr(ours, name), getattr(stock, name))
    for name in ("nb_classes", "tk_nextmove", "tk_row", "tk_output"):
        assert type(getattr(ours, name)) is type(getattr(stock, name))
        assert getattr(ours, name) == getattr(stock, name)
    for text in SAMPLES:
        assert ours.classify(text) == stock.classify(text)


def test_uncompressed_model_copy_is_written_once_and_loads_the_same_model(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(language.CACHE_DIR_ENV, str(tmp_path))
    copy = language.model_cache_path(_shipped())
    assert copy.parent == tmp_path / "py3langid" and not copy.exists()
    first = language._load_identifier(_shipped())
    written = copy.stat().st_mtime_ns
    second = language._load_identifier(_shipped())
    assert copy.stat().st_mtime_ns == written
    stock = language._VectorisedIdentifier.from_modelpath(_shipped(), norm_probs=True)
    _assert_same_model(first, stock)
    _assert_same_model(second, stock)


def test_damaged_or_unwritable_model_copy_falls_back_to_the_shipped_model(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    stock = language._VectorisedIdentifier.from_modelpath(_shipped(), norm_probs=True)
    monkeypatch.setenv(language.CACHE_DIR_ENV, str(tmp_path / "damaged"))
    copy = language.model_cache_path(_shipped())
    copy.parent.mkdir(parents=True)
    copy.write_bytes(b"PK\x03\x04 not a whole npz")
    _assert_same_model(language._load_identifier(_shipped()), stock)
    assert copy.stat().st_size > 10**6  # the damaged copy was written again
    (tmp_path / "a-file").write_text("not a directory", encoding="utf-8")
    monkeypatch.setenv(language.CACHE_DIR_ENV, str(tmp_path / "a-file"))
    _assert_same_model(language._load_identifier(_shipped()), stock)


def test_no_home_directory_falls_back_to_the_shipped_model(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in (language.CACHE_DIR_ENV, "XDG_CACHE_HOME", "HOME"):
        monkeypatch.delenv(name, raising=False)

    def no_home() -> Any:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(language.Path, "home", staticmethod(no_home))
    stock = language._VectorisedIdentifier.from_modelpath(_shipped(), norm_probs=True)
    _assert_same_model(language._load_identifier(_shipped()), stock)
