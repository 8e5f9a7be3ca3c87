"""Read every input under the raw directory into one row per input document.

An input document is a file (.txt, .md, .html) or one line of a .jsonl file. Reading never
raises for a bad input: a file that cannot be opened, decoded or parsed still yields a row, with
``reject_reason`` set, so the next stage can account for it in the rejects table.

Hidden files and directories (names starting with ".") are not inputs, by the same convention
git and rsync follow; everything else under the raw directory is.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from pipeline.progress import Progress, tracked
from pipeline.tables import RAW_DOCUMENTS, to_pandas
from pipeline.text import decode_bytes, extract_html, looks_like_html

TEXT_SUFFIXES = {".txt": "txt", ".text": "txt", ".md": "md", ".markdown": "md"}
HTML_SUFFIXES = {".html": "html", ".htm": "html", ".xhtml": "html"}
JSONL_SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl"}
MAX_FILE_BYTES = 512 * 1024 * 1024
JSONL_FIELDS = ("id", "title", "url", "published")
FORMATS = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES
"""Every file extension claimset reads, with its format name."""


def list_inputs(raw_dir: Path) -> list[Path]:
    """Every non-hidden entry under ``raw_dir`` that could hold a document, sorted by path.

    Directories are walked recursively without following symlinked directories (they are
    returned themselves, to be rejected as ``not_a_regular_file``), so a symlink loop cannot
    hang the walk. A subdirectory that cannot be listed is returned itself, so that
    :func:`read_input` rejects it as ``unreadable`` instead of its files vanishing unnoticed.
    A missing or unlistable ``raw_dir`` yields an empty list.
    """
    found: list[Path] = []
    pending = [raw_dir]
    while pending:
        directory = pending.pop()
        try:
            with os.scandir(directory) as scan:
                entries = list(scan)
        except OSError:
            if directory != raw_dir:
                found.append(directory)
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:  # vanished or unreadable entry: read_input says which
                is_dir = False
            if is_dir:
                pending.append(Path(entry.path))
            else:
                found.append(Path(entry.path))
    return sorted(found, key=lambda path: path_key(path.relative_to(raw_dir)))


def file_fingerprint(path: Path) -> tuple[int, int] | None:
    """``(mtime_ns, size)`` of ``path`` following symlinks, or None when it cannot be stat'ed."""
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size


def read_raw_documents(
    raw_dir: Path, now: datetime | None = None, progress: Callable[[int], Progress] | None = None
) -> pd.DataFrame:
    """Read every input under ``raw_dir`` into a frame with the ``RAW_DOCUMENTS`` columns.

    One row per input document, ordered by source path then line. ``doc_id`` is the first 16
    hex digits of the sha256 of the document's content bytes (file bytes, or the UTF-8 of a
    .jsonl record's text), so it is stable across runs and renames. ``input_id`` identifies the
    input position (path and line) and is unique. Never raises for bad inputs.
    ``progress(total_files)``, when given, makes the tracker advanced once per file.
    """
    paths = list_inputs(raw_dir)
    tracker = progress(len(paths)) if progress is not None else None
    return read_inputs(tracked(paths, tracker), raw_dir, now)


def read_inputs(paths: Iterable[Path], raw_dir: Path, now: datetime | None = None) -> pd.DataFrame:
    """The rows of :func:`raw_documents_table` as a DataFrame with the ``RAW_DOCUMENTS``
    columns, as :func:`pipeline.tables.to_pandas` reads them."""
    return to_pandas(raw_documents_table(paths, raw_dir, now))


def raw_documents_table(
    paths: Iterable[Path], raw_dir: Path, now: datetime | None = None
) -> pa.Table:
    """The ``RAW_DOCUMENTS`` table of the given input files under ``raw_dir`` (one shard's
    worth, say): one row per input document, in the given file order then line, with ids as
    :func:`read_raw_documents` promises, stamped ``ingested_at = now`` (default: the current
    time; a given ``now`` must be timezone-aware). Never raises for bad inputs: see
    :func:`read_input`."""
    stamp = pd.Timestamp(now or datetime.now(UTC)).tz_convert("UTC").as_unit("us")
    rows = [row for path in paths for row in read_input(path, raw_dir)]
    columns = {
        field.name: pa.array([row[field.name] for row in rows], type=field.type)
        for field in RAW_DOCUMENTS
        if field.name != "ingested_at"
    }
    ingested_at = RAW_DOCUMENTS.field("ingested_at").type
    columns["ingested_at"] = pa.repeat(pa.scalar(stamp, type=ingested_at), len(rows))
    return pa.table(columns, schema=RAW_DOCUMENTS)


def read_input(path: Path, raw_dir: Path) -> list[dict[str, Any]]:
    """Read one input file into raw-document rows (one per document; several for .jsonl),
    each a dict with every ``RAW_DOCUMENTS`` column but ``ingested_at``.

    Pure apart from reading ``path``; never raises for a bad file.
    """
    relative = path.relative_to(raw_dir)
    name = _InputName(relative)
    suffix = path.suffix.lower()
    fmt = FORMATS.get(suffix, suffix.lstrip(".") or "none")
    base = name.row(None, fmt)
    data, problem = _read_bytes(path)
    if problem is not None:
        return [base | problem]
    assert data is not None
    digest = hashlib.sha256(data).hexdigest()
    base |= {"sha256": digest, "n_bytes": len(data)}
    if suffix not in FORMATS:
        return [base | _reject("unsupported_format", f"extension {suffix or '(none)'!r}")]
    decoded = decode_bytes(data)
    if decoded.text is None:
        return [base | _reject(decoded.reason or "undecodable", decoded.detail)]
    base["encoding"] = decoded.encoding
    if fmt == "jsonl":
        rows = list(_jsonl_rows(decoded.text, name, decoded.encoding))
        # Unreachable with the decoder's blank-text rule, but a file must never vanish.
        return rows or [base | _reject("empty_file", "no non-blank .jsonl line")]
    base["doc_id"] = digest[:16]  # content_id(data), without hashing the bytes again
    return [base | _document_text(decoded.text, is_html=fmt == "html")]


def content_id(content: bytes) -> str:
    """The stable document id of ``content``: 16 hex digits of its sha256."""
    return hashlib.sha256(content).hexdigest()[:16]


def _read_bytes(path: Path) -> tuple[bytes | None, dict[str, Any] | None]:
    """The bytes of ``path``, or a reject. Never opens anything but a regular file (opening a
    FIFO would block), and never raises."""
    try:
        info = path.stat()
    except OSError as error:
        return None, _reject("unreadable", _stat_failure(path, error))
    if stat.S_ISDIR(info.st_mode) and not path.is_symlink():
        # list_inputs only returns a real directory when it could not list it.
        return None, _reject("unreadable", _unlistable(path))
    if not stat.S_ISREG(info.st_mode):
        kind = "directory (symlinked)" if stat.S_ISDIR(info.st_mode) else "special file"
        return None, _reject("not_a_regular_file", kind)
    if info.st_size > MAX_FILE_BYTES:
        return None, _reject("too_large", f"{info.st_size} bytes > limit {MAX_FILE_BYTES}")
    try:
        return path.read_bytes(), None
    except FileNotFoundError as error:
        return None, _reject("unreadable", f"vanished while being read ({_os_error(error)})")
    except OSError as error:
        return None, _reject("unreadable", _os_error(error))


def _stat_failure(path: Path, error: OSError) -> str:
    """Why ``path`` could not be stat'ed: a dangling symlink, a symlink loop, or gone."""
    try:
        link = path.is_symlink()
    except OSError:
        link = False
    if not link:
        if isinstance(error, FileNotFoundError):
            return f"vanished after it was listed ({_os_error(error)})"
        return _os_error(error)
    try:
        target = os.readlink(path)
    except OSError:
        target = "?"
    if error.errno == errno.ELOOP:
        return f"symlink loop via {target!r} ({_os_error(error)})"
    if isinstance(error, FileNotFoundError):
        return f"dangling symlink to {target!r} ({_os_error(error)})"
    return f"symlink to {target!r}: {_os_error(error)}"


def _unlistable(path: Path) -> str:
    try:
        with os.scandir(path):
            pass
    except OSError as error:
        return f"directory could not be listed, its files were not read ({_os_error(error)})"
    return "directory could not be listed when the inputs were collected"


def _jsonl_rows(text: str, name: _InputName, encoding: str | None) -> Iterator[dict[str, Any]]:
    # One encode of the whole text: its lines are exactly the UTF-8 of the text's lines.
    encoded = text.encode("utf-8", "surrogatepass").split(b"\n")
    for number, (line, line_bytes) in enumerate(zip(text.split("\n"), encoded, strict=True), 1):
        if not line.strip():
            continue
        row = name.row(number, "jsonl")
        row["sha256"] = hashlib.sha256(line_bytes).hexdigest()
        row["n_bytes"] = len(line_bytes)
        row["encoding"] = encoding
        try:
            record = json.loads(line)
        except ValueError as error:
            yield row | _reject("malformed_json", str(error)[:200])
            continue
        except RecursionError:
            yield row | _reject("malformed_json", "JSON nested too deeply to parse")
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
        if not content.strip():
            yield row | _reject("empty_file", f"'text' is {'blank' if content else 'empty'}")
            continue
        try:
            row["doc_id"] = content_id(content.encode("utf-8"))
        except UnicodeEncodeError:
            # "\ud800" is valid JSON but not valid Unicode: Parquet/Arrow cannot store it.
            row["doc_id"] = content_id(content.encode("utf-8", "surrogatepass"))
            content = _without_surrogates(content)
        document = _document_text(content, is_html=False)  # sniffs for HTML itself
        if row["title"] is not None:
            document.pop("title", None)
        row.update(document)
        yield row


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


class _InputName:
    """The names of one input file: its id key (the real path bytes, so two names that differ
    only in undecodable bytes, shown alike, still get distinct ids) and its displayed path."""

    def __init__(self, relative: Path) -> None:
        self.key = path_key(relative).encode("utf-8", "surrogateescape")
        self.shown = _display_path(relative)

    def row(self, line: int | None, fmt: str) -> dict[str, Any]:
        """A row of this input at ``line`` (None for a whole file), every column unset."""
        return {
            "input_id": hashlib.sha256(self.key + f"\0{line or 0}".encode()).hexdigest()[:16],
            "source_path": self.shown,
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
    if value is None:
        return None
    if isinstance(value, dict | list):
        try:
            return _without_surrogates(json.dumps(value, ensure_ascii=False)[:1000])
        except RecursionError:  # parsed near the recursion limit, cannot be re-serialised
            return f"(a deeply nested JSON {type(value).__name__})"
    return _without_surrogates(str(value))


_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _without_surrogates(text: str) -> str:
    """``text`` with lone UTF-16 surrogates (from JSON escapes) replaced by U+FFFD."""
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


def path_key(relative: Path) -> str:
    """The relative path as a POSIX string, undecodable bytes kept as surrogate escapes: the
    key inputs are ordered and identified by."""
    return relative.as_posix()


def _display_path(relative: Path) -> str:
    # File names that are not valid UTF-8 arrive as surrogate escapes; show each such byte as
    # U+FFFD so the path can be stored as Arrow/Parquet UTF-8. input_id still tells such
    # names apart (see _row).
    raw = path_key(relative).encode("utf-8", "surrogateescape")
    return raw.decode("utf-8", "replace")


def _os_error(error: OSError) -> str:
    return f"{type(error).__name__}: {error.strerror or error}"
