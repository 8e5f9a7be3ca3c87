"""Tests for pipeline.text.language: py3langid plus the CJK script shortcut."""

from __future__ import annotations

import re

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


def test_scores_equal_the_stock_py3langid_identifier() -> None:
    """The float32 copy of the model weights changes speed only, never a probability."""
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    stock = LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)
    ours = language._get_identifier()
    for text in (
        "China’s factories are changing fast. Robot installations rose 7% in 2023.",
        "Die Fabriken in China verändern sich schnell, sagen Analysten.",
        "Les usines chinoises investissent massivement dans les robots industriels. " * 30,
        "x",
        "The “world’s factory” — once known for volume — now competes on quality.",
    ):
        assert ours.classify(text) == stock.classify(text)
