"""End-to-end throughput of the claimset stages against a pandas + pySBD reference pipeline.

Usage: .venv/bin/python bench/pipeline.py [--mb 200] [--reference-mb 2] [--workers 2]
       [--memory-mb 100,1000] [--workdir DIR]

Builds a corpus of varied documents (plain text, Markdown, .jsonl feeds and HTML pages) from
the sentences of the bundled sample corpus, shuffled and recombined with a fixed seed. Then it
runs, each in a fresh process so peak memory is its own:

* claimset: ingest, clean, split, tag (each shard validated by the pandera schemas where it is
  produced), publish (versioned Parquet), with the engine functions the Dagster assets call,
  on ``--workers`` local processes and on one process, then re-run after adding one document
  and after changing the tagger's code version (both reuse the cache of the first run), and
  the same +1 document re-run on a corpus of ``--incremental-documents`` documents;
* a reference with the same stages written the usual way: pandas frames, ftfy, pySBD with
  character spans, a per-sentence Python regex for tagging, a pandera schema, and
  ``DataFrame.to_parquet``. pySBD is slow, so the reference runs on a prefix of the corpus
  (``--reference-mb``) and is compared in MB/s.

It prints the wall seconds per stage, MB/s of raw input, peak memory of the whole process tree
(workers included; PSS, so shared pages count once), the ratios claimset/reference and
parallel/serial, the validation share, the incremental re-run costs, and peak memory for
corpora of ``--memory-mb`` sizes.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

SEED = 7


def build_corpus(target: Path, megabytes: float, documents: int | None = None) -> int:
    """Write about ``megabytes`` MB of documents under ``target`` (or, given ``documents``,
    files until they hold that many documents); return the bytes written."""
    from pipeline.curate import curate_documents
    from pipeline.ingest import read_raw_documents
    from pipeline.sentences import split_documents

    sample, _ = curate_documents(read_raw_documents(REPO / "data" / "raw"))
    pool = split_documents(sample)["text"].tolist()
    rng = random.Random(SEED)
    target.mkdir(parents=True, exist_ok=True)
    written, number, count = 0, 0, 0

    def more() -> bool:
        return count < documents if documents is not None else written < megabytes * 1_000_000

    while more():
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
            if documents is not None:
                paragraphs = paragraphs[: documents - count]
            content = "\n".join(
                json.dumps({"id": f"{number}-{i}", "text": p}, ensure_ascii=False)
                for i, p in enumerate(paragraphs)
            )
            count += len(paragraphs) - 1
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
        count += 1
    return written


def run_claimset(raw_dir: Path, data_dir: Path, workers: int) -> dict[str, float]:
    """Run every stage of claimset on ``raw_dir`` with ``workers`` local processes, as the
    Dagster assets chain them; wall seconds per stage, plus what the engine reports."""
    from pipeline import versions
    from pipeline.compute import open_backend
    from pipeline.engine import clean, fingerprint, ingest, split, tag
    from pipeline.parts import PartCache
    from pipeline.release import publish_release
    from pipeline.shards import inventory, plan_shards
    from pipeline.store import DatasetStore

    if os.environ.get("CLAIMSET_BENCH_TAGGER_VERSION"):
        versions.STAGE_VERSIONS["claims"] = os.environ["CLAIMSET_BENCH_TAGGER_VERSION"]
    backend = open_backend("local", workers)
    cache = PartCache(data_dir / "cache")
    times: dict[str, float] = {}
    try:
        start = time.perf_counter()
        shards = plan_shards(inventory(raw_dir, cache.root / "inventory.json"))
        raw = ingest(shards, raw_dir, cache, backend)
        times["ingest"] = time.perf_counter() - start
        documents, rejects = clean(raw, cache, backend)
        sentences = split(documents, cache, backend)
        claims = tag(sentences, cache, backend)
        start = time.perf_counter()
        tables = {"documents": documents, "sentences": sentences, "claims": claims}
        publish_release(
            DatasetStore.in_data_dir(data_dir, "claimset"),
            {name: t.parts for name, t in (tables | {"rejects": rejects}).items()},
            fingerprint=fingerprint(documents, claims),
            run_id=f"bench-{time.time_ns()}",
            data_dir=data_dir,
        )
        times["publish"] = time.perf_counter() - start
    finally:
        backend.close()
    for stage, table in (("clean", documents), ("split", sentences), ("tag", claims)):
        times[stage] = table.stats.wall_seconds
        times[f"{stage}_computed"] = table.stats.computed
    failures = sum(
        sum(t.failure_counts().values()) for t in (documents, rejects, sentences, claims)
    )
    assert failures == 0, "validation failed"
    stats = [raw.stats, documents.stats, sentences.stats, claims.stats]
    times["work"] = sum(stat.work_seconds for stat in stats)
    times["validate_work"] = sum(stat.validate_seconds for stat in stats)
    times["shards"] = len(shards)
    times["documents"] = documents.rows
    times["sentences"] = sentences.rows
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


class TreeMemory:
    """Samples the memory of this process and all its descendants (pool workers included)
    every few milliseconds and keeps the peak of the sum. Each process counts its proportional
    set size (PSS: pages shared with other processes, such as the forkserver's preloaded
    modules, are split among them), so shared memory is not counted once per worker; where PSS
    is unavailable, its resident set size."""

    def __init__(self, interval: float = 0.02) -> None:
        import psutil

        self.process = psutil.Process()
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        import psutil

        while not self._stop.is_set():
            total = 0
            for process in [self.process, *self.process.children(recursive=True)]:
                try:
                    total += _proportional_size(process)
                except psutil.Error:
                    continue
            self.peak = max(self.peak, total)
            self._stop.wait(self.interval)

    def stop(self) -> float:
        """Stop sampling; the peak in MB."""
        self._stop.set()
        self._thread.join()
        return self.peak / 1e6


def _proportional_size(process: object) -> int:
    import psutil

    try:
        return process.memory_full_info().pss  # type: ignore[attr-defined]
    except (psutil.AccessDenied, AttributeError):
        return process.memory_info().rss  # type: ignore[attr-defined]


def _child(kind: str, raw_dir: Path, data_dir: Path, limit: int, workers: int) -> None:
    memory = TreeMemory()
    times = (
        run_claimset(raw_dir, data_dir, workers)
        if kind == "claimset"
        else run_reference(raw_dir, data_dir, limit)
    )
    times["peak_rss_mb"] = memory.stop()
    print(json.dumps(times))


def _measure(
    kind: str, raw_dir: Path, data_dir: Path, limit: int = 0, workers: int = 2, **env: str
) -> dict[str, float]:
    output = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(raw_dir), str(data_dir), str(limit)]
        + ["--workers", str(workers)],
        check=True,
        capture_output=True,
        text=True,
        env=os.environ | env,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


STAGES = ["ingest", "clean", "split", "tag", "validate", "publish"]


def _row(name: str, times: dict[str, float], size: float) -> tuple[str, float]:
    # claimset validates each shard inside clean/split/tag, so it has no validate column.
    seconds = sum(times.get(stage, 0.0) for stage in STAGES)
    cells = " | ".join(f"{times[stage]:.2f}" if stage in times else "in stages" for stage in STAGES)
    line = (
        f"| {name} | {size / 1e6:.1f} | {cells} | {seconds:.2f} | {size / 1e6 / seconds:.2f} | "
        f"{times['peak_rss_mb']:.0f} |"
    )
    return line, seconds


def _incremental_at(directory: Path, documents: int, workers: int) -> None:
    """Print the cost of a re-run after adding 1 document to a corpus of ``documents``."""
    # A few generated feed lines repeat one another and are dropped as duplicates: aim higher.
    built = build_corpus(directory / "raw", 0, documents + documents // 15)
    full = _measure("claimset", directory / "raw", directory / "data", workers=workers)
    (directory / "raw" / "added-document.txt").write_text(
        "A new document arrived today. It says exports rose 40% in 2025.\n", encoding="utf-8"
    )
    again = _measure("claimset", directory / "raw", directory / "data", workers=workers)
    _, full_seconds = _row("", full, built)
    _, again_seconds = _row("", again, built)
    print(
        f"- re-run after adding 1 document to {int(full['documents'])} "
        f"({built / 1e6:.0f} MB, {full['shards']:.0f} shards): {again_seconds:.2f} s against "
        f"{full_seconds:.2f} s, {again_seconds / full_seconds:.1%} of the full run's wall time, "
        f"{again['work'] / full['work']:.1%} of its shard work"
    )
    shutil.rmtree(directory, ignore_errors=True)


def main() -> None:
    """Build the corpus, run claimset and the reference in fresh processes, print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=float, default=200.0, help="corpus size for claimset")
    parser.add_argument("--reference-mb", type=float, default=2.0, help="prefix for pySBD")
    parser.add_argument("--workers", type=int, default=2, help="local worker processes")
    parser.add_argument(
        "--memory-mb", default="100,1000", help="corpus sizes for the peak-memory comparison"
    )
    parser.add_argument(
        "--incremental-documents",
        type=int,
        default=10_000,
        help="also time adding 1 document to a corpus of this many documents (0: skip)",
    )
    parser.add_argument("--workdir", type=Path, help="where to build corpora (default tmp)")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, raw_dir, data_dir, limit = args.child
        _child(kind, Path(raw_dir), Path(data_dir), int(limit), args.workers)
        return
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="claimset-bench-"))
    raw_dir = workdir / "raw"
    total = build_corpus(raw_dir, args.mb)
    files = len(list(raw_dir.iterdir()))
    ours = _measure("claimset", raw_dir, workdir / "parallel", workers=args.workers)
    serial = _measure("claimset", raw_dir, workdir / "serial", workers=1)
    reference = _measure(
        "reference", raw_dir, workdir / "reference", int(args.reference_mb * 1_000_000)
    )
    added = raw_dir / "added-document.txt"
    added.write_text("A new document arrived. " + added.name * 3 + " It says 40% more.\n")
    incremental = _measure("claimset", raw_dir, workdir / "parallel", workers=args.workers)
    retag = _measure(
        "claimset",
        raw_dir,
        workdir / "parallel",
        workers=args.workers,
        CLAIMSET_BENCH_TAGGER_VERSION="bench-bump",
    )

    print(f"Corpus: {total / 1e6:.1f} MB in {files} files ({workdir})\n")
    print(
        "| pipeline | MB | "
        + " | ".join(f"{s} s" for s in STAGES)
        + " | total s | MB/s | peak MB |"
    )
    print("|---|---:|" + "---:|" * (len(STAGES) + 3))
    line, ours_seconds = _row(f"claimset, {args.workers} workers", ours, total)
    print(line)
    line, serial_seconds = _row("claimset, 1 process", serial, total)
    print(line)
    line, reference_seconds = _row("pandas + pySBD reference", reference, reference["bytes"])
    print(line)
    line, incremental_seconds = _row("claimset re-run, +1 document", incremental, total)
    print(line)
    line, retag_seconds = _row("claimset re-run, new tagger version", retag, total)
    print(line)
    ours_speed = total / ours_seconds
    reference_speed = reference["bytes"] / reference_seconds
    print(
        f"\n- claimset {ours_speed / 1e6:.1f} MB/s; "
        f"claimset / reference: {ours_speed / reference_speed:.1f}x"
    )
    print(f"- {args.workers} workers / 1 process: {serial_seconds / ours_seconds:.2f}x")
    print(
        "- validation share of the work (pandera, summed over workers): "
        f"{ours['validate_work'] / ours['work']:.1%}"
    )
    print(
        f"- re-run after adding 1 document to {int(ours['documents'])}: "
        f"{incremental_seconds / ours_seconds:.1%} of the full run's wall time, "
        f"{incremental['work'] / ours['work']:.1%} of its shard work "
        f"(shards recomputed: clean {incremental['clean_computed']:.0f}, split "
        f"{incremental['split_computed']:.0f}, tag {incremental['tag_computed']:.0f} "
        f"of {ours['shards']:.0f})"
    )
    print(
        f"- re-run with a new tagger version: {retag_seconds / ours_seconds:.1%} of the full "
        f"run's wall time (split shards recomputed {retag['split_computed']:.0f}, "
        f"tag {retag['tag_computed']:.0f} of {ours['shards']:.0f})"
    )
    if args.incremental_documents:
        _incremental_at(workdir / "incremental", args.incremental_documents, args.workers)
    sizes = [float(size) for size in args.memory_mb.split(",") if size]
    peaks = []
    for size in sizes:
        corpus = workdir / f"memory-{size:g}"
        built = build_corpus(corpus / "raw", size)
        result = _measure("claimset", corpus / "raw", corpus / "data", workers=args.workers)
        peaks.append(result["peak_rss_mb"])
        print(f"- peak memory (PSS, process tree) for {built / 1e6:.0f} MB: {peaks[-1]:.0f} MB")
        shutil.rmtree(corpus, ignore_errors=True)
    if len(peaks) >= 2:
        ratio = peaks[-1] / peaks[0]
        print(f"- peak memory ratio {sizes[-1]:g} MB / {sizes[0]:g} MB: {ratio:.2f}x")


if __name__ == "__main__":
    main()
