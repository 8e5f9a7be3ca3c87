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

import numpy as np
from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

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
# Runs of any of those scripts (disjoint ranges: the count is han + kana + hangul).
_CJK = re.compile("[" + "".join(runs.pattern[1:-2] for runs in (_HAN, _KANA, _HANGUL)) + "]+")
_SCRIPT_SHARE = 0.5  # share of letters in one CJK script that settles the language
_KANA_SHARE = 0.1  # Japanese mixes kanji with kana; this much kana means Japanese

# py3langid's label for "no linguistic content" (symbols, code): not a language to report.
_NOT_A_LANGUAGE = frozenset({"zxx", "und", "mul", "mis"})

_identifier: Any = None
_lock = threading.Lock()


class _VectorisedIdentifier(LanguageIdentifier):
    """py3langid's identifier with its per-byte automaton walk done by numpy.

    py3langid walks the encoded text byte by byte through an Aho-Corasick automaton and
    counts the feature of every state it passes, in order of first visit. The state after a
    byte is the longest suffix of the text so far that is a node of the model's trie, so it
    depends only on the last ``depth`` bytes (the trie's depth): running the automaton from
    the root over that window gives it, for all positions at once in ``depth`` vectorised
    steps. Features are then counted in the same first-visit order and scored with the same
    expression, so every score is bit-for-bit the stock one.
    """

    __slots__ = ("_depth", "_moves", "_outputs", "_row_offsets")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._moves = np.asarray(self.tk_nextmove)
        self._row_offsets = np.asarray(self.tk_row, dtype=np.intp) << 8
        self._outputs = np.asarray(self.tk_output, dtype=np.intp)
        self._depth = _trie_depth(self._moves, self._row_offsets)

    def _raw_score(self, text: bytes) -> Any:
        features = self._features(text)
        if not features.size:
            return super()._raw_score(text)  # the stock "no features" scores
        ids, counts = _counts_in_first_seen_order(features)
        # The expression of py3langid's LanguageIdentifier._sparse_score, on the same arrays.
        return np.log1p(counts) @ self.nb_ptc[ids] + self.nb_pc

    def _features(self, text: bytes) -> Any:
        """The feature of every automaton state visited along ``text``, in byte order."""
        data = np.frombuffer(text, dtype=np.uint8)
        size = len(data)
        states = np.zeros(size, dtype=np.intp)
        for lag in range(min(self._depth, size) - 1, -1, -1):
            # Every position reads the byte ``lag`` places back; the first ``lag`` have none.
            states[lag:] = self._moves[self._row_offsets[states[lag:]] + data[: size - lag]]
        features = self._outputs[states]
        return features[features >= 0]


def _trie_depth(moves: Any, row_offsets: Any) -> int:
    """Length of the longest string the automaton's states stand for.

    Breadth-first from the root: a state standing for ``n`` bytes needs ``n`` moves to be
    reached, and its trie path takes exactly that many, so its distance is its length.
    """
    seen = np.zeros(len(row_offsets), dtype=bool)
    seen[0] = True
    expanded = np.zeros(len(moves) >> 8, dtype=bool)  # rows whose moves are already followed
    frontier = np.zeros(1, dtype=np.intp)
    depth = 0
    while True:
        rows = np.unique(row_offsets[frontier] >> 8)
        rows = rows[~expanded[rows]]
        expanded[rows] = True
        reached = np.zeros(len(row_offsets), dtype=bool)
        reached[moves[((rows << 8)[:, None] + np.arange(256)).ravel()]] = True
        frontier = np.flatnonzero(reached & ~seen)
        if not frontier.size:
            return depth
        seen[frontier] = True
        depth += 1


def _counts_in_first_seen_order(values: Any) -> tuple[Any, Any]:
    """``(distinct values, float32 counts)`` of a non-empty array of non-negative integers,
    ordered by first occurrence, as a ``Counter`` of the values would list them."""
    size = len(values)
    # Sorting value * size + position orders by value, then by position within a value.
    keys = np.sort(values * size + np.arange(size))
    sorted_values = keys // size
    starts = np.flatnonzero(np.concatenate(([True], sorted_values[1:] != sorted_values[:-1])))
    firsts = keys[starts] % size  # the position part of each group's first key
    counts = np.zeros(size, dtype=np.float32)
    counts[firsts] = np.diff(np.append(starts, size))
    is_first = np.zeros(size, dtype=bool)
    is_first[firsts] = True
    return values[is_first], counts[is_first]


def _get_identifier() -> Any:
    """The py3langid identifier with normalised probabilities, loaded once per process."""
    global _identifier
    if _identifier is None:
        with _lock:
            if _identifier is None:
                identifier = _VectorisedIdentifier.from_modelpath(
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
    # With more than twice as many letters as CJK characters no script has the share a
    # shortcut needs, so the model decides: counting stops as soon as that is certain.
    if _has_letters(sample, max(_MIN_LETTERS, 2 * _count(_CJK, sample) + 1)):
        return _classify(sample)
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
    return _classify(sample)


def _classify(sample: str) -> tuple[str, float]:
    """py3langid's verdict on ``sample``, with its non-language labels as undetermined."""
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


def _has_letters(text: str, at_least: int) -> bool:
    """Whether :data:`_LETTER` covers at least ``at_least`` characters of ``text``; stops
    scanning as soon as it does."""
    missing = at_least
    for run in _LETTER.finditer(text):
        if missing <= 0:
            break
        missing -= run.end() - run.start()
    return missing <= 0
