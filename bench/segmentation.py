"""Benchmark claimset's sentence splitter against peer libraries on the shared eval data.

Usage: .venv/bin/python bench/segmentation.py [--shared ../shared]

Reads <shared>/eval/segmentation/ (English Golden Rules, UD English and Chinese dev sets),
runs claimset's ``split_sentences`` and every installed peer (pySBD, sentencex, nupunkt,
blingfire) on the same data in one process, and prints a markdown table of accuracy and
speed. Peers that return strings are mapped back to character offsets by searching forward
in the text; that mapping is part of their timed run ("speed with offsets").
"""

from __future__ import annotations

import argparse
import importlib
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

Spans = list[tuple[int, int]]
Splitter = Callable[[str, str], Spans]  # (text, lang) -> spans

SPEED_TARGET_BYTES = 10_000_000
PYSBD_SLICE_CHARS = 200_000
RUNS = 3


def load_claimset() -> Callable[[str, str | None], Spans]:
    """claimset's splitter; falls back to loading the module file if the package import fails.

    ``pipeline.text/__init__`` imports sibling modules; the benchmark only needs segment.py.
    """
    try:
        from pipeline.text.segment import split_sentences
    except ImportError:
        path = REPO / "pipeline" / "text" / "segment.py"
        spec = importlib.util.spec_from_file_location("claimset_segment", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        split_sentences = module.split_sentences
    return split_sentences


def strings_to_spans(text: str, sentences: list[str]) -> Spans:
    """Map sentence strings back to offsets in ``text`` by searching forward.

    A sentence that cannot be found verbatim (a peer that rewrites whitespace) is aligned by
    counting its non-whitespace characters instead.
    """
    spans: Spans = []
    pos = 0
    for sentence in sentences:
        s = sentence.strip()
        if not s:
            continue
        i = text.find(s, pos)
        if i >= 0:
            spans.append((i, i + len(s)))
            pos = i + len(s)
            continue
        need = sum(1 for ch in s if not ch.isspace())
        start = -1
        j = pos
        while j < len(text) and need:
            if not text[j].isspace():
                if start < 0:
                    start = j
                need -= 1
            j += 1
        if start >= 0:
            spans.append((start, j))
            pos = j
    return spans


def per_line(split_strings: Callable[[str], list[str]]) -> Callable[[str], list[str]]:
    def run(text: str) -> list[str]:
        out: list[str] = []
        for line in text.split("\n"):
            if line.strip():
                out.extend(split_strings(line))
        return out

    return run


def peers() -> tuple[dict[str, Splitter], list[str]]:
    """Installed peer splitters by display name, and notes about the missing ones."""
    found: dict[str, Splitter] = {}
    notes: list[str] = []
    try:
        import pysbd

        segmenters = {lang: pysbd.Segmenter(language=lang, clean=False) for lang in ("en", "zh")}
        found["pySBD"] = lambda text, lang: strings_to_spans(text, segmenters[lang].segment(text))
    except ImportError:
        notes.append("pySBD not installed (pip install pysbd): skipped")
    try:
        import sentencex

        def sentencex_line(lang: str) -> Callable[[str], list[str]]:
            return per_line(lambda line: list(sentencex.segment(lang, line)))

        found["sentencex per line"] = lambda text, lang: strings_to_spans(
            text, sentencex_line(lang)(text)
        )
    except ImportError:
        notes.append("sentencex not installed (pip install sentencex): skipped")
    try:
        import nupunkt

        nupunkt_line = per_line(nupunkt.sent_tokenize)
        found["nupunkt per line"] = lambda text, lang: strings_to_spans(text, nupunkt_line(text))
    except ImportError:
        notes.append("nupunkt not installed (pip install nupunkt): skipped")
    try:
        import blingfire

        def blingfire_spans(text: str, lang: str) -> Spans:
            if not text.strip():
                return []
            _, offsets = blingfire.text_to_sentences_and_offsets(text)
            return [(a, b) for a, b in offsets]

        found["blingfire"] = blingfire_spans
    except ImportError:
        notes.append("blingfire not installed (pip install blingfire): skipped")
    return found, notes


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def boundaries(text: str, spans: Spans) -> set[int]:
    """End offset of the last non-space character of every span."""
    out = set()
    for a, b in spans:
        stripped = text[a:b].rstrip()
        if stripped:
            out.add(a + len(stripped))
    return out


def golden_rules(split: Splitter, rows: list[dict]) -> int:
    passed = 0
    for row in rows:
        text = row["text"]
        got = [text[a:b].strip() for a, b in split(text, "en")]
        got = [s for s in got if s]
        passed += got == [s.strip() for s in row["sentences"]]
    return passed


def boundary_prf(split: Splitter, docs: list[dict], lang: str) -> tuple[float, float, float]:
    tp = fp = fn = 0
    for doc in docs:
        text = doc["text"]
        gold = boundaries(text, [tuple(s) for s in doc["spans"]])
        pred = boundaries(text, split(text, lang))
        tp += len(gold & pred)
        fp += len(pred - gold)
        fn += len(gold - pred)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def speed(splitters: dict[str, Splitter], big: str, small: str) -> dict[str, float]:
    """MB/s (UTF-8 bytes) per splitter: median of RUNS interleaved runs."""
    inputs = {name: (small if name == "pySBD" else big) for name in splitters}
    sizes = {name: len(text.encode("utf-8")) / 1e6 for name, text in inputs.items()}
    times: dict[str, list[float]] = {name: [] for name in splitters}
    for _ in range(RUNS):
        for name, split in splitters.items():
            t0 = time.perf_counter()
            split(inputs[name], "en")
            times[name].append(time.perf_counter() - t0)
    return {name: sizes[name] / statistics.median(times[name]) for name in splitters}


def linearity(split: Splitter, corpus: str) -> tuple[float, float, float]:
    """Time on one 1 MB document, on 1,000 documents of 1 KB, and their ratio."""
    doc = corpus[:1_000_000]
    chunks = [doc[i : i + 1_000] for i in range(0, len(doc), 1_000)]
    one, many = [], []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        split(doc, "en")
        one.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        for chunk in chunks:
            split(chunk, "en")
        many.append(time.perf_counter() - t0)
    t_one, t_many = statistics.median(one), statistics.median(many)
    return t_one, t_many, t_one / t_many


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--shared",
        type=Path,
        default=Path(__file__).resolve().parents[2] / "shared",
        help="the shared data directory (default: 'shared' beside the repository)",
    )
    args = parser.parse_args(argv)
    data = args.shared / "eval" / "segmentation"
    needed = ["golden_rules_en.jsonl", "ud_en_dev.jsonl", "ud_zh_dev.jsonl"]
    if not all((data / name).is_file() for name in needed):
        print(f"segmentation eval data not found in {data}; nothing to benchmark.")
        return 0

    split_sentences = load_claimset()
    splitters: dict[str, Splitter] = {"claimset": lambda text, lang: split_sentences(text, lang)}
    found, notes = peers()
    splitters.update(found)

    rules = read_jsonl(data / "golden_rules_en.jsonl")
    ud_en = read_jsonl(data / "ud_en_dev.jsonl")
    ud_zh = read_jsonl(data / "ud_zh_dev.jsonl")

    corpus = "\n\n".join(doc["text"] for doc in ud_en)
    big = corpus * (SPEED_TARGET_BYTES // len(corpus.encode("utf-8")) + 1)
    small = big[:PYSBD_SLICE_CHARS]

    results: dict[str, dict[str, float]] = {}
    for name, split in splitters.items():
        p, r, f = boundary_prf(split, ud_en, "en")
        results[name] = {
            "rules": golden_rules(split, rules),
            "p": p,
            "r": r,
            "f": f,
            "zh": boundary_prf(split, ud_zh, "zh")[2],
        }
    mbs = speed(splitters, big, small)
    t_one, t_many, ratio = linearity(splitters["claimset"], corpus * 5)

    big_mb = len(big.encode("utf-8")) / 1e6
    small_mb = len(small.encode("utf-8")) / 1e6
    print(
        f"Speed text: UD en dev repeated to {big_mb:.1f} MB (pySBD: first {small_mb:.1f} MB); "
        f"median of {RUNS} interleaved runs, offsets included."
    )
    print()
    print("| splitter | Golden Rules | UD en P | UD en R | UD en F1 | UD zh F1 | MB/s |")
    print("|---|---|---|---|---|---|---|")
    for name, res in results.items():
        print(
            f"| {name} | {res['rules']}/{len(rules)} | {res['p']:.3f} | {res['r']:.3f} "
            f"| {res['f']:.3f} | {res['zh']:.3f} | {mbs[name]:.2f} |"
        )
    print()
    for peer in ("pySBD", "sentencex per line"):
        if peer in mbs:
            print(f"- claimset speed / {peer}: {mbs['claimset'] / mbs[peer]:.1f}x")
    print(
        f"- claimset linearity: one 1 MB document {t_one * 1000:.1f} ms, 1,000 documents of "
        f"1 KB {t_many * 1000:.1f} ms, ratio {ratio:.2f}"
    )
    for note in notes:
        print(f"- {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
