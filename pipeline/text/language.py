"""Language identification with py3langid, plus a script shortcut for CJK text.

The model ships inside the py3langid wheel and is loaded once, on first use; nothing is
downloaded. Text made mostly of Han characters, kana or Hangul is decided by its script,
which is both faster and more reliable on short Chinese sentences than character n-grams.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

__all__ = ["detect_language"]

log = logging.getLogger(__name__)

UNDETERMINED = ("und", 0.0)
_MAX_CHARS = 2000
_MIN_LETTERS = 3  # fewer Latin-script letters than this: no evidence worth a guess
_MIN_CJK = 2  # two Han characters are already a word in Chinese

# Runs, not single characters: counting is the summed length of far fewer matches.
_LETTER = re.compile(r"[^\W\d_]+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]+")
_KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]+")
_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]+")
_SCRIPT_SHARE = 0.5  # share of letters in one CJK script that settles the language
_KANA_SHARE = 0.1  # Japanese mixes kanji with kana; this much kana means Japanese

# py3langid's label for "no linguistic content" (symbols, code): not a language to report.
_NOT_A_LANGUAGE = frozenset({"zxx", "und", "mul", "mis"})

_identifier: Any = None
_lock = threading.Lock()


def _get_identifier() -> Any:
    """The py3langid identifier with normalised probabilities, loaded once per process."""
    global _identifier
    if _identifier is None:
        with _lock:
            if _identifier is None:
                import numpy as np
                from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

                identifier = LanguageIdentifier.from_modelpath(
                    MODEL_DIR / MODEL_FILE, norm_probs=True
                )
                if identifier.nb_ptc.dtype == np.float16:
                    # Scoring multiplies float32 counts by these weights, converting every
                    # gathered float16 row first; converting once here (exact) saves that.
                    identifier.nb_ptc = identifier.nb_ptc.astype(np.float32)
                _identifier = identifier
    return _identifier


def detect_language(text: str) -> tuple[str, float]:
    """Return ``(language code, probability)`` for ``text``.

    The code is ISO 639-1 (``"en"``, ``"zh"``, ...) where the language has one, otherwise the
    ISO 639-3 code py3langid uses (``"yue"``, ``"arz"``, ...).

    Promises:
      * never raises; returns ``("und", 0.0)`` for non-str, empty, whitespace-only, very
        short or letter-less text (numbers, punctuation, URLs of symbols), and when the
        model cannot be loaded;
      * probability is a float in ``[0, 1]``;
      * only the first ~2000 characters are looked at, so the cost is bounded;
      * text whose letters are mostly Han characters is ``"zh"``, mostly Hangul ``"ko"``,
        Han with a notable share of kana ``"ja"``; the probability is then that script's
        share of the letters.
    """
    try:
        return _detect(text)
    except Exception as exc:  # defensive: language id is advisory, never fatal
        log.debug("language detection failed: %s", exc)
        return UNDETERMINED


def _detect(text: str) -> tuple[str, float]:
    if not isinstance(text, str):
        return UNDETERMINED
    sample = text[:_MAX_CHARS].strip()
    if not sample:
        return UNDETERMINED
    han = _count(_HAN, sample)
    kana = _count(_KANA, sample)
    hangul = _count(_HANGUL, sample)
    # Han characters newer than Python's Unicode tables are not "letters" to re; count them.
    letters = max(_count(_LETTER, sample), han + kana + hangul)
    if letters == 0:
        return UNDETERMINED
    if (
        kana >= _MIN_CJK
        and kana / letters >= _KANA_SHARE
        and (han + kana) / letters >= _SCRIPT_SHARE
    ):
        return "ja", round((han + kana) / letters, 4)
    if hangul >= _MIN_CJK and hangul / letters >= _SCRIPT_SHARE:
        return "ko", round(hangul / letters, 4)
    if han >= _MIN_CJK and han / letters >= _SCRIPT_SHARE:
        return "zh", round(han / letters, 4)
    if letters < _MIN_LETTERS:
        return UNDETERMINED

    lang, probability = _get_identifier().classify(sample)
    if lang in _NOT_A_LANGUAGE:
        return UNDETERMINED
    probability = float(probability)
    if not 0.0 <= probability <= 1.0:  # NaN included
        probability = min(max(probability, 0.0), 1.0) if probability == probability else 0.0
    return str(lang), probability


def _count(runs: re.Pattern[str], text: str) -> int:
    """How many characters of ``text`` the run pattern ``runs`` covers."""
    return sum(map(len, runs.findall(text)))
