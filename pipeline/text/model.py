"""Trained claim mode: a linear model over the rule cues plus word and character n-grams.

What the model sees
-------------------
Each sentence becomes three blocks of features, concatenated:

``rule:<name>``
    1.0 when a rule family of :mod:`pipeline.text.tagging` fired (``rule:quantity``,
    ``rule:opinion``, ``rule:question``, ...), and ``type:<claim type>`` for the type the
    rules chose. These carry the hand-written knowledge into the model.
``word:<n-gram>``
    word unigrams and bigrams of the lower-cased sentence (tokens are runs of letters and
    digits; every digit is read as ``0`` so "25%" and "40%" share features), TF-IDF weighted
    with sublinear term frequency and L2-normalised within the block.
``char:<n-gram>``
    character 2- to 5-grams inside word boundaries (a word is padded with one space on each
    side, like scikit-learn's ``char_wb``), weighted and normalised the same way.

A scikit-learn :class:`~sklearn.linear_model.LogisticRegression` is fitted on them. Only the
plain numbers are kept afterwards — vocabularies, idf, coefficients, intercept, threshold —
so a saved model is JSON plus a NumPy ``.npz`` of arrays: no pickle, nothing executable, and
predicting needs neither scikit-learn's fitted objects nor the training data.

Speed
-----
Prediction is batch-vectorised. The n-grams of the whole batch are found at once: the text is
turned into one array of code points, every n-gram window is hashed with a 64-bit polynomial
hash in NumPy, and the hashes are looked up in a hash index of the vocabulary (a pandas
``Index``). Each vocabulary entry is stored as its string and re-hashed on load; two distinct
n-grams sharing a 64-bit hash is possible in principle but vanishingly unlikely
(about 1e-8 for a batch of 10 million windows against 300,000 entries).

Evidence
--------
With a model, :func:`pipeline.text.tagging.tag_claims` explains each claim by up to three of
the features that raised its score most, as ``{"rule": "model:<feature>", "cue", "start",
"end"}``: a rule feature points at the cue of that rule in the sentence, a word n-gram at its
first occurrence (``model:word:rose by``). Character n-grams are many, overlap and read badly,
so they are used only for a claim that no rule or word feature raised; a claim that nothing
located at all (possible only when the intercept alone clears the threshold) gets the whole
sentence as ``model:bias``. Digits are read as ``0``, so ``model:word:00`` is a two-digit
number.

How the regularisation and the threshold are chosen
---------------------------------------------------
:func:`train_claim_model` holds out a stratified 20% of the data. On the other 80% it runs one
3-fold cross-validation (vocabulary and idf refitted on each fold's training rows) that
predicts every row out of fold once per C of ``_C_GRID``; it keeps the C whose out-of-fold
predictions reach the highest F1 at their best threshold, and that threshold. It then fits the
model with that C on the 80% and reports precision, recall and F1 on the held-out 20% with
that threshold, and finally refits on all the data with the same C and threshold. The held-out
part never chooses anything.

On PoliClaim (5-fold cross-validation of the whole procedure, ``bench/claims.py``) this model
scores about 0.81 F1, as do the variants tried under the same protocol: word 1-3 grams,
class weights, a stronger rule block, NB-weighted features, an average of separate word and
character models, C fixed anywhere from 0.3 to 16 (0.80-0.82 each). The choice of C is kept
because it adapts to the size of the training set, not because it scored higher there.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import repeat
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from pipeline.text import tagging as _tagging

__all__ = [
    "FORMAT_VERSION",
    "ClaimModel",
    "load_claim_model",
    "train_claim_model",
]

FORMAT_VERSION = 1
"""Version of the on-disk layout written by :meth:`ClaimModel.save`."""

MODEL_FILE = "model.json"
WEIGHTS_KEY = "weights_sha256"
ARRAYS_FILE = "arrays.npz"

_CHAR_NS = (2, 3, 4, 5)
_MIN_DF = 2
_C_GRID = (1.0, 2.0, 4.0, 8.0)
"""Candidate inverse L2 strengths of the logistic regression. :func:`train_claim_model`
picks one by cross-validation on its own training part, so each training set gets its own
(more n-grams and more data favour weaker regularisation)."""
_INNER_FOLDS = 3

_EVIDENCE_PER_CLAIM = 3

_RULE_NAMES: tuple[str, ...] = (
    _tagging.QUANTITY,
    _tagging.PREDICTION,
    _tagging.CAUSATION,
    _tagging.LAW,
    _tagging.PERSONAL,
    _tagging.ATTRIBUTION,
    _tagging.DEFINITION,
    _tagging.SUPPORT,
    _tagging.ASSERTION,
    _tagging.DATE,
    _tagging.HEDGE,
    _tagging.OPINION,
    _tagging.BOILERPLATE,
    _tagging.STATEMENT,
    "topic",
    "question",
    "short",
)
RULE_FEATURES: tuple[str, ...] = tuple(f"rule:{name}" for name in _RULE_NAMES) + tuple(
    f"type:{kind}" for kind in _tagging.CLAIM_TYPES
)
"""Names of the rule features, in column order."""

# --------------------------------------------------------------------------------------------
# Text normalisation shared by training and prediction. Both keep the length of the sentence,
# so offsets found in the normalised text are offsets in the sentence.

_SPACE_CHARS = "\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000\x00"
_NORMAL = str.maketrans(
    {
        **{c: " " for c in _SPACE_CHARS},
        **{chr(c): " " for c in range(0x2000, 0x200B)},
        **{d: "0" for d in "123456789"},
    }
)
_TOKEN_RE = re.compile(r"\w+")
_HASH_P = np.uint64(1_000_003)
_HASH_N = 0x9E3779B97F4A7C15


def _length_salt(n: int) -> np.uint64:
    return np.uint64((n * _HASH_N) % (1 << 64))


def _normalise(sentence: str) -> str:
    """Lower-case (same length), digits to 0, every whitespace character to a plain space."""
    return _tagging._same_length_lower(sentence).translate(_NORMAL)


def _hash_strings(grams: Sequence[str]) -> np.ndarray:
    """The 64-bit hash of each n-gram, as computed over windows by :func:`_char_windows`."""
    out = np.empty(len(grams), dtype=np.uint64)
    for n in set(map(len, grams)):
        idx = np.fromiter((i for i, g in enumerate(grams) if len(g) == n), dtype=np.int64)
        codes = np.frombuffer("".join(grams[i] for i in idx).encode("utf-32-le"), np.uint32)
        codes = codes.astype(np.uint64).reshape(len(idx), n)
        h = codes[:, 0].copy()
        for k in range(1, n):
            h = h * _HASH_P + codes[:, k]
        out[idx] = h + _length_salt(n)
    return out


def _char_windows(
    texts: Sequence[str], with_starts: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]:
    """Every character n-gram window of the normalised ``texts``: (doc, hash, start, n).

    A window lies inside one padded word: no space except possibly its first and last
    character, never both for a 2-gram. ``start`` (the window's offset in the padded sentence
    ``f" {text} "``) and ``n`` are only computed ``with_starts``, else None.
    """
    stream = "\x00".join(f" {t} " for t in texts)
    codes = np.frombuffer(stream.encode("utf-32-le"), np.uint32).astype(np.uint64)
    length = len(codes)
    is_space = codes == 32
    cs_space = np.zeros(length + 1, dtype=np.int32)
    np.cumsum(is_space, out=cs_space[1:])
    cs_sep = np.zeros(length + 1, dtype=np.int32)
    np.cumsum(codes == 0, out=cs_sep[1:])
    doc_start = np.flatnonzero(np.diff(cs_sep[:-1], prepend=-1)) if with_starts else None
    docs, hashes, starts, sizes = [], [], [], []
    h = codes
    for n in range(1, max(_CHAR_NS) + 1):
        count = length - n + 1
        if count <= 0:
            break
        if n > 1:
            h = h[:count] * _HASH_P + codes[n - 1 : n - 1 + count]
        if n not in _CHAR_NS:
            continue
        ok = cs_sep[n : n + count] == cs_sep[:count]
        ok &= cs_space[n - 1 : n - 1 + count] == cs_space[1 : 1 + count]
        if n == 2:
            ok &= ~(is_space[:count] & is_space[1 : count + 1])
        idx = np.flatnonzero(ok)
        doc = cs_sep[idx]
        docs.append(doc)
        hashes.append(h[idx] + _length_salt(n))
        if doc_start is not None:
            starts.append(idx - doc_start[doc])
            sizes.append(np.full(len(idx), n, dtype=np.int64))
    if not docs:
        empty = np.zeros(0, np.int64)
        return empty, np.zeros(0, np.uint64), empty, empty
    return (
        np.concatenate(docs),
        np.concatenate(hashes),
        np.concatenate(starts) if with_starts else None,
        np.concatenate(sizes) if with_starts else None,
    )


def _tokens(texts: Sequence[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """All word tokens of the normalised ``texts`` in order, the document of each, and the
    number of tokens of each document."""
    per_doc = [_TOKEN_RE.findall(t) for t in texts]
    lengths = np.fromiter(map(len, per_doc), dtype=np.int64, count=len(per_doc))
    flat = [tok for toks in per_doc for tok in toks]
    return flat, np.repeat(np.arange(len(per_doc)), lengths), lengths


def _block_matrix(
    rows: np.ndarray, cols: np.ndarray, n_rows: int, idf: np.ndarray
) -> sp.csr_matrix:
    """TF-IDF rows from (row, column) occurrences, each row divided by its length.

    The weight of column j in row i is ``tf_ij * idf_j / norm_i`` with
    ``norm_i = sqrt(sum_j tf_ij * idf_j ** 2)``: the L2 norm when no n-gram repeats, and a
    quantity that a prediction can sum occurrence by occurrence, without first counting them.
    """
    weight = idf[cols]
    norms = np.sqrt(np.bincount(rows, weights=weight * weight, minlength=n_rows))
    norms[norms == 0.0] = 1.0
    matrix = sp.csr_matrix((weight / norms[rows], (rows, cols)), shape=(n_rows, len(idf)))
    matrix.sum_duplicates()
    return matrix


def _block_scores(
    rows: np.ndarray, cols: np.ndarray, n_rows: int, idf: np.ndarray, coef: np.ndarray
) -> np.ndarray:
    """``_block_matrix(rows, cols, n_rows, idf) @ coef``, summed occurrence by occurrence."""
    weight = idf[cols]
    norms = np.sqrt(np.bincount(rows, weights=weight * weight, minlength=n_rows))
    norms[norms == 0.0] = 1.0
    return np.bincount(rows, weights=weight * coef[cols], minlength=n_rows) / norms


_FIRED_FEATURE = np.asarray(
    [RULE_FEATURES.index("rule:" + name) for name in _tagging.FIRED_COLUMNS], dtype=np.int64
)
"""Column in ``RULE_FEATURES`` of each column of the rules' fired matrix."""
_TYPE_FEATURE = np.asarray(
    [RULE_FEATURES.index("type:" + kind) for kind in _tagging.CLAIM_TYPES], dtype=np.int64
)


def _rule_matrix(tags: _tagging._RuleTags) -> sp.csr_matrix:
    rows, fired_cols = np.nonzero(tags.fired)
    n = len(tags)
    rows = np.concatenate((rows, np.arange(n)))
    cols = np.concatenate((_FIRED_FEATURE[fired_cols], _TYPE_FEATURE[tags.kind]))
    order = np.lexsort((cols, rows))
    data = np.ones(len(rows), dtype=np.float64)
    return sp.csr_matrix((data, (rows[order], cols[order])), shape=(n, len(RULE_FEATURES)))


@dataclass
class _Vocabulary:
    """Word and character vocabularies with their idf and lookup indexes."""

    words: list[str]
    bigrams: list[str]
    chars: list[str]
    word_idf: np.ndarray
    char_idf: np.ndarray
    _word_index: dict[str, int] = field(init=False, repr=False)
    _bigram_index: pd.Index = field(init=False, repr=False)
    _char_index: pd.Index = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._word_index = {w: i for i, w in enumerate(self.words)}
        if len(self._word_index) != len(self.words):
            raise ValueError("duplicate word in vocabulary")
        keys = []
        n_words = len(self.words)
        for gram in self.bigrams:
            first, _, second = gram.partition(" ")
            a, b = self._word_index.get(first), self._word_index.get(second)
            if a is None or b is None:
                raise ValueError(f"bigram {gram!r} uses a word outside the vocabulary")
            keys.append(a * n_words + b)
        self._bigram_index = pd.Index(np.asarray(keys, dtype=np.int64))
        self._char_index = pd.Index(_hash_strings(self.chars))
        if not (self._bigram_index.is_unique and self._char_index.is_unique):
            raise ValueError("vocabulary entries collide")
        if len(self.word_idf) != n_words + len(self.bigrams) or len(self.char_idf) != len(
            self.chars
        ):
            raise ValueError("idf arrays do not match the vocabularies")

    @property
    def n_word_features(self) -> int:
        return len(self.words) + len(self.bigrams)

    def word_occurrences(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(doc, column) of every in-vocabulary unigram and bigram occurrence, and the number
        of tokens (known or not) of each text."""
        flat, doc, lengths = _tokens(texts)
        ids = np.fromiter(
            map(self._word_index.get, flat, repeat(-1, len(flat))), dtype=np.int64, count=len(flat)
        )
        known = ids >= 0
        pair = known[:-1] & known[1:] & (doc[:-1] == doc[1:])
        keys = ids[:-1][pair] * len(self.words) + ids[1:][pair]
        found = self._bigram_index.get_indexer(keys)
        hit = found >= 0
        rows = np.concatenate((doc[known], doc[:-1][pair][hit]))
        cols = np.concatenate((ids[known], len(self.words) + found[hit]))
        return rows, cols, lengths

    def char_occurrences(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(doc, column) of every in-vocabulary character n-gram occurrence."""
        doc, hashes, _, _ = _char_windows(texts)
        found = self._char_index.get_indexer(hashes)
        hit = found >= 0
        return doc[hit], found[hit]

    def matrix(self, texts: Sequence[str], tags: _tagging._RuleTags) -> sp.csr_matrix:
        """The full feature matrix (rule block, word block, char block) of ``texts``."""
        n = len(texts)
        words = _block_matrix(*self.word_occurrences(texts)[:2], n, self.word_idf)
        chars = _block_matrix(*self.char_occurrences(texts), n, self.char_idf)
        return sp.hstack((_rule_matrix(tags), words, chars), format="csr")

    @cached_property
    def word_feature_names(self) -> list[str]:
        return [f"word:{w}" for w in self.words] + [f"word:{b}" for b in self.bigrams]

    @cached_property
    def char_feature_names(self) -> list[str]:
        return [f"char:{c}" for c in self.chars]

    def feature_names(self) -> list[str]:
        return (
            list(RULE_FEATURES)
            + [f"word:{w}" for w in self.words]
            + [f"word:{b}" for b in self.bigrams]
            + [f"char:{c}" for c in self.chars]
        )


def _idf(df: np.ndarray, n_docs: int) -> np.ndarray:
    """Smoothed idf, as scikit-learn computes it: ln((1 + n) / (1 + df)) + 1."""
    return np.log((1.0 + n_docs) / (1.0 + df.astype(np.float64))) + 1.0


def _fit_vocabulary(texts: Sequence[str]) -> _Vocabulary:
    """Vocabularies of n-grams found in at least ``_MIN_DF`` of ``texts``, with their idf."""
    n_docs = len(texts)
    flat, doc, _ = _tokens(texts)
    token_df: dict[str, int] = {}
    for tokens in {(d, t) for d, t in zip(doc.tolist(), flat, strict=True)}:
        token_df[tokens[1]] = token_df.get(tokens[1], 0) + 1
    words = sorted(t for t, c in token_df.items() if c >= _MIN_DF)
    index = {w: i for i, w in enumerate(words)}
    ids = np.fromiter((index.get(t, -1) for t in flat), dtype=np.int64, count=len(flat))
    pair = (ids[:-1] >= 0) & (ids[1:] >= 0) & (doc[:-1] == doc[1:])
    keys = ids[:-1][pair] * len(words) + ids[1:][pair]
    pairs = np.unique(np.stack((doc[:-1][pair], keys)), axis=1)
    bigram_keys, bigram_df = np.unique(pairs[1], return_counts=True)
    keep = bigram_df >= _MIN_DF
    bigrams = [f"{words[k // len(words)]} {words[k % len(words)]}" for k in bigram_keys[keep]]
    word_df = np.array([token_df[w] for w in words] + bigram_df[keep].tolist(), dtype=np.int64)

    cdoc, hashes, starts, sizes = _char_windows(texts, with_starts=True)
    order = np.lexsort((cdoc, hashes))
    h_sorted, d_sorted = hashes[order], cdoc[order]
    new_pair = np.ones(len(order), dtype=bool)
    new_pair[1:] = (h_sorted[1:] != h_sorted[:-1]) | (d_sorted[1:] != d_sorted[:-1])
    uniq_h, first, char_df = np.unique(h_sorted[new_pair], return_index=True, return_counts=True)
    keep = char_df >= _MIN_DF
    # Recover each kept n-gram's text from its first occurrence.
    where = order[np.flatnonzero(new_pair)[first[keep]]]
    chars = []
    for w in where.tolist():
        padded = f" {texts[cdoc[w]]} "
        chars.append(padded[starts[w] : starts[w] + sizes[w]])
    del uniq_h
    # Sort for a readable, order-independent file.
    char_order = sorted(range(len(chars)), key=chars.__getitem__)
    chars = [chars[i] for i in char_order]
    char_idf = _idf(char_df[keep][char_order], n_docs)
    return _Vocabulary(
        words=words,
        bigrams=bigrams,
        chars=chars,
        word_idf=_idf(word_df, n_docs),
        char_idf=char_idf,
    )


# --------------------------------------------------------------------------------------------
# The model.


@dataclass(eq=False)
class ClaimModel:
    """A trained claim classifier: plain arrays, no scikit-learn object, no training data.

    ``threshold`` turns probabilities into decisions (``probability >= threshold``);
    ``metrics`` holds the held-out precision, recall and F1 measured when it was trained;
    ``training_sha256`` identifies the exact training texts and labels. Use
    :func:`pipeline.text.tagging.tag_claims` with ``model=`` to tag sentences, or
    :meth:`predict_proba` for the bare probabilities. Instances are immutable in practice:
    nothing in this module changes them after construction.
    """

    vocabulary: _Vocabulary
    rule_coef: np.ndarray
    word_coef: np.ndarray
    char_coef: np.ndarray
    intercept: float
    threshold: float
    metrics: dict
    training_sha256: str
    created_at: str
    sklearn_version: str
    params: dict
    _rule_index: dict[str, int] = field(init=False, repr=False)
    _weights: tuple[np.ndarray, ...] = field(init=False, repr=False)
    _positive_rules: dict[str, float] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        vocab = self.vocabulary
        if (
            len(self.rule_coef) != len(RULE_FEATURES)
            or len(self.word_coef) != vocab.n_word_features
            or len(self.char_coef) != len(vocab.chars)
        ):
            raise ValueError("coefficients do not match the features")
        if not 0.0 <= self.threshold <= 1.0:
            raise ValueError("threshold must be in [0, 1]")
        self._rule_index = {name: j for j, name in enumerate(RULE_FEATURES)}
        self._positive_rules = {
            name: float(c) for name, c in zip(RULE_FEATURES, self.rule_coef, strict=True) if c > 0
        }
        self._weights = (
            vocab.word_idf * self.word_coef,
            vocab.word_idf * vocab.word_idf,
            vocab.char_idf * self.char_coef,
            vocab.char_idf * vocab.char_idf,
        )

    @property
    def feature_names(self) -> list[str]:
        """Names of all features in coefficient order: ``rule:``/``type:``, ``word:``,
        ``char:``."""
        return self.vocabulary.feature_names()

    @property
    def coef(self) -> np.ndarray:
        """All coefficients, aligned with :attr:`feature_names`."""
        return np.concatenate((self.rule_coef, self.word_coef, self.char_coef))

    # ----------------------------------------------------------------------------------------
    # Scoring.

    def predict_proba(
        self, sentences: Sequence[str], *, topics: dict[str, Sequence[str]] | None = None
    ) -> np.ndarray:
        """Probability that each sentence is a claim (float64 array, one per sentence).

        Sentences without any letter or digit score 0. ``topics`` is the topic lexicon the
        rule features use (``None``: the bundled one; pass the same lexicon as in training).
        """
        tags = _tagging._analyse(sentences, topics)
        return self._scores(sentences, tags)[0]

    def predict(
        self, sentences: Sequence[str], *, topics: dict[str, Sequence[str]] | None = None
    ) -> np.ndarray:
        """``predict_proba(sentences) >= threshold`` as a bool array."""
        return self.predict_proba(sentences, topics=topics) >= self.threshold

    def _rule_scores(self, tags: _tagging._RuleTags) -> np.ndarray:
        """Type coefficient plus the coefficients of the fired rules, added in
        ``FIRED_COLUMNS`` order (bit-identical in every process)."""
        z = self.rule_coef[_TYPE_FEATURE][tags.kind]
        for j, feature in enumerate(_FIRED_FEATURE.tolist()):
            z = z + np.where(tags.fired[:, j], self.rule_coef[feature], 0.0)
        return z

    def _scores(
        self, sentences: Sequence[str], tags: _tagging._RuleTags, explain: bool = False
    ) -> tuple[np.ndarray, list[list[tuple[float, str]]] | None, list[str]]:
        """Probabilities and, when ``explain``, each claim's features ranked by contribution
        (largest first, only those that raise the score)."""
        n = len(sentences)
        z = self._rule_scores(tags) + self.intercept
        texts = [low.translate(_NORMAL) for low in tags.low]
        has_token = np.zeros(n, dtype=bool)
        vocab = self.vocabulary
        word_w, word_q, char_w, char_q = self._weights
        blocks = []
        for offset in range(0, n, _CHUNK):
            chunk = texts[offset : offset + _CHUNK]
            m = len(chunk)
            w_rows, w_cols, lengths = vocab.word_occurrences(chunk)
            has_token[offset : offset + m] = lengths > 0
            c_rows, c_cols = vocab.char_occurrences(chunk)
            w_norm = _norms(w_rows, word_q[w_cols], m)
            c_norm = _norms(c_rows, char_q[c_cols], m)
            z[offset : offset + m] += (
                np.bincount(w_rows, weights=word_w[w_cols], minlength=m) / w_norm
                + np.bincount(c_rows, weights=char_w[c_cols], minlength=m) / c_norm
            )
            if explain:
                blocks.append((offset, w_rows, w_cols, w_norm, c_rows, c_cols, c_norm))
        probs = 1.0 / (1.0 + np.exp(-z))
        probs[~has_token] = 0.0
        if not explain:
            return probs, None, texts
        positive = probs >= self.threshold
        ranked: list[list[tuple[float, str]]] = [[] for _ in range(n)]
        names_w = vocab.word_feature_names
        names_c = vocab.char_feature_names
        positive_rules = self._positive_rules
        fired_names = _tagging.FIRED_COLUMNS
        for i in np.flatnonzero(positive).tolist():
            items = ranked[i]
            for j in np.flatnonzero(tags.fired[i]).tolist():
                c = positive_rules.get("rule:" + fired_names[j])
                if c is not None:
                    items.append((c, "rule:" + fired_names[j]))
            kind = _tagging.CLAIM_TYPES[tags.kind[i]]
            c = positive_rules.get("type:" + kind)
            if c is not None:
                items.append((c, "type:" + kind))
        # Word n-grams for every claim; character n-grams only for claims that nothing more
        # readable explains (they are many, overlapping, and hard for a reader to follow).
        for offset, w_rows, w_cols, w_norm, c_rows, c_cols, c_norm in blocks:
            m = len(w_norm)
            keep = positive[offset : offset + m]
            if keep.any():
                sel = keep[w_rows]
                rows, cols = w_rows[sel], w_cols[sel]
                _rank_into(ranked, offset, keep, rows, cols, word_w[cols] / w_norm[rows], names_w)
            keep = keep & np.fromiter((not r for r in ranked[offset : offset + m]), bool, m)
            if keep.any():
                sel = keep[c_rows]
                rows, cols = c_rows[sel], c_cols[sel]
                _rank_into(ranked, offset, keep, rows, cols, char_w[cols] / c_norm[rows], names_c)
        for i in np.flatnonzero(positive).tolist():
            ranked[i].sort(key=lambda item: (-item[0], item[1]))
        return probs, ranked, texts

    # ----------------------------------------------------------------------------------------
    # Tagging with evidence.

    def _locate(self, feature: str, text: str, tokens: list, hits: list) -> tuple[int, int] | None:
        """Offsets of ``feature`` in the sentence: ``text`` is its normalised form, ``tokens``
        a cache ``[token spans, tokens]`` filled on first need, ``hits`` the rule cues."""
        kind, _, value = feature.partition(":")
        if kind == "word":
            if not tokens:
                spans = [m.span() for m in _TOKEN_RE.finditer(text)]
                tokens.extend((spans, [text[a:b] for a, b in spans]))
            spans, words = tokens
            first, _, second = value.partition(" ")
            k = -1
            while True:
                try:
                    k = words.index(first, k + 1)
                except ValueError:
                    return None
                if not second:
                    return spans[k]
                if k + 1 < len(words) and words[k + 1] == second:
                    return spans[k][0], spans[k + 1][1]
        if kind == "char":
            core = value.strip(" ")
            at_start, at_end = value.startswith(" "), value.endswith(" ") and core != ""
            pos = text.find(core)
            while pos >= 0:
                end = pos + len(core)
                if (not at_start or pos == 0 or text[pos - 1] == " ") and (
                    not at_end or end == len(text) or text[end] == " "
                ):
                    return pos, end
                pos = text.find(core, pos + 1)
            return None
        if kind == "rule" and value == "topic":
            for s, e, rule in hits:
                if rule.startswith(_tagging.TOPIC_PREFIX):
                    return s, e
            return None
        wanted = {value} if kind == "rule" else _tagging.TYPE_RULES.get(value, frozenset())
        for s, e, rule in hits:
            if rule in wanted:
                return s, e
        return None

    def _tag(self, sentences: Sequence[str], tags: _tagging._RuleTags) -> _tagging._Tagged:
        probs, ranked, texts = self._scores(sentences, tags, explain=True)
        assert ranked is not None
        n = len(sentences)
        positive = probs >= self.threshold
        rule_kind = np.where(tags.kind == _NOT_A_CLAIM, _OTHER_CLAIM, tags.kind)
        kind = np.where(positive, rule_kind, _NOT_A_CLAIM)
        counts = np.zeros(n, dtype=np.int64)
        names: dict[str, int] = {}
        rules: list[int] = []
        cues: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        for i in np.flatnonzero(positive).tolist():
            sentence = sentences[i]
            text = texts[i]
            tokens: list = []
            hits = tags.hits(i)
            items: list[tuple[int, int, str]] = []
            spans: set[tuple[int, int]] = set()
            for _, feature in ranked[i]:
                span = self._locate(feature, text, tokens, hits)
                if span is None or span in spans:
                    continue
                spans.add(span)
                items.append((*span, "model:" + feature))
                if len(items) == _EVIDENCE_PER_CLAIM:
                    break
            if not items:
                s = len(sentence) - len(sentence.lstrip())
                items.append((s, len(sentence.rstrip()), "model:bias"))
            items.sort()
            counts[i] = len(items)
            for s, e, rule in items:
                rules.append(names.setdefault(rule, len(names)))
                cues.append(sentence[s:e])
                starts.append(s)
                ends.append(e)
        bounds = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(counts, out=bounds[1:])
        evidence = (
            bounds,
            np.asarray(rules, dtype=np.int64),
            list(names),
            cues,
            np.asarray(starts, dtype=np.int64),
            np.asarray(ends, dtype=np.int64),
        )
        return _tagging._Tagged.of(kind, probs, tags, evidence)

    # ----------------------------------------------------------------------------------------
    # Persistence.

    def weights_sha256(self) -> str:
        """A digest of everything that decides this model's output (arrays, vocabulary,
        threshold, parameters) and of nothing else: two trainings on the same data give the
        same digest although their ``created_at`` and ``.npz`` container bytes differ."""
        digest = hashlib.sha256(str(FORMAT_VERSION).encode())
        for array in (
            self.vocabulary.word_idf,
            self.vocabulary.char_idf,
            self.rule_coef,
            self.word_coef,
            self.char_coef,
        ):
            digest.update(np.ascontiguousarray(array, dtype=np.float64).tobytes())
        settings = [
            self.params,
            self.threshold,
            self.intercept,
            self.vocabulary.words,
            self.vocabulary.bigrams,
            self.vocabulary.chars,
        ]
        digest.update(json.dumps(settings, sort_keys=True, default=str).encode("utf-8"))
        return digest.hexdigest()

    def save(self, directory: str | Path) -> Path:
        """Write the model to ``directory`` (created if needed) as ``model.json`` plus
        ``arrays.npz`` (idf and coefficients); returns the directory. No pickle is used:
        :func:`load_claim_model` reads it back into a model with identical predictions."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        arrays_path = directory / ARRAYS_FILE
        with arrays_path.open("wb") as handle:
            np.savez(
                handle,
                word_idf=self.vocabulary.word_idf,
                char_idf=self.vocabulary.char_idf,
                rule_coef=self.rule_coef,
                word_coef=self.word_coef,
                char_coef=self.char_coef,
            )
        document = {
            "format": "claimset-claim-model",
            "weights_sha256": self.weights_sha256(),
            "format_version": FORMAT_VERSION,
            "created_at": self.created_at,
            "sklearn_version": self.sklearn_version,
            "training_sha256": self.training_sha256,
            "params": self.params,
            "threshold": self.threshold,
            "intercept": self.intercept,
            "metrics": self.metrics,
            "arrays_sha256": hashlib.sha256(arrays_path.read_bytes()).hexdigest(),
            "feature_names": {
                "rule": list(RULE_FEATURES),
                "word": self.vocabulary.words,
                "word_bigram": self.vocabulary.bigrams,
                "char": self.vocabulary.chars,
            },
        }
        (directory / MODEL_FILE).write_text(
            json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        return directory


_CHUNK = 4096
_NOT_A_CLAIM = _tagging.CLAIM_TYPES.index("not_a_claim")
_OTHER_CLAIM = _tagging.CLAIM_TYPES.index("other_claim")


def _rank_into(
    ranked: list[list[tuple[float, str]]],
    offset: int,
    keep: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    contrib: np.ndarray,
    names: list[str],
) -> None:
    """Append to ``ranked[offset + r]`` the distinct features of row ``r`` with the largest
    positive contributions (at most ``2 * _EVIDENCE_PER_CLAIM`` per row)."""
    sel = contrib > 0.0
    rows, cols, contrib = rows[sel], cols[sel], contrib[sel]
    order = np.argsort(rows + 1.0 / (1.0 + contrib), kind="stable")
    rows, cols, contrib = rows[order], cols[order], contrib[order]
    bounds = np.searchsorted(rows, np.arange(len(keep) + 1)).tolist()
    cols_list, contrib_list = cols.tolist(), contrib.tolist()
    limit = 2 * _EVIDENCE_PER_CLAIM
    for r in np.flatnonzero(keep).tolist():
        items = ranked[offset + r]
        seen: set[int] = set()
        for j in range(bounds[r], bounds[r + 1]):
            col = cols_list[j]
            if col not in seen:
                seen.add(col)
                items.append((contrib_list[j], names[col]))
                if len(seen) == limit:
                    break


def _norms(rows: np.ndarray, squares: np.ndarray, n_rows: int) -> np.ndarray:
    """Row norms for :func:`_block_matrix` from per-occurrence squared idf (0 becomes 1)."""
    norms = np.sqrt(np.bincount(rows, weights=squares, minlength=n_rows))
    norms[norms == 0.0] = 1.0
    return norms


def load_claim_model(directory: str | Path) -> ClaimModel:
    """Read a model written by :meth:`ClaimModel.save`. Never unpickles anything; raises
    ``ValueError`` when the files are not a claimset model, are of another format version,
    or do not match each other (checksum, array lengths, vocabulary)."""
    directory = Path(directory)
    document = json.loads((directory / MODEL_FILE).read_text(encoding="utf-8"))
    if document.get("format") != "claimset-claim-model":
        raise ValueError(f"{directory / MODEL_FILE} is not a claimset claim model")
    if document.get("format_version") != FORMAT_VERSION:
        raise ValueError(f"unsupported model format version {document.get('format_version')!r}")
    raw = (directory / ARRAYS_FILE).read_bytes()
    if hashlib.sha256(raw).hexdigest() != document.get("arrays_sha256"):
        raise ValueError(f"{directory / ARRAYS_FILE} does not match {MODEL_FILE} (sha256)")
    with np.load(directory / ARRAYS_FILE, allow_pickle=False) as arrays:
        data = {key: np.asarray(arrays[key], dtype=np.float64) for key in arrays.files}
    names = document["feature_names"]
    if list(names["rule"]) != list(RULE_FEATURES):
        raise ValueError("the model's rule features differ from this version's rules")
    vocabulary = _Vocabulary(
        words=list(names["word"]),
        bigrams=list(names["word_bigram"]),
        chars=list(names["char"]),
        word_idf=data["word_idf"],
        char_idf=data["char_idf"],
    )
    model = ClaimModel(
        vocabulary=vocabulary,
        rule_coef=data["rule_coef"],
        word_coef=data["word_coef"],
        char_coef=data["char_coef"],
        intercept=float(document["intercept"]),
        threshold=float(document["threshold"]),
        metrics=dict(document["metrics"]),
        training_sha256=str(document["training_sha256"]),
        created_at=str(document["created_at"]),
        sklearn_version=str(document["sklearn_version"]),
        params=dict(document["params"]),
    )
    # Models saved before the digest existed have none to check (their arrays still are).
    if WEIGHTS_KEY in document and model.weights_sha256() != document[WEIGHTS_KEY]:
        raise ValueError(f"{directory / MODEL_FILE} does not match its weights ({WEIGHTS_KEY})")
    return model


def stored_weights_sha256(directory: str | Path) -> str:
    """The :meth:`ClaimModel.weights_sha256` of the model saved in ``directory``: read from
    ``model.json`` without loading the arrays, or, for a model saved before the digest was
    recorded, computed by loading it. Raises ``ValueError`` like :func:`load_claim_model`."""
    document = json.loads((Path(directory) / MODEL_FILE).read_text(encoding="utf-8"))
    digest = document.get(WEIGHTS_KEY)
    if isinstance(digest, str):
        return digest
    return load_claim_model(directory).weights_sha256()


# --------------------------------------------------------------------------------------------
# Training.


def _check_training_data(texts: Sequence[str], labels: Sequence[bool]) -> np.ndarray:
    if isinstance(texts, str):
        raise TypeError("texts must be a sequence of sentences, not a single str")
    if len(texts) != len(labels):
        raise ValueError(f"got {len(texts)} texts but {len(labels)} labels")
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"text {i} is {type(text).__name__}, not str")
    y = np.zeros(len(labels), dtype=bool)
    for i, label in enumerate(labels):
        if label not in (True, False):
            raise ValueError(f"label {i} is {label!r}, not a bool")
        y[i] = bool(label)
    positives = int(y.sum())
    negatives = len(y) - positives
    if min(positives, negatives) < _MIN_PER_CLASS:
        raise ValueError(
            f"need at least {_MIN_PER_CLASS} positive and {_MIN_PER_CLASS} negative examples, "
            f"got {positives} positive and {negatives} negative"
        )
    return y


_MIN_PER_CLASS = 5


def _training_sha256(texts: Sequence[str], y: np.ndarray) -> str:
    digest = hashlib.sha256()
    for text, label in zip(texts, y.tolist(), strict=True):
        digest.update(json.dumps([text, label], ensure_ascii=False).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def _classifier(c: float, seed: int):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, solver="liblinear", random_state=seed, max_iter=1000)


def _fit(texts: list[str], tags: _tagging._RuleTags, y: np.ndarray, c: float, seed: int):
    vocabulary = _fit_vocabulary(texts)
    classifier = _classifier(c, seed).fit(vocabulary.matrix(texts, tags), y)
    return vocabulary, classifier


def _out_of_fold(
    texts: list[str], tags: _tagging._RuleTags, y: np.ndarray, part: np.ndarray, seed: int
) -> np.ndarray:
    """Out-of-fold probabilities over rows ``part``, one row per C of ``_C_GRID``: stratified
    ``_INNER_FOLDS``-fold cross-validation within ``part``, the vocabulary and idf fitted on
    each fold's training rows only."""
    from sklearn.model_selection import StratifiedKFold

    oof = np.zeros((len(_C_GRID), len(part)))
    folds = StratifiedKFold(n_splits=_INNER_FOLDS, shuffle=True, random_state=seed)
    for inner_train, inner_test in folds.split(part, y[part]):
        train, test = part[inner_train], part[inner_test]
        vocabulary = _fit_vocabulary([texts[i] for i in train])
        train_matrix = vocabulary.matrix([texts[i] for i in train], tags.take(train))
        test_matrix = vocabulary.matrix([texts[i] for i in test], tags.take(test))
        for k, c in enumerate(_C_GRID):
            classifier = _classifier(c, seed).fit(train_matrix, y[train])
            oof[k, inner_test] = classifier.predict_proba(test_matrix)[:, 1]
    return oof


def _choose(oof: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """(C, threshold, out-of-fold F1): the C of ``_C_GRID`` whose out-of-fold predictions
    reach the highest F1 at their best threshold (the smaller C on a tie), and that
    threshold."""
    best: tuple[float, float, float] | None = None
    for c, probs in zip(_C_GRID, oof, strict=True):
        threshold = _best_threshold(probs, y)
        f1 = _metrics(probs >= threshold, y)["f1"]
        if best is None or f1 > best[2]:
            best = (c, threshold, f1)
    assert best is not None
    return best


def _best_threshold(probs: np.ndarray, y: np.ndarray) -> float:
    """The cut between consecutive sorted probabilities that maximises F1."""
    order = np.argsort(-probs, kind="stable")
    p, t = probs[order], y[order]
    tp = np.cumsum(t)
    k = np.arange(1, len(p) + 1)
    f1 = 2 * tp / (k + t.sum())
    # Only cut where the probability changes, so the threshold separates the two sides.
    valid = np.append(p[:-1] > p[1:], True)
    best = int(np.argmax(np.where(valid, f1, -1.0)))
    if best == len(p) - 1:
        return float(p[-1])
    return float((p[best] + p[best + 1]) / 2.0)


def _metrics(pred: np.ndarray, y: np.ndarray) -> dict[str, float]:
    tp = int((pred & y).sum())
    fp = int((pred & ~y).sum())
    fn = int((~pred & y).sum())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def train_claim_model(texts: Sequence[str], labels: Sequence[bool], *, seed: int = 0) -> ClaimModel:
    """Train a claim classifier on labelled sentences and return it, ready to use and save.

    ``labels[i]`` says whether ``texts[i]`` is a positive (a claim in whatever sense the data
    labels). Promises: a stratified 20% is held out; the regularisation strength
    (``params["C"]``, one of ``params["C_grid"]``) and the decision threshold are chosen on the
    other 80% only (3-fold out-of-fold F1); ``model.metrics`` holds precision, recall, F1 and
    support on the held-out 20%; the returned model is then refitted on all the data with that
    C and threshold. The same inputs and ``seed`` give the same model. Raises ``ValueError`` when
    ``texts`` and ``labels`` differ in length, a label is not a bool, or there are fewer than
    5 examples of either class; ``TypeError`` when a text is not a ``str``.
    """
    from sklearn import __version__ as sklearn_version
    from sklearn.model_selection import train_test_split

    y = _check_training_data(texts, labels)
    texts = list(texts)
    tags = _tagging._analyse(texts, None)
    normalised = [_normalise(t) for t in texts]

    everything = np.arange(len(y))
    train_idx, test_idx = train_test_split(everything, test_size=0.2, stratify=y, random_state=seed)
    train_idx, test_idx = np.sort(train_idx), np.sort(test_idx)
    c, threshold, oof_f1 = _choose(_out_of_fold(normalised, tags, y, train_idx, seed), y[train_idx])
    vocab, clf = _fit(
        [normalised[i] for i in train_idx], tags.take(train_idx), y[train_idx], c, seed
    )
    test_matrix = vocab.matrix([normalised[i] for i in test_idx], tags.take(test_idx))
    metrics = _metrics(clf.predict_proba(test_matrix)[:, 1] >= threshold, y[test_idx])
    metrics.update(
        {
            "threshold_chosen_on": "3-fold out-of-fold predictions on the 80% training part",
            "C_chosen_on": "the same out-of-fold predictions (best F1 over the C grid)",
            "out_of_fold_f1": oof_f1,
            "held_out": int(len(test_idx)),
            "held_out_positive": int(y[test_idx].sum()),
            "trained_on": int(len(y)),
            "trained_on_positive": int(y.sum()),
        }
    )

    vocabulary, classifier = _fit(normalised, tags, y, c, seed)
    coef = classifier.coef_.ravel().astype(np.float64)
    n_rule, n_word = len(RULE_FEATURES), vocabulary.n_word_features
    return ClaimModel(
        vocabulary=vocabulary,
        rule_coef=coef[:n_rule].copy(),
        word_coef=coef[n_rule : n_rule + n_word].copy(),
        char_coef=coef[n_rule + n_word :].copy(),
        intercept=float(classifier.intercept_[0]),
        threshold=threshold,
        metrics=metrics,
        training_sha256=_training_sha256(texts, y),
        created_at=_dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        sklearn_version=sklearn_version,
        params={
            "seed": seed,
            "C": c,
            "C_grid": list(_C_GRID),
            "min_df": _MIN_DF,
            "char_ngrams": list(_CHAR_NS),
            "word_ngrams": [1, 2],
            "solver": "liblinear",
        },
    )
