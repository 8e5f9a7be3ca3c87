"""Language identification with py3langid, plus a script shortcut for CJK text.

The model ships inside the py3langid wheel and is loaded once, on first use; nothing is
downloaded. Text made mostly of Han characters, kana or Hangul is decided by its script,
which is both faster and more reliable on short Chinese sentences than character n-grams.
"""

from __future__ import annotations

import hashlib
import logging
import lzma
import math
import os
import re
import shutil
import threading
import zipfile
from array import array
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

from pipeline.atomic import write_atomically

__all__ = ["detect_language", "detect_languages"]

log = logging.getLogger(__name__)

UNDETERMINED = ("und", 0.0)
_MAX_CHARS = 2000
_MIN_LETTERS = 3  # fewer Latin-script letters than this: no evidence worth a guess
_MIN_CJK = 2  # two Han characters are already a word in Chinese
_BATCH_BYTES = 1 << 19  # encoded bytes walked together by detect_languages

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

    :meth:`classify_many` walks many texts in one pass: joined by a byte that no UTF-8 text
    holds and that sends every state to the root, each text's walk is the one it has alone.
    """

    __slots__ = ("_depth", "_moves", "_outputs", "_row_offsets", "_separator")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._moves = np.asarray(self.tk_nextmove)
        self._row_offsets = np.asarray(self.tk_row, dtype=np.intp) << 8
        self._outputs = np.asarray(self.tk_output, dtype=np.intp)
        self._depth = _trie_depth(self._moves, self._row_offsets)
        self._separator = _reset_byte(self._moves, self._outputs)

    def _raw_score(self, text: bytes) -> Any:
        features = self._features(text)
        if not features.size:
            return super()._raw_score(text)  # the stock "no features" scores
        return self._score(*_counts_in_first_seen_order(features))

    def _score(self, ids: Any, counts: Any) -> Any:
        """Raw scores of the features ``ids`` seen ``counts`` times, in first-seen order."""
        # The expression of py3langid's LanguageIdentifier._sparse_score, on the same arrays.
        return np.log1p(counts) @ self.nb_ptc[ids] + self.nb_pc

    def _features(self, text: bytes) -> Any:
        """The feature of every automaton state visited along ``text``, in byte order."""
        features = self._outputs[self._states(np.frombuffer(text, dtype=np.uint8))]
        return features[features >= 0]

    def _states(self, data: Any) -> Any:
        """The automaton state after each byte of ``data``, walking from the root."""
        size = len(data)
        states = np.zeros(size, dtype=np.intp)
        for lag in range(min(self._depth, size) - 1, -1, -1):
            # Every position reads the byte ``lag`` places back; the first ``lag`` have none.
            states[lag:] = self._moves[self._row_offsets[states[lag:]] + data[: size - lag]]
        return states

    def classify_many(self, texts: list[str]) -> list[tuple[str, float]]:
        """``[self.classify(text) for text in texts]``, bit for bit, for ``str`` texts and an
        identifier with ``norm_probs=True`` and no ``min_confidence`` (as loaded here)."""
        if self._separator is None:
            return [self.classify(text) for text in texts]
        encoded = [self._encode(text) for text in texts]
        verdicts = []
        for text, scores in zip(encoded, self._raw_scores(encoded), strict=True):
            # The rest of py3langid's _decide and classify, with norm_probs=True.
            scores *= 1.0 / math.sqrt(len(text) or 1)
            np.exp(scores - scores.max(), out=scores)
            scores /= scores.sum()
            for first, alias in self._alias_pairs:
                scores[first] += scores[alias]
                scores[alias] = 0.0
            best = int(scores.argmax())
            verdicts.append((self.nb_classes[best], float(scores[best])))
        return verdicts

    def _raw_scores(self, encoded: list[bytes]) -> Iterator[Any]:
        """``self._raw_score(text)`` for each of ``encoded``, walking up to
        :data:`_BATCH_BYTES` of them at a time."""
        for batch in _batches(encoded, _BATCH_BYTES):
            for text, (ids, counts) in zip(batch, self._feature_counts(batch), strict=True):
                yield self._score(ids, counts) if ids.size else super()._raw_score(text)

    def _feature_counts(self, texts: list[bytes]) -> list[tuple[Any, Any]]:
        """``_counts_in_first_seen_order(self._features(text))`` for each of ``texts`` (empty
        arrays for a text without features), from one walk over all of them."""
        data = np.frombuffer(bytes((self._separator,)).join(texts), dtype=np.uint8)
        size = len(data)
        starts = np.cumsum([0] + [len(text) + 1 for text in texts])[:-1]
        outputs = self._outputs[self._states(data)]
        positions = np.flatnonzero(outputs >= 0)
        # Sorting (feature, text, position) packed in one integer groups each text's visits of
        # a feature with its first visit first. Keys stay below features * texts * bytes, under
        # 2**17 * 2**19 * 2**19 for a batch of _BATCH_BYTES (a longer text is walked alone).
        text_of = np.searchsorted(starts, positions, side="right") - 1
        keys = np.sort((outputs[positions] * len(texts) + text_of) * size + positions)
        groups = keys // size
        group_starts = np.flatnonzero(np.diff(groups, prepend=-1))
        counts = np.zeros(size, dtype=np.float32)
        firsts = keys[group_starts] % size
        counts[firsts] = np.diff(np.append(group_starts, len(keys)))
        is_first = np.zeros(size, dtype=bool)
        is_first[firsts] = True
        firsts = np.flatnonzero(is_first)  # now in byte order: each text's first-seen order
        bounds = np.append(np.searchsorted(firsts, starts), len(firsts))
        ids, counts = outputs[firsts], counts[firsts]
        return [
            (ids[start:end], counts[start:end])
            for start, end in zip(bounds[:-1], bounds[1:], strict=True)
        ]


def _batches(items: list[bytes], max_bytes: int) -> Iterator[list[bytes]]:
    """Consecutive runs of ``items`` of at most ``max_bytes`` in all, or of one item."""
    batch: list[bytes] = []
    size = 0
    for item in items:
        if batch and size + len(item) > max_bytes:
            yield batch
            batch, size = [], 0
        batch.append(item)
        size += len(item) + 1
    if batch:
        yield batch


def _reset_byte(moves: Any, outputs: Any) -> int | None:
    """A byte that never occurs in UTF-8 and after which every state is the featureless root,
    or None when the model has none."""
    if outputs[0] >= 0:
        return None
    to_root = (moves.reshape(-1, 256) == 0).all(axis=0)
    return next((byte for byte in (0xFF, 0xFE, 0xC0, 0xC1) if to_root[byte]), None)


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


CACHE_DIR_ENV = "CLAIMSET_CACHE_DIR"
"""Environment variable naming claimset's per-user cache directory (default
``$XDG_CACHE_HOME/claimset`` or ``~/.cache/claimset``)."""


def model_cache_path(shipped: Path) -> Path:
    """Where the uncompressed copy of the py3langid model file ``shipped`` is kept: in the
    user cache directory, named by the sha256 of the shipped file, so an upgraded model gets
    a new copy."""
    base = os.environ.get(CACHE_DIR_ENV) or Path(
        os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache", "claimset"
    )
    digest = hashlib.sha256(shipped.read_bytes()).hexdigest()[:16]
    return Path(base, "py3langid", f"model-{digest}.npz")


def _load_identifier(shipped: Path) -> _VectorisedIdentifier:
    """py3langid's model with normalised probabilities. py3langid decompresses its .xz model
    on every load (about 0.4 s per process); the same arrays are read from an uncompressed
    copy in the user cache instead (about 0.07 s), which is written on first use. Any
    trouble with the copy (unwritable cache, damaged file) falls back to the shipped file."""
    try:
        cached = model_cache_path(shipped)
        if cached.is_file():
            try:
                return _identifier_from_npz(cached)
            except _DAMAGED:
                cached.unlink()  # and write it again
        write_atomically(cached, lambda target: _decompress(shipped, target))
        return _identifier_from_npz(cached)
    except (OSError, RuntimeError, lzma.LZMAError, *_DAMAGED) as error:
        # RuntimeError: Path.home() when the process has neither $HOME nor a passwd entry.
        log.debug("uncompressed language model copy unusable (%s); loading the .xz", error)
        return _VectorisedIdentifier.from_modelpath(shipped, norm_probs=True)


_DAMAGED = (ValueError, KeyError, EOFError, zipfile.BadZipFile)
"""What reading a truncated or otherwise damaged .npz copy raises."""


def _decompress(shipped: Path, target: Path) -> None:
    with lzma.open(shipped) as source, open(target, "wb") as sink:
        shutil.copyfileobj(source, sink, length=1 << 20)


def _identifier_from_npz(path: Path) -> _VectorisedIdentifier:
    """The identifier py3langid's ``from_model_file`` builds, from an uncompressed model: the
    same arrays, and the automaton tables as the same stdlib ``array`` types."""
    with np.load(path, allow_pickle=False) as data:
        return _VectorisedIdentifier(
            np.asarray(data["ptc"]),
            np.asarray(data["pc"]),
            data["classes"].tolist(),
            _stdlib_array(data["nextmove"]),
            data["out_feat"].tolist(),
            norm_probs=True,
            tk_row=_stdlib_array(data["nextmove_row"]),
        )


def _stdlib_array(values: Any) -> array:
    """An unsigned integer numpy array as a stdlib ``array`` of the same item size."""
    typecode = {2: "H", 4: "I", 8: "L"}[values.dtype.itemsize]
    return array(typecode, np.ascontiguousarray(values).tobytes())


def _get_identifier() -> Any:
    """The py3langid identifier with normalised probabilities, loaded once per process."""
    global _identifier
    if _identifier is None:
        with _lock:
            if _identifier is None:
                identifier = _load_identifier(MODEL_DIR / MODEL_FILE)
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
        verdict = _verdict_or_sample(text)
        return _classify(verdict) if isinstance(verdict, str) else verdict
    except Exception as exc:  # defensive: language id is advisory, never fatal
        log.debug("language detection failed: %s", exc)
        return UNDETERMINED


def detect_languages(texts: Iterable[str]) -> list[tuple[str, float]]:
    """``[detect_language(text) for text in texts]``, with the same promises and results,
    faster for many texts: the samples the model decides are walked through its automaton
    together."""
    verdicts: list[tuple[str, float] | str] = []
    for text in texts:
        try:
            verdicts.append(_verdict_or_sample(text))
        except Exception as exc:  # defensive, as in detect_language
            log.debug("language detection failed: %s", exc)
            verdicts.append(UNDETERMINED)
    samples = [verdict for verdict in verdicts if isinstance(verdict, str)]
    try:
        decided = [_verdict(*label) for label in _get_identifier().classify_many(samples)]
    except Exception as exc:  # then sample by sample, so that one failure costs one verdict
        log.debug("batch language detection failed: %s", exc)
        decided = [_classify_or_undetermined(sample) for sample in samples]
    by_model = iter(decided)
    return [next(by_model) if isinstance(verdict, str) else verdict for verdict in verdicts]


def _verdict_or_sample(text: str) -> tuple[str, float] | str:
    """``detect_language(text)`` when the script rules settle it, else the sample of ``text``
    that :func:`_classify` must decide."""
    if not isinstance(text, str):
        return UNDETERMINED
    sample = text[:_MAX_CHARS].strip()
    if not sample:
        return UNDETERMINED
    # With more than twice as many letters as CJK characters no script has the share a
    # shortcut needs, so the model decides: counting stops as soon as that is certain.
    if _has_letters(sample, max(_MIN_LETTERS, 2 * _count(_CJK, sample) + 1)):
        return sample
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
    return sample


def _classify(sample: str) -> tuple[str, float]:
    """py3langid's verdict on ``sample``, with its non-language labels as undetermined."""
    return _verdict(*_get_identifier().classify(sample))


def _classify_or_undetermined(sample: str) -> tuple[str, float]:
    try:
        return _classify(sample)
    except Exception as exc:  # defensive, as in detect_language
        log.debug("language detection failed: %s", exc)
        return UNDETERMINED


def _verdict(lang: str, probability: float) -> tuple[str, float]:
    """py3langid's ``(label, probability)`` as :func:`detect_language` reports it."""
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
