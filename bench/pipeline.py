"""End-to-end throughput of the claimset stages against a pandas + pySBD reference pipeline.

Usage: .venv/bin/python bench/pipeline.py [--mb 200] [--reference-mb 2] [--workdir DIR]

Builds a corpus of varied documents (plain text, Markdown, .jsonl feeds and HTML pages) from
the sentences of the bundled sample corpus, shuffled and recombined with a fixed seed. Then it
runs, each in a fresh process so peak memory is its own:

* claimset: ingest, clean, split, tag, validate (the pandera schemas), publish (versioned
  Parquet), with the library functions the Dagster assets call;
* a reference with the same stages written the usual way: pandas frames, ftfy, pySBD with
  character spans, a per-sentence Python regex for tagging, a pandera schema, and
  ``DataFrame.to_parquet``. pySBD is slow, so the reference runs on a prefix of the corpus
  (``--reference-mb``) and is compared in MB/s.

It prints the seconds per stage, MB/s of raw input, peak RSS and the ratio claimset/reference.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

SEED = 7


def build_corpus(target: Path, megabytes: float) -> int:
    """Write about ``megabytes`` MB of documents under ``target``; return the bytes written."""
    from pipeline.curate import curate_documents
    from pipeline.ingest import read_raw_documents
    from pipeline.sentences import split_documents

    documents, _ = curate_documents(read_raw_documents(REPO / "data" / "raw"))
    pool = split_documents(documents)["text"].tolist()
    rng = random.Random(SEED)
    target.mkdir(parents=True, exist_ok=True)
    written, number = 0, 0
    while written < megabytes * 1_000_000:
        size = min(int(rng.lognormvariate(9.0, 0.9)), 400_000)
        paragraphs, length = [], 0
        while length < size:
            sentences = rng.sample(pool, k=min(len(pool), rng.randint(2, 6)))
            paragraph = " ".join(sentences)
            paragraphs.append(paragraph)
            length += len(paragraph)
        kind = rng.random()
        if kind < 0.7:
            name, content = f"doc{number:06d}.txt", "\n\n".join(paragraphs)
        elif kind < 0.8:
            name, content = f"doc{number:06d}.md", f"# Note {number}\n\n" + "\n\n".join(paragraphs)
        elif kind < 0.9:
            name = f"feed{number:06d}.jsonl"
            content = "\n".join(
                json.dumps({"id": f"{number}-{i}", "text": p}, ensure_ascii=False)
                for i, p in enumerate(paragraphs)
            )
        else:
            name = f"page{number:06d}.html"
            body = "".join(f"<p>{p}</p>" for p in paragraphs)
            content = (
                f"<html><head><title>Page {number}</title></head><body><nav>Home</nav>"
                f"<article>{body}</article><footer>Leave a Reply</footer></body></html>"
            )
        data = content.encode("utf-8")
        (target / name).write_bytes(data)
        written += len(data)
        number += 1
    return written


def run_claimset(raw_dir: Path, data_dir: Path) -> dict[str, float]:
    """Time every stage of claimset on ``raw_dir``; seconds per stage."""
    from pipeline.claims import tag_sentences
    from pipeline.curate import curate_documents
    from pipeline.ingest import read_raw_documents
    from pipeline.release import publish_release
    from pipeline.sentences import split_documents
    from pipeline.store import DatasetStore
    from schemas.claims import validate_claims
    from schemas.documents import validate_documents
    from schemas.rejects import validate_rejects
    from schemas.sentences import validate_sentences

    times: dict[str, float] = {}
    start = time.perf_counter()
    raw = read_raw_documents(raw_dir)
    times["ingest"] = time.perf_counter() - start
    start = time.perf_counter()
    documents, rejects = curate_documents(raw)
    times["clean"] = time.perf_counter() - start
    start = time.perf_counter()
    sentences = split_documents(documents)
    times["split"] = time.perf_counter() - start
    start = time.perf_counter()
    claims = tag_sentences(sentences)
    times["tag"] = time.perf_counter() - start
    start = time.perf_counter()
    reports = [
        validate_documents(documents, rejects, raw["input_id"]),
        validate_rejects(rejects),
        validate_sentences(sentences, documents),
        validate_claims(claims, sentences),
    ]
    times["validate"] = time.perf_counter() - start
    assert all(report.passed for report in reports), [r.summary() for r in reports]
    start = time.perf_counter()
    store = DatasetStore.in_data_dir(data_dir, "claimset")
    publish_release(store, documents, sentences, claims, rejects, run_id="bench", data_dir=data_dir)
    times["publish"] = time.perf_counter() - start
    times["sentences"] = float(len(sentences))
    return times


def run_reference(raw_dir: Path, data_dir: Path, limit_bytes: int) -> dict[str, float]:
    """The same stages written with pandas, ftfy, pySBD, per-sentence regexes and pandera."""
    import re

    import ftfy
    import pandas as pd
    import pandera.pandas as pa
    import pysbd

    times: dict[str, float] = {}
    start = time.perf_counter()
    rows, used = [], 0
    for path in sorted(raw_dir.iterdir()):
        if used >= limit_bytes:
            break
        data = path.read_bytes()
        used += len(data)
        text = data.decode("utf-8", errors="replace")
        if path.suffix == ".jsonl":
            rows += [(path.name, json.loads(line)["text"]) for line in text.splitlines() if line]
        elif path.suffix == ".html":
            rows.append((path.name, re.sub(r"<[^>]+>", " ", text)))
        else:
            rows.append((path.name, text))
    frame = pd.DataFrame(rows, columns=["source", "text"])
    times["ingest"] = time.perf_counter() - start
    start = time.perf_counter()
    frame["text"] = frame["text"].map(lambda t: re.sub(r"\s+", " ", ftfy.fix_text(t)).strip())
    times["clean"] = time.perf_counter() - start
    start = time.perf_counter()
    segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
    records = [
        (doc, index, span.start, span.end, span.sent.strip())
        for doc, text in enumerate(frame["text"])
        for index, span in enumerate(segmenter.segment(text))
    ]
    sentences = pd.DataFrame(records, columns=["doc", "index", "start", "end", "text"])
    times["split"] = time.perf_counter() - start
    start = time.perf_counter()
    cues = re.compile(r"\b(\d+(\.\d+)?%?|will|expected|because|policy|plan|law|said)\b", re.I)
    sentences["is_claim"] = [bool(cues.search(text)) for text in sentences["text"]]
    times["tag"] = time.perf_counter() - start
    start = time.perf_counter()
    schema = pa.DataFrameSchema(
        {
            "doc": pa.Column(int, pa.Check.ge(0)),
            "index": pa.Column(int, pa.Check.ge(0)),
            "start": pa.Column(int, pa.Check.ge(0)),
            "end": pa.Column(int, pa.Check.ge(0)),
            "text": pa.Column(str),
            "is_claim": pa.Column(bool),
        }
    )
    schema.validate(sentences, lazy=True)
    times["validate"] = time.perf_counter() - start
    start = time.perf_counter()
    data_dir.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(data_dir / "documents.parquet", compression="zstd")
    sentences.to_parquet(data_dir / "sentences.parquet", compression="zstd")
    times["publish"] = time.perf_counter() - start
    times["sentences"] = float(len(sentences))
    times["bytes"] = float(used)
    return times


def _child(kind: str, raw_dir: Path, data_dir: Path, limit: int) -> None:
    times = (
        run_claimset(raw_dir, data_dir)
        if kind == "claimset"
        else run_reference(raw_dir, data_dir, limit)
    )
    times["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(times))


def _measure(kind: str, raw_dir: Path, data_dir: Path, limit: int) -> dict[str, float]:
    output = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(raw_dir), str(data_dir), str(limit)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    """Build the corpus, run both pipelines in fresh processes, print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=float, default=200.0, help="corpus size for claimset")
    parser.add_argument("--reference-mb", type=float, default=2.0, help="prefix for pySBD")
    parser.add_argument("--workdir", type=Path, help="where to build the corpus (default tmp)")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, raw_dir, data_dir, limit = args.child
        _child(kind, Path(raw_dir), Path(data_dir), int(limit))
        return
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="claimset-bench-"))
    raw_dir = workdir / "raw"
    total = build_corpus(raw_dir, args.mb)
    ours = _measure("claimset", raw_dir, workdir / "claimset", total)
    reference = _measure(
        "reference", raw_dir, workdir / "reference", int(args.reference_mb * 1_000_000)
    )
    stages = ["ingest", "clean", "split", "tag", "validate", "publish"]
    rows = [("claimset", ours, total), ("pandas + pySBD reference", reference, reference["bytes"])]
    print(f"Corpus: {total / 1e6:.1f} MB in {len(list(raw_dir.iterdir()))} files ({workdir})\n")
    print(
        "| pipeline | MB | "
        + " | ".join(f"{s} s" for s in stages)
        + " | total s | MB/s | peak RSS MB |"
    )
    print("|---|---:|" + "---:|" * (len(stages) + 3))
    speeds = []
    for name, times, size in rows:
        seconds = sum(times[stage] for stage in stages)
        speeds.append(size / 1e6 / seconds)
        cells = " | ".join(f"{times[stage]:.2f}" for stage in stages)
        print(
            f"| {name} | {size / 1e6:.1f} | {cells} | {seconds:.2f} | {speeds[-1]:.2f} | "
            f"{times['peak_rss_mb']:.0f} |"
        )
    print(f"\nclaimset / reference MB/s: {speeds[0] / speeds[1]:.1f}x")
    share = ours["validate"] / sum(ours[stage] for stage in stages)
    print(f"claimset validation share of end-to-end time: {share:.0%}")


if __name__ == "__main__":
    main()
