"""Bad input is normal input: a matrix of hostile files, each accounted for.

Every case writes real files into a raw directory. Whatever the bytes, the run finishes and
every input ends up exactly once either in ``documents`` or in ``rejects`` with a specific
reason (per line for .jsonl). Decodable text must decode to exactly the original text.

Each case runs on its own (one test id per case), then all cases share ONE raw directory that
goes through ``read_raw_documents`` + ``curate_documents`` and through the whole Dagster graph
(in many shards), where the accounting identity ``inputs == accepted + rejected`` must hold,
the blocking schema checks must pass and a version must be published.
"""

from __future__ import annotations

import errno
import json
import os
import pathlib
import resource
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg
import pandas as pd
import pytest

import pipeline.ingest
import pipeline.shards
from assets.checks import SCHEMA_CHECKS
from pipeline.curate import curate_documents
from pipeline.definitions import ASSETS, build_resources
from pipeline.ingest import read_raw_documents
from pipeline.io_manager import _from_json
from pipeline.reasons import REJECT_REASONS
from pipeline.resources import ClaimsetConfig, ComputeBackend
from pipeline.sentences import split_documents
from pipeline.store import DatasetStore

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0

# --- texts ----------------------------------------------------------------------------------

ZH_GB18030 = (
    "新质生产力正在重塑中国制造业。新能源汽车产量增长了35.8%！"
    "工业机器人的安装量连续五年位居世界第一。这意味着什么？"
)
ZH_GBK = (
    "长三角地区的工厂正在加快自动化改造。据统计，去年光伏组件出口同比下降了12%。"
    "专家预计，到2030年高端装备制造业的产值将翻一番。"
)
UTF16_TEXT = "Battery output in Fujian rose 40% last year. 电池产量增长了百分之四十。"
BOM_TEXT = "Steel exports fell 3% in March, the customs office said."
SMART_QUOTES = "It’s “smart” manufacturing — robots don’t sleep, the plant’s manager said."
LATIN1_TEXT = "Le café à Zhuhai était très animé; les ingénieurs ont présenté leurs résultats."
MOJIBAKE = "The factoryâ€™s output rose 5% â€” analysts called it â€œremarkableâ€\x9d."
MOJIBAKE_FIXED = "The factory’s output rose 5% — analysts called it “remarkable”."
DEEP_DIV_DEPTH = 10_000
BIG_SENTENCE = (
    "Industrial robot installations in coastal provinces rose sharply in 2023, according to "
    "the annual survey, as manufacturers in Guangdong, Jiangsu and Zhejiang replaced manual "
    "assembly lines with automated cells to cope with rising wages and a shrinking workforce. "
)
BIG_FILE_BYTES = 50 * 1024 * 1024
HUGE_JSONL_TEXT_CHARS = 5 * 1024 * 1024
HUGE_JSONL_SENTENCE = "Solar module prices in Jiangsu fell again as new capacity came online. "

# --- the matrix -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expect:
    """What must become of the input(s) at ``path`` (``line`` for .jsonl records): ``outcome``
    is ``"document"`` or a reject reason; ``n`` inputs share that path and line."""

    path: str
    outcome: str
    line: int | None = None
    detail: str = ""  # substring of the reject detail
    check: Callable[[dict[str, Any]], None] | None = None  # on the accepted document row
    n: int = 1


@dataclass(frozen=True)
class Case:
    id: str
    build: Callable[[Path, Path], None]  # (raw_dir, big_file) -> writes the case's files
    expect: tuple[Expect, ...]
    patch: Callable[[pytest.MonkeyPatch, Path], None] | None = None
    needs_non_root: bool = False
    extra: Callable[[pd.DataFrame], None] | None = None  # more checks on the documents


def _write(name: str, data: bytes | str, encoding: str = "utf-8") -> Callable[[Path, Path], None]:
    def build(raw: Path, _big: Path) -> None:
        path = raw / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))

    return build


def _all(*builders: Callable[[Path, Path], None]) -> Callable[[Path, Path], None]:
    def build(raw: Path, big: Path) -> None:
        for builder in builders:
            builder(raw, big)

    return build


def _text_is(expected: str, encoding: str | None = None) -> Callable[[dict[str, Any]], None]:
    def check(document: dict[str, Any]) -> None:
        assert document["text"] == expected
        assert "\ufeff" not in document["text"]
        if encoding is not None:
            assert document["encoding"] == encoding

    return check


# Bytes and builders for the cases that need more than one file or some setup.

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4


def _big_file(raw: Path, big: Path) -> None:
    os.link(big, raw / "huge single line.txt")  # a hard link: the 50 MB are written once


def _big_check(document: dict[str, Any]) -> None:
    repeats = BIG_FILE_BYTES // len(BIG_SENTENCE) + 1
    assert document["n_chars"] == len(BIG_SENTENCE) * repeats - 1  # trailing space stripped
    assert document["text"].startswith(BIG_SENTENCE.strip())
    assert document["lang"] == "en"


def _big_sentences(documents: pd.DataFrame) -> None:
    big = documents[documents["source_path"] == "huge single line.txt"]
    sentences = split_documents(big)
    assert len(sentences) == BIG_FILE_BYTES // len(BIG_SENTENCE) + 1
    assert sentences["text"].iloc[0] == BIG_SENTENCE.strip()


def _deep_html() -> str:
    return (
        "<html><head><title>Deep</title></head><body>"
        + "<div>" * DEEP_DIV_DEPTH
        + "<p>Machine tool orders from Zhejiang doubled within two years.</p>"
        + "</div>" * DEEP_DIV_DEPTH
        + "</body></html>"
    )


BROKEN_HTML = (
    "<html><head><title>Broken page<body><div><p>Unclosed paragraph: chip exports from "
    "Shenzhen rose 18% in the first quarter.<div><span>More <b>bold <i>mixed</b> text</i> about "
    "the semiconductor plants in Wuxi.</span></table></td><<<>>>&bogus;<p"
)

JSONL_LINES = [
    json.dumps({"id": "ok-1", "title": "Wire", "text": "Wind turbine exports rose 9% in June."}),
    "{not json at all",
    "",
    json.dumps({"id": "no-text", "title": "Nothing here"}),
    json.dumps({"id": "num", "text": 42}),
    json.dumps({"id": "list", "text": ["Robots", "rose"]}),
    "[1, 2, 3]",
    "   \t ",
    "[" * 50_000 + "]" * 50_000,
    json.dumps({"id": "empty", "text": ""}),
    json.dumps({"id": "blank", "text": "  \n "}),
    '{"id": "surrogate", "title": "bad \\udc00 title", '
    '"text": "Lone \\ud800 surrogate: lidar shipments rose 30% in 2024."}',
    json.dumps({"id": "nested", "title": {"a": [1, 2]}, "text": "Port volumes grew 4% in May."}),
]


def _huge_jsonl(raw: Path, _big: Path) -> None:
    repeats = HUGE_JSONL_TEXT_CHARS // len(HUGE_JSONL_SENTENCE)
    lines = [
        json.dumps({"id": "small-1", "text": "Copper imports rose 2% in April."}),
        json.dumps({"id": "huge", "text": HUGE_JSONL_SENTENCE * repeats}),
        "",
        json.dumps({"id": "small-2", "text": "Nickel imports fell 6% in April."}),
    ]
    (raw / "huge-line.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _huge_jsonl_check(document: dict[str, Any]) -> None:
    repeats = HUGE_JSONL_TEXT_CHARS // len(HUGE_JSONL_SENTENCE)
    assert document["n_chars"] == len(HUGE_JSONL_SENTENCE) * repeats - 1


DUPLICATE = "Lithium refining capacity in Sichuan expanded by a third, the association said."
SAME_BYTES_PAGE = "Hello <b>readers</b>: rare-earth magnet exports rose 11% in July."


def _odd_names(raw: Path, _big: Path) -> None:
    (raw / "with  two spaces.txt").write_text("Spaced names are fine: output rose 1%.")
    (raw / "ünïcode-文件.txt").write_text("Unicode names are fine: output rose 2%.")
    (raw / "-leading-dash.txt").write_text("Dashed names are fine: output rose 3%.")
    (raw / "--").mkdir()
    (raw / "--" / "-n.md").write_text("Option-like names are fine: output rose 4%.")


def _undecodable_names(raw: Path, _big: Path) -> None:
    for byte, text in ((b"\xe9", "fell 5%"), (b"\xff", "fell 6%")):
        name = os.fsdecode(b"latin1-" + byte + b".txt")
        (raw / name).write_text(f"Non-UTF-8 file names are fine: output {text}.")


def _symlinks(raw: Path, _big: Path) -> None:
    os.symlink("missing-target.txt", raw / "dangling.txt")
    os.symlink("self-loop.txt", raw / "self-loop.txt")
    os.symlink("ping.txt", raw / "pong.txt")
    os.symlink("pong.txt", raw / "ping.txt")
    os.symlink(".", raw / "dir-loop")


def _fifo(raw: Path, _big: Path) -> None:
    os.mkfifo(raw / "named pipe.txt")


def _unix_socket(raw: Path, _big: Path) -> None:
    # A bound socket leaves its file behind when closed.
    cwd = os.getcwd()
    os.chdir(raw)  # bind() limits paths to ~100 bytes: bind a relative name
    try:
        with socket.socket(socket.AF_UNIX) as sock:
            sock.bind("socket.txt")
    finally:
        os.chdir(cwd)


def _no_permission(raw: Path, _big: Path) -> None:
    path = raw / "no-permission.txt"
    path.write_text("Nobody may read this.")
    path.chmod(0)


def _locked_dir(raw: Path, _big: Path) -> None:
    (raw / "locked").mkdir()
    (raw / "locked" / "inside.txt").write_text("Never listed, so never read.")


def _lock_dir(monkeypatch: pytest.MonkeyPatch, raw: Path) -> None:
    # chmod 000 does not stop root; an unlistable directory is simulated for everyone.
    real_scandir = os.scandir
    locked = os.fspath(raw / "locked")

    def scandir(path: Any = ".") -> Any:
        if os.fspath(path) == locked:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), locked)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)


VANISH_NAME = "vanishes-after-listing.txt"
VANISH_TEXT = "This file is deleted after it is listed."


def _vanish_after_listing(monkeypatch: pytest.MonkeyPatch, raw: Path) -> None:
    real_list_inputs = pipeline.ingest.list_inputs
    (raw / VANISH_NAME).write_text(VANISH_TEXT)  # (again, for a second run)

    def list_then_delete(raw_dir: Path) -> list[Path]:
        listed = real_list_inputs(raw_dir)
        (raw_dir / VANISH_NAME).unlink(missing_ok=True)
        return listed

    monkeypatch.setattr(pipeline.ingest, "list_inputs", list_then_delete)
    # The Dagster graph lists inputs while it plans shards (``pipeline.shards.inventory``).
    monkeypatch.setattr(pipeline.shards, "list_inputs", list_then_delete)


READ_VANISH_NAME = "vanishes-while-reading.txt"


def _vanish_while_reading(monkeypatch: pytest.MonkeyPatch, raw: Path) -> None:
    real_read_bytes = pathlib.Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == READ_VANISH_NAME:
            raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), str(self))
        return real_read_bytes(self)

    monkeypatch.setattr(pathlib.Path, "read_bytes", read_bytes)


def _sparse_too_large(raw: Path, _big: Path) -> None:
    with open(raw / "sparse-too-large.txt", "wb") as handle:
        handle.truncate(pipeline.ingest.MAX_FILE_BYTES + 1)  # no blocks written


def _hidden(raw: Path, _big: Path) -> None:
    (raw / ".hidden.txt").write_text("Hidden files are not inputs.")
    (raw / ".git").mkdir()
    (raw / ".git" / "notes.txt").write_text("Hidden directories are not inputs.")


def _both(check: Callable[[dict[str, Any]], None], *more: Callable[[dict[str, Any]], None]):
    def combined(document: dict[str, Any]) -> None:
        for one in (check, *more):
            one(document)

    return combined


def _contains(*parts: str, absent: tuple[str, ...] = ()) -> Callable[[dict[str, Any]], None]:
    def check(document: dict[str, Any]) -> None:
        for part in parts:
            assert part in document["text"]
        for part in absent:
            assert part not in document["text"]

    return check


def _field(name: str, value: object) -> Callable[[dict[str, Any]], None]:
    def check(document: dict[str, Any]) -> None:
        assert document[name] == value

    return check


CASES: tuple[Case, ...] = (
    Case("empty_file", _write("empty.txt", b""), (Expect("empty.txt", "empty_file"),)),
    Case(
        "whitespace_only",
        _write("blank.md", b" \r\n\t\n   \n"),
        (Expect("blank.md", "empty_file"),),
    ),
    Case(
        "png_image",
        _write("photo.png", PNG),
        (Expect("photo.png", "unsupported_format", detail=".png"),),
    ),
    Case(
        "png_bytes_named_txt",
        _write("photo-as-text.txt", PNG),
        (Expect("photo-as-text.txt", "binary", detail="PNG"),),
    ),
    Case(
        "nul_bytes_txt",
        _write("nul.txt", b"Robots\x00 rose\x00\x00 7%\x00 in 2023." * 40),
        (Expect("nul.txt", "binary", detail="NUL"),),
    ),
    Case(
        "invalid_utf8_undecodable",
        _write("invalid-utf8.txt", b"\xc3\x28\xa0\xa1" + bytes(range(0x80, 0x100)) * 3),
        (Expect("invalid-utf8.txt", "undecodable"),),
    ),
    Case(
        "invalid_utf8_damaged",
        # A UTF-8 file with one character cut short: kept as UTF-8, the damage marked U+FFFD.
        _write(
            "damaged-utf8.txt",
            ZH_GB18030.encode("utf-8")[:-4] + b"\n" + ZH_GBK.encode("utf-8"),
        ),
        (
            Expect(
                "damaged-utf8.txt",
                "document",
                check=_both(_field("encoding", "utf-8"), _contains("\ufffd", ZH_GBK)),
            ),
        ),
    ),
    Case(
        "utf8_bom",
        _write("bom.txt", "\ufeff" + BOM_TEXT),
        (Expect("bom.txt", "document", check=_text_is(BOM_TEXT, "utf-8-sig")),),
    ),
    Case(
        "utf16_le_bom",
        _write("utf16le.txt", "\ufeff" + UTF16_TEXT, "utf-16-le"),
        (Expect("utf16le.txt", "document", check=_text_is(UTF16_TEXT, "utf-16-le")),),
    ),
    Case(
        "utf16_be_bom",
        # Different content from the LE file, or it would be a duplicate of it.
        _write("utf16be.txt", "\ufeff" + UTF16_TEXT + " BE.", "utf-16-be"),
        (Expect("utf16be.txt", "document", check=_text_is(UTF16_TEXT + " BE.", "utf-16-be")),),
    ),
    Case(
        "gb18030_chinese",
        _write("zh-gb18030.txt", ZH_GB18030, "gb18030"),
        (
            Expect(
                "zh-gb18030.txt",
                "document",
                check=_both(_text_is(ZH_GB18030, "gb18030"), _field("lang", "zh")),
            ),
        ),
    ),
    Case(
        "gbk_chinese",
        _write("zh-gbk.md", ZH_GBK, "gbk"),
        (Expect("zh-gbk.md", "document", check=_text_is(ZH_GBK, "gb18030")),),
    ),
    Case(
        "windows1252_smart_quotes",
        _write("smart-quotes.txt", SMART_QUOTES, "cp1252"),
        (
            Expect(
                "smart-quotes.txt",
                "document",
                check=_both(_text_is(SMART_QUOTES, "cp1252"), _contains("’", "“", "”")),
            ),
        ),
    ),
    Case(
        "latin1_accents",
        _write("latin1.txt", LATIN1_TEXT, "latin-1"),
        (Expect("latin1.txt", "document", check=_text_is(LATIN1_TEXT, "cp1252")),),
    ),
    Case(
        "mojibake",
        _write("mojibake.txt", MOJIBAKE),
        (
            Expect(
                "mojibake.txt",
                "document",
                check=_both(_text_is(MOJIBAKE_FIXED, "utf-8"), _contains(absent=("â€",))),
            ),
        ),
    ),
    Case(
        "huge_single_line_50mb",
        _big_file,
        (Expect("huge single line.txt", "document", check=_big_check),),
        extra=_big_sentences,
    ),
    Case(
        "boilerplate_only",
        _write(
            "boilerplate.txt",
            "Leave a Reply\n发表回复\nCancel reply\n"
            "We use cookies to improve your experience. By continuing you agree.\n"
            "Accept all cookies\nShare this:\nTwitter\nFacebook\n分享到微信\n"
            "Your email address will not be published. Required fields are marked *\n",
        ),
        (Expect("boilerplate.txt", "empty_after_cleaning", detail="removed_boilerplate"),),
    ),
    Case(
        "deeply_nested_html",
        _write("deep.html", _deep_html()),
        (
            Expect(
                "deep.html",
                "document",
                check=_contains("Machine tool orders from Zhejiang doubled", absent=("<",)),
            ),
        ),
    ),
    Case(
        "broken_html",
        _write("broken.html", BROKEN_HTML),
        (
            Expect(
                "broken.html",
                "document",
                check=_contains("chip exports from Shenzhen", "Wuxi", absent=("<b>", "<span")),
            ),
        ),
    ),
    Case(
        "garbage_html",
        _write("garbage.htm", "<<<>>><<</>>< <! -- ><?? ]]> </div></div>"),
        (Expect("garbage.htm", "no_main_text"),),
    ),
    Case(
        "jsonl_bad_lines",
        _write("feed.jsonl", "\n".join(JSONL_LINES) + "\n"),
        (
            Expect(
                "feed.jsonl",
                "document",
                line=1,
                check=_both(
                    _text_is("Wind turbine exports rose 9% in June."),
                    _field("external_id", "ok-1"),
                    _field("title", "Wire"),
                ),
            ),
            Expect("feed.jsonl", "malformed_json", line=2),
            Expect("feed.jsonl", "missing_text", line=4),
            Expect("feed.jsonl", "invalid_text", line=5, detail="int"),
            Expect("feed.jsonl", "invalid_text", line=6, detail="list"),
            Expect("feed.jsonl", "malformed_json", line=7, detail="not an object"),
            Expect("feed.jsonl", "malformed_json", line=9, detail="nested too deeply"),
            Expect("feed.jsonl", "empty_file", line=10, detail="empty"),
            Expect("feed.jsonl", "empty_file", line=11, detail="blank"),
            Expect(
                "feed.jsonl",
                "document",
                line=12,
                check=_both(
                    _text_is("Lone \ufffd surrogate: lidar shipments rose 30% in 2024."),
                    _field("title", "bad \ufffd title"),
                ),
            ),
            Expect("feed.jsonl", "document", line=13, check=_field("title", '{"a": [1, 2]}')),
        ),
    ),
    Case(
        "jsonl_huge_line",
        _huge_jsonl,
        (
            Expect("huge-line.jsonl", "document", line=1),
            Expect("huge-line.jsonl", "document", line=2, check=_huge_jsonl_check),
            Expect("huge-line.jsonl", "document", line=4),
        ),
    ),
    Case(
        "jsonl_bom_crlf",
        _write(
            "windows-feed.ndjson",
            "\ufeff"
            + "\r\n".join(
                json.dumps({"text": text}, ensure_ascii=False)
                for text in ("Exports of wafers rose 3%.", "晶圆出口增长了3%。")
            )
            + "\r\n",
        ),
        (
            Expect("windows-feed.ndjson", "document", line=1),
            Expect("windows-feed.ndjson", "document", line=2, check=_text_is("晶圆出口增长了3%。")),
        ),
    ),
    Case(
        "jsonl_whole_file_binary",
        _write("feed-binary.jsonl", b'{"text": "x"}\x00\x00\x00\x00' * 20),
        (Expect("feed-binary.jsonl", "binary"),),
    ),
    Case(
        "duplicates_under_other_names",
        _all(
            _write("dup-a.txt", DUPLICATE),
            _write("dup-b copy.md", DUPLICATE),
            _write("dup-c.jsonl", json.dumps({"text": DUPLICATE}) + "\n"),
        ),
        (
            Expect("dup-a.txt", "document"),
            Expect("dup-b copy.md", "duplicate", detail="same cleaned text"),
            Expect("dup-c.jsonl", "duplicate", line=1, detail="same cleaned text"),
        ),
    ),
    Case(
        "same_bytes_as_txt_and_html",
        # Same bytes, so the same doc_id, but read as HTML and as text they differ.
        _all(_write("same-page.html", SAME_BYTES_PAGE), _write("same-page.txt", SAME_BYTES_PAGE)),
        (
            Expect("same-page.html", "document", check=_contains(absent=("<b>",))),
            Expect("same-page.txt", "duplicate", detail="same content"),
        ),
    ),
    Case(
        "awkward_file_names",
        _odd_names,
        (
            Expect("with  two spaces.txt", "document"),
            Expect("ünïcode-文件.txt", "document"),
            Expect("-leading-dash.txt", "document"),
            Expect("--/-n.md", "document"),
        ),
    ),
    Case(
        "undecodable_file_names",
        _undecodable_names,
        (Expect("latin1-\ufffd.txt", "document", n=2),),
    ),
    Case(
        "symlinks_dangling_and_loops",
        _symlinks,
        (
            Expect("dangling.txt", "unreadable", detail="dangling symlink"),
            Expect("self-loop.txt", "unreadable", detail="symlink loop"),
            Expect("ping.txt", "unreadable", detail="symlink loop"),
            Expect("pong.txt", "unreadable", detail="symlink loop"),
            Expect("dir-loop", "not_a_regular_file", detail="directory"),
        ),
    ),
    Case(
        "fifo_is_never_opened",
        _fifo,
        (Expect("named pipe.txt", "not_a_regular_file", detail="special file"),),
    ),
    Case(
        "unix_socket",
        _unix_socket,
        (Expect("socket.txt", "not_a_regular_file", detail="special file"),),
    ),
    Case(
        "permission_denied",
        _no_permission,
        (Expect("no-permission.txt", "unreadable", detail="PermissionError"),),
        needs_non_root=True,  # root reads a chmod 000 file; the symlink cases stop root too
    ),
    Case(
        "unlistable_directory",
        _locked_dir,
        (Expect("locked", "unreadable", detail="could not be listed"),),
        patch=_lock_dir,
    ),
    Case(
        "vanishes_after_listing",
        _write(VANISH_NAME, VANISH_TEXT),
        (Expect(VANISH_NAME, "unreadable", detail="vanished after it was listed"),),
        patch=_vanish_after_listing,
    ),
    Case(
        "vanishes_while_reading",
        _write(READ_VANISH_NAME, "This file disappears while it is read."),
        (Expect(READ_VANISH_NAME, "unreadable", detail="vanished while being read"),),
        patch=_vanish_while_reading,
    ),
    Case(
        "too_large_sparse_file",
        _sparse_too_large,
        (Expect("sparse-too-large.txt", "too_large", detail="limit"),),
    ),
    Case(
        "no_extension",
        _write("README", "A file without an extension."),
        (Expect("README", "unsupported_format", detail="(none)"),),
    ),
    Case("hidden_files_are_not_inputs", _hidden, ()),
)

MATRIX_CASES = len(CASES)
"""How many bad-input cases the matrix holds (each is its own test id)."""
MATRIX_INPUTS = sum(expect.n for case in CASES for expect in case.expect)
"""How many inputs the whole matrix holds when every case runs (not as root)."""


def _runnable(case: Case) -> bool:
    return not (case.needs_non_root and IS_ROOT)


# --- fixtures and helpers ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 50 MB .txt file that is one single line, written once per module."""
    path = tmp_path_factory.mktemp("big") / "big.txt"
    repeats = BIG_FILE_BYTES // len(BIG_SENTENCE) + 1
    path.write_bytes(BIG_SENTENCE.encode("ascii") * repeats)
    assert path.stat().st_size >= BIG_FILE_BYTES
    return path


def _build(raw: Path, cases: tuple[Case, ...], big: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    raw.mkdir(parents=True, exist_ok=True)
    for case in cases:
        case.build(raw, big)
    for case in cases:
        if case.patch is not None:
            case.patch(monkeypatch, raw)


def _with_deadline(function: Callable[[], Any], seconds: float = 600) -> Any:
    """Run ``function`` in a daemon thread: a read that blocks (a FIFO opened by mistake)
    fails the test instead of hanging the suite. Not a timing assertion."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = function()
        except BaseException as error:  # re-raised in the test's thread
            outcome["error"] = error

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "ingest blocked (did it open a FIFO?)"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _outcomes(
    documents: pd.DataFrame, rejects: pd.DataFrame
) -> dict[tuple[str, int | None], list[tuple[str, dict[str, Any]]]]:
    """(source_path, source_line) -> [(outcome, row), ...] over documents and rejects."""
    found: dict[tuple[str, int | None], list[tuple[str, dict[str, Any]]]] = {}
    for accepted, frame in ((True, documents), (False, rejects)):
        for row in frame.to_dict("records"):
            line = None if pd.isna(row["source_line"]) else int(row["source_line"])
            outcome = "document" if accepted else row["reason"]
            found.setdefault((row["source_path"], line), []).append((outcome, row))
    return found


def _assert_expectations(
    cases: tuple[Case, ...], documents: pd.DataFrame, rejects: pd.DataFrame
) -> None:
    assert not set(documents["input_id"]) & set(rejects["input_id"]), "input in both outputs"
    assert set(rejects["reason"]) <= set(REJECT_REASONS)
    found = _outcomes(documents, rejects)
    expected_keys = {(e.path, e.line) for case in cases for e in case.expect}
    assert set(found) == expected_keys, "unexpected or missing inputs"
    for case in cases:
        for expect in case.expect:
            rows = found[(expect.path, expect.line)]
            where = f"{case.id}: {expect.path} line {expect.line}"
            assert len(rows) == expect.n, where
            for outcome, row in rows:
                detail = row.get("detail", "")
                assert outcome == expect.outcome, f"{where}: {outcome} ({detail})"
                if expect.outcome != "document":
                    assert expect.detail in detail, f"{where}: {detail!r}"
                    assert detail, f"{where}: a reject needs a detail"
                elif expect.check is not None:
                    expect.check(row)
            if expect.n > 1:
                assert len({row["input_id"] for _, row in rows}) == expect.n, where


# --- one test per case ------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input_case(
    case: Case, tmp_path: Path, big_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not _runnable(case):
        pytest.skip("root reads chmod 000 files; the symlink cases are unreadable for root")
    raw = tmp_path / "raw"
    _build(raw, (case,), big_file, monkeypatch)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    def run() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        frame = read_raw_documents(raw)
        return frame, *curate_documents(frame)

    frame, documents, rejects = _with_deadline(run)
    assert len(frame) == len(documents) + len(rejects) == sum(e.n for e in case.expect)
    assert frame["input_id"].is_unique
    _assert_expectations((case,), documents, rejects)
    if case.extra is not None:
        case.extra(documents)
    # Peak memory may only grow by a sane multiple of the largest input (ru_maxrss is KiB on
    # Linux); this is a bound on memory, not on time.
    growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
    assert growth * 1024 < 16 * BIG_FILE_BYTES


# --- the whole matrix in one raw directory ----------------------------------------------------

RUNNABLE = tuple(case for case in CASES if _runnable(case))


@pytest.fixture
def matrix_raw(tmp_path: Path, big_file: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    raw = tmp_path / "raw"
    _build(raw, RUNNABLE, big_file, monkeypatch)
    return raw


def test_matrix_accounting_identity(matrix_raw: Path) -> None:
    """inputs == accepted + rejected over every case at once, in one raw directory."""
    raw = read_raw_documents(matrix_raw)
    documents, rejects = curate_documents(raw)
    inputs = sum(e.n for case in RUNNABLE for e in case.expect)
    assert len(raw) == inputs == len(documents) + len(rejects)
    assert set(raw["input_id"]) == set(documents["input_id"]) | set(rejects["input_id"])
    assert documents["doc_id"].is_unique
    _assert_expectations(RUNNABLE, documents, rejects)


MATRIX_SHARD_BYTES = 4_096
"""Shard size for the matrix through Dagster: the hostile inputs spread over about ten shards,
some holding only rejected inputs (no documents, sentences or claims at all), so the
accounting identity and the blocking checks are exercised across and within shards."""


def test_matrix_through_the_dagster_graph_publishes_a_version(
    matrix_raw: Path, tmp_path: Path
) -> None:
    """The whole matrix through Dagster, on many small shards. Per-shard work runs in this
    process (``serial``) because some cases simulate filesystem races with monkeypatches,
    which a worker process would not see."""
    data = tmp_path / "data"
    result = dg.materialize(
        [*ASSETS, *SCHEMA_CHECKS],
        resources=build_resources(
            ClaimsetConfig(raw_dir=str(matrix_raw), data_dir=str(data)),
            ComputeBackend(kind="serial", shard_bytes=MATRIX_SHARD_BYTES),
        ),
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    failed = [e.check_name for e in result.get_asset_check_evaluations() if not e.passed]
    assert result.success, failed
    evaluations = result.get_asset_check_evaluations()
    assert len(evaluations) == len(SCHEMA_CHECKS)
    assert not failed
    assert (data / "datasets" / "claimset" / "LATEST").read_text().strip() == "v0001"
    store = DatasetStore.in_data_dir(data, "claimset")
    documents = store.read_table("documents", "v0001")
    rejects = store.read_table("rejects", "v0001")
    sentences = store.read_table("sentences", "v0001", columns=["doc_id"])
    # The raw inputs as the graph passed them on: the raw_documents handle and its parts.
    raw, claims = (
        _from_json((data / "assets" / f"{asset}.json").read_text(encoding="utf-8"))
        for asset in ("raw_documents", "claims")
    )
    assert raw.parts and all(Path(part.path).is_file() for part in raw.parts)
    assert len(raw.parts) == raw.stats.shards >= 5
    assert any(part.rows == 0 for part in claims.parts), "no shard of only rejected inputs"
    raw_inputs = raw.arrow(["input_id"])["input_id"].to_pylist()
    assert sum(part.rows for part in raw.parts) == len(raw_inputs)
    inputs = sum(e.n for case in RUNNABLE for e in case.expect)
    assert len(raw_inputs) == inputs == len(documents) + len(rejects)
    assert set(raw_inputs) == set(documents["input_id"]) | set(rejects["input_id"])
    _assert_expectations(RUNNABLE, documents, rejects)
    big = documents.loc[documents["source_path"] == "huge single line.txt", "doc_id"].item()
    assert (sentences["doc_id"] == big).sum() == BIG_FILE_BYTES // len(BIG_SENTENCE) + 1


UNPATCHED = tuple(case for case in RUNNABLE if case.patch is None)
"""The cases that need no monkeypatch, so they behave the same in a worker process."""


def test_unpatched_matrix_on_a_process_pool_publishes_a_version(
    tmp_path: Path, big_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Hostile inputs (undecodable file names, binaries, huge lines, ...) shard by shard on a
    pool of two worker processes: tasks and results cross process boundaries, and every input
    is still accounted for exactly once."""
    raw, data = tmp_path / "raw", tmp_path / "data"
    _build(raw, UNPATCHED, big_file, monkeypatch)
    result = dg.materialize(
        [*ASSETS, *SCHEMA_CHECKS],
        resources=build_resources(
            ClaimsetConfig(raw_dir=str(raw), data_dir=str(data)),
            ComputeBackend(kind="local", workers=2, shard_bytes=MATRIX_SHARD_BYTES),
        ),
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    failed = [e.check_name for e in result.get_asset_check_evaluations() if not e.passed]
    assert result.success, failed
    raw_handle = _from_json((data / "assets" / "raw_documents.json").read_text(encoding="utf-8"))
    assert raw_handle.stats.shards >= 5
    store = DatasetStore.in_data_dir(data, "claimset")
    documents, rejects = store.read_table("documents"), store.read_table("rejects")
    inputs = sum(e.n for case in UNPATCHED for e in case.expect)
    assert raw_handle.rows == inputs == len(documents) + len(rejects)
    _assert_expectations(UNPATCHED, documents, rejects)


def test_matrix_size_is_exposed() -> None:
    assert MATRIX_CASES == len(CASES) >= 30
    assert MATRIX_INPUTS >= MATRIX_CASES
