"""Read every input under the raw directory into one row per input document.

An input document is a file (.txt, .md, .html) or one line of a .jsonl file. Reading never
raises for a bad input: a file that cannot be opened, decoded or parsed still yields a row, with
``reject_reason`` set, so the next stage can account for it in the rejects table.

Hidden files and directories (names starting with ".") are not inputs, by the same convention
git and rsync follow; everything else under the raw directory is.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.tables import RAW_DOCUMENTS, empty_frame
from pipeline.text import decode_bytes, extract_html, looks_like_html

TEXT_SUFFIXES = {".txt": "txt", ".text": "txt", ".md": "md", ".markdown": "md"}
HTML_SUFFIXES = {".html": "html", ".htm": "html", ".xhtml": "html"}
JSONL_SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl"}
MAX_FILE_BYTES = 512 * 1024 * 1024
JSONL_FIELDS = ("id", "title", "url", "published")


def list_inputs(raw_dir: Path) -> list[Path]:
    """Every non-hidden entry under ``raw_dir`` that could hold a document, sorted by path.

    Directories are walked recursively without following symlinked directories (they are
    returned themselves, to be rejected as ``not_a_regular_file``), so a symlink loop cannot
    hang the walk. A missing ``raw_dir`` yields an empty list.
    """
    found: list[Path] = []
    pending = [raw_dir]
    while pending:
        directory = pending.pop()
        try:
            entries = list(os.scandir(directory))
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                pending.append(Path(entry.path))
            else:
                found.append(Path(entry.path))
    return sorted(found, key=lambda path: path.relative_to(raw_dir).as_posix())


def file_fingerprint(path: Path) -> tuple[int, int] | None:
    """``(mtime_ns, size)`` of ``path`` following symlinks, or None when it cannot be stat'ed."""
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size


def read_raw_documents(raw_dir: Path, now: datetime | None = None) -> pd.DataFrame:
    """Read every input under ``raw_dir`` into a frame with the ``RAW_DOCUMENTS`` columns.

    One row per input document, ordered by source path then line. ``doc_id`` is the first 16
    hex digits of the sha256 of the document's content bytes (file bytes, or the UTF-8 of a
    .jsonl record's text), so it is stable across runs and renames. ``input_id`` identifies the
    input position (path and line) and is unique. Never raises for bad inputs.
    """
    ingested_at = now or datetime.now(UTC)
    rows = [row for path in list_inputs(raw_dir) for row in read_input(path, raw_dir)]
    if not rows:
        return empty_frame(RAW_DOCUMENTS)
    frame = pd.DataFrame.from_records(rows, columns=RAW_DOCUMENTS.names[:-1])
    frame["source_line"] = frame["source_line"].astype("Int64")
    frame["n_bytes"] = frame["n_bytes"].astype("int64")
    frame["ingested_at"] = pd.Timestamp(ingested_at).tz_convert("UTC").as_unit("us")
    return frame


def read_input(path: Path, raw_dir: Path) -> list[dict[str, Any]]:
    """Read one input file into raw-document rows (one per document; several for .jsonl).

    Pure apart from reading ``path``; never raises for a bad file.
    """
    relative = _display_path(path.relative_to(raw_dir))
    suffix = path.suffix.lower()
    fmt = (TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES).get(suffix, suffix.lstrip(".") or "none")
    base = _row(relative, None, fmt)
    data, problem = _read_bytes(path)
    if problem is not None:
        return [base | problem]
    assert data is not None
    base |= {"sha256": hashlib.sha256(data).hexdigest(), "n_bytes": len(data)}
    if suffix not in TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES:
        return [base | _reject("unsupported_format", f"extension {suffix or '(none)'!r}")]
    decoded = decode_bytes(data)
    if decoded.text is None:
        return [base | _reject(decoded.reason or "undecodable", decoded.detail)]
    base["encoding"] = decoded.encoding
    if fmt == "jsonl":
        return list(_jsonl_rows(decoded.text, relative, decoded.encoding))
    base["doc_id"] = content_id(data)
    return [base | _document_text(decoded.text, is_html=fmt == "html")]


def content_id(content: bytes) -> str:
    """The stable document id of ``content``: 16 hex digits of its sha256."""
    return hashlib.sha256(content).hexdigest()[:16]


def _read_bytes(path: Path) -> tuple[bytes | None, dict[str, Any] | None]:
    try:
        info = path.stat()
    except OSError as error:
        return None, _reject("unreadable", _os_error(error))
    if not stat.S_ISREG(info.st_mode):
        kind = "directory (symlinked)" if stat.S_ISDIR(info.st_mode) else "special file"
        return None, _reject("not_a_regular_file", kind)
    if info.st_size > MAX_FILE_BYTES:
        return None, _reject("too_large", f"{info.st_size} bytes > limit {MAX_FILE_BYTES}")
    try:
        return path.read_bytes(), None
    except OSError as error:
        return None, _reject("unreadable", _os_error(error))


def _jsonl_rows(text: str, relative: str, encoding: str | None) -> Iterator[dict[str, Any]]:
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        line_bytes = line.encode("utf-8", "surrogatepass")
        row = _row(relative, number, "jsonl") | {
            "sha256": hashlib.sha256(line_bytes).hexdigest(),
            "n_bytes": len(line_bytes),
            "encoding": encoding,
        }
        try:
            record = json.loads(line)
        except ValueError as error:
            yield row | _reject("malformed_json", str(error)[:200])
            continue
        if not isinstance(record, dict):
            yield row | _reject("malformed_json", f"a JSON {type(record).__name__}, not an object")
            continue
        row |= {
            "external_id": _scalar(record.get("id")),
            "title": _scalar(record.get("title")),
            "url": _scalar(record.get("url")),
            "published": _scalar(record.get("published")),
        }
        if "text" not in record:
            yield row | _reject("missing_text", "no 'text' field")
            continue
        if not isinstance(record["text"], str):
            kind = type(record["text"]).__name__
            yield row | _reject("invalid_text", f"'text' is a JSON {kind}")
            continue
        content = record["text"]
        row["doc_id"] = content_id(content.encode("utf-8", "surrogatepass"))
        document = _document_text(content, is_html=looks_like_html(content))
        if row["title"] is not None:
            document.pop("title", None)
        yield row | document


def _document_text(text: str, *, is_html: bool) -> dict[str, Any]:
    if not (is_html or looks_like_html(text)):
        return {"text": text, "extraction": "plain"}
    extracted = extract_html(text)
    if not extracted.text.strip():
        return _reject("no_main_text", f"HTML extraction ({extracted.method}) found no text")
    fields: dict[str, Any] = {"text": extracted.text, "extraction": extracted.method}
    if extracted.title:
        fields["title"] = extracted.title
    return fields


def _row(relative: str, line: int | None, fmt: str) -> dict[str, Any]:
    key = f"{relative}\0{line or 0}".encode("utf-8", "surrogateescape")
    return {
        "input_id": hashlib.sha256(key).hexdigest()[:16],
        "source_path": relative,
        "source_line": line,
        "format": fmt,
        "doc_id": None,
        "sha256": None,
        "n_bytes": 0,
        "encoding": None,
        "extraction": None,
        "external_id": None,
        "title": None,
        "url": None,
        "published": None,
        "text": None,
        "reject_reason": None,
        "reject_detail": None,
    }


def _reject(reason: str, detail: str) -> dict[str, Any]:
    return {"reject_reason": reason, "reject_detail": detail, "text": None}


def _scalar(value: object) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None if value is None else json.dumps(value, ensure_ascii=False)[:1000]
    return str(value)


def _display_path(relative: Path) -> str:
    # File names that are not valid UTF-8 arrive as surrogate escapes; show them with U+FFFD so
    # the path can be stored as Arrow/Parquet UTF-8 while still identifying the file.
    raw = relative.as_posix().encode("utf-8", "surrogateescape")
    return raw.decode("utf-8", "replace")


def _os_error(error: OSError) -> str:
    return f"{type(error).__name__}: {error.strerror or error}"
