"""Turn the raw bytes of an input file into text, or say precisely why that is not possible.

Order of the checks, cheapest and most certain first:

1. nothing but whitespace -> ``empty_file``;
2. a byte-order mark (UTF-32 before UTF-16, because the UTF-32-LE mark starts with the
   UTF-16-LE one) decides the encoding outright;
3. well-known binary signatures (PNG, JPEG, PDF, ZIP, gzip, ...) -> ``binary``;
4. UTF-16 without a mark, recognised by its NUL byte in every other position;
5. any other NUL byte, or a high share of C0 control bytes -> ``binary``;
6. strict UTF-8;
7. legacy encodings through charset-normalizer, first restricted to the two this corpus
   actually meets (GB18030 for mainland Chinese, Windows-1252 for Western text), then
   unrestricted (Shift-JIS, Big5, ...).

Binary detection runs before strict UTF-8 (the brief's order is BOM, UTF-8, binary) because
pure-ASCII binary data with NUL bytes is valid UTF-8 and must still be rejected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from charset_normalizer import from_bytes

__all__ = ["Decoded", "decode_bytes"]


@dataclass(frozen=True)
class Decoded:
    """Result of :func:`decode_bytes`: either ``text`` with its ``encoding``, or a ``reason``."""

    text: str | None  # None when the bytes cannot be used
    encoding: str | None  # e.g. "utf-8", "utf-8-sig", "utf-16-le", "gb18030", "cp1252"
    reason: str | None  # reject reason when text is None: "empty_file", "binary", "undecodable"
    detail: str = ""  # human-readable explanation


# (byte-order mark, codec used to decode the rest, encoding name reported)
_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (b"\x00\x00\xfe\xff", "utf-32-be", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le", "utf-32-le"),
    (b"\xef\xbb\xbf", "utf-8", "utf-8-sig"),
    (b"\xfe\xff", "utf-16-be", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le", "utf-16-le"),
)

# (signature, offset, description)
_MAGIC: tuple[tuple[bytes, int, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "PNG image"),
    (b"\xff\xd8\xff", 0, "JPEG image"),
    (b"GIF87a", 0, "GIF image"),
    (b"GIF89a", 0, "GIF image"),
    (b"%PDF-", 0, "PDF document"),
    (b"PK\x03\x04", 0, "ZIP archive (or DOCX/XLSX/EPUB)"),
    (b"PK\x05\x06", 0, "empty ZIP archive"),
    (b"PK\x07\x08", 0, "spanned ZIP archive"),
    (b"\x1f\x8b", 0, "gzip archive"),
    (b"\xfd7zXZ\x00", 0, "xz archive"),
    (b"7z\xbc\xaf\x27\x1c", 0, "7-Zip archive"),
    (b"\x28\xb5\x2f\xfd", 0, "zstd archive"),
    (b"Rar!\x1a\x07", 0, "RAR archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 0, "OLE document (DOC/XLS/PPT)"),
    (b"\x7fELF", 0, "ELF executable"),
    (b"\xca\xfe\xba\xbe", 0, "Java class or Mach-O binary"),
    (b"\x00asm", 0, "WebAssembly module"),
    (b"SQLite format 3\x00", 0, "SQLite database"),
    (b"PAR1", 0, "Parquet file"),
    (b"OggS", 0, "Ogg media"),
    (b"fLaC", 0, "FLAC audio"),
    (b"II*\x00", 0, "TIFF image"),
    (b"MM\x00*", 0, "TIFF image"),
    (b"ftyp", 4, "MP4/QuickTime media"),
    (b"WEBP", 8, "WebP image"),
    (b"WAVE", 8, "WAV audio"),
)
_BZIP2 = re.compile(rb"BZh[1-9]1AY&SY")

# C0 controls other than \t \n \v \f \r and ESC, plus DEL: rare in real text files.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x1B), *range(0x1C, 0x20), 0x7F])
_MAX_CONTROL_SHARE = 0.05

_HIGH_BYTE_RUN = re.compile(rb"[\x80-\xff]+")
_VISIBLE = re.compile(r"[^\s\ufeff\u200b]")  # \s is what str.strip() removes

_FIRST_CHOICE = ("gb18030", "cp1252")
_PLAUSIBLE_LEGACY = (
    "gb18030",
    "big5",
    "big5hkscs",
    "cp950",
    "cp932",
    "shift_jis",
    "shift_jis_2004",
    "euc_jp",
    "euc_jis_2004",
    "iso2022_jp",
    "cp949",
    "euc_kr",
    "iso2022_kr",
    "cp1250",
    "cp1251",
    "cp1252",
    "cp1253",
    "cp1254",
    "cp1255",
    "cp1256",
    "cp1257",
    "cp1258",
    "iso8859_2",
    "iso8859_5",
    "iso8859_7",
    "iso8859_9",
    "iso8859_15",
    "koi8_r",
    "koi8_u",
)

# charset-normalizer names -> the superset or more common sibling we report and decode with.
_PREFERRED_NAME = {
    "gbk": "gb18030",
    "gb2312": "gb18030",
    "hz": "gb18030",
    "latin_1": "cp1252",
    "iso8859_1": "cp1252",
    "iso-8859-1": "cp1252",
    "latin-1": "cp1252",
    "ascii": "utf-8",
    "utf_8": "utf-8",
}


def decode_bytes(data: bytes) -> Decoded:
    """Decode ``data`` to text, detecting its encoding.

    Promises:
      * never raises (any unexpected error becomes ``reason="undecodable"``);
      * exactly one of ``text`` and ``reason`` is ``None``; ``encoding`` is set iff ``text`` is;
      * ``text`` never starts with a byte-order mark and is never blank: empty or
        whitespace-only input gives ``reason="empty_file"``;
      * binary content (known file signatures, NUL bytes outside UTF-16/32, many control
        bytes) gives ``reason="binary"``; bytes no supported encoding explains give
        ``reason="undecodable"``;
      * ``encoding`` is a Python codec name in lower case with dashes ("utf-8", "utf-8-sig",
        "utf-16-le", "gb18030", "cp1252", ...); GB2312/GBK are reported as their superset
        gb18030 and Latin-1 as cp1252, which decode the same bytes to the same text.
    """
    try:
        return _decode(bytes(data))
    except Exception as exc:  # defensive: decoding must never take the pipeline down
        return Decoded(None, None, "undecodable", f"unexpected {type(exc).__name__}: {exc}")


def _decode(data: bytes) -> Decoded:
    if not data or data.isspace():  # what data.strip() removes, without copying the data
        return Decoded(None, None, "empty_file", f"{len(data)} bytes, no text")

    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            return _decode_with_bom(data[len(bom) :], codec, name)

    kind = _magic(data)
    if kind:
        return Decoded(None, None, "binary", f"{kind} signature")

    utf16 = _bomless_utf16(data)
    if utf16 is not None:
        return utf16

    if b"\x00" in data:
        return Decoded(None, None, "binary", f"{data.count(0)} NUL bytes")
    controls = len(data) - len(data.translate(None, _CONTROL_BYTES))
    if controls > _MAX_CONTROL_SHARE * len(data):
        return Decoded(None, None, "binary", f"{controls} of {len(data)} bytes are control bytes")

    try:
        return _text_or_empty(data.decode("utf-8"), "utf-8", "")
    except UnicodeDecodeError:
        pass
    damaged = _mostly_utf8(data)
    if damaged is not None:
        return damaged
    return _decode_legacy(data)


def _text_or_empty(text: str, encoding: str, detail: str) -> Decoded:
    if text.startswith("\ufeff"):
        text = text[1:]
    # A visible character survives the strips below; only look further when there is none.
    if _VISIBLE.search(text) is None and not text.strip().strip("\ufeff\u200b"):
        return Decoded(None, None, "empty_file", f"only whitespace after decoding as {encoding}")
    return Decoded(text, encoding, None, detail)


def _decode_with_bom(body: bytes, codec: str, name: str) -> Decoded:
    try:
        return _text_or_empty(body.decode(codec), name, "byte-order mark")
    except UnicodeDecodeError:
        pass
    # A byte-order mark is strong evidence; tolerate a few damaged sequences, not a wrong guess.
    text = body.decode(codec, errors="replace")
    bad = text.count("\ufffd")
    if bad <= max(1, len(text) // 100):
        return _text_or_empty(
            text, name, f"byte-order mark; {bad} invalid sequence(s) replaced with U+FFFD"
        )
    return Decoded(None, None, "undecodable", f"{name} byte-order mark but {bad} invalid sequences")


def _magic(data: bytes) -> str | None:
    for signature, offset, kind in _MAGIC:
        if data.startswith(signature, offset):
            return kind
    if _BZIP2.match(data):
        return "bzip2 archive"
    return None


def _bomless_utf16(data: bytes) -> Decoded | None:
    """UTF-16 without a byte-order mark: ASCII-range text has a NUL in every other byte."""
    if len(data) < 4 or len(data) % 2 or b"\x00" not in data:
        return None
    even, odd = data[0::2], data[1::2]
    even_nul, odd_nul = even.count(0) / len(even), odd.count(0) / len(odd)
    if odd_nul >= 0.3 and even_nul < 0.05:
        codec = "utf-16-le"
    elif even_nul >= 0.3 and odd_nul < 0.05:
        codec = "utf-16-be"
    else:
        return None
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return None
    encoded = text.encode("utf-8", errors="surrogatepass")
    if b"\x00" in encoded:
        return None
    controls = len(encoded) - len(encoded.translate(None, _CONTROL_BYTES))
    if controls > _MAX_CONTROL_SHARE * len(encoded):
        return None
    return _text_or_empty(text, codec, "no byte-order mark; UTF-16 recognised by NUL pattern")


def _mostly_utf8(data: bytes) -> Decoded | None:
    """UTF-8 with a few damaged sequences (a truncated file, one stray byte) stays UTF-8.

    Requires real multi-byte characters to outnumber the damage ten to one, so that legacy
    single-byte text, where almost every high byte is invalid UTF-8, is left to detection.
    """
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode())
    valid_multibyte = len(text) - len(text.encode("ascii", errors="ignore")) - bad
    if bad <= 0 or valid_multibyte < 10 * bad:
        return None
    return _text_or_empty(text, "utf-8", f"{bad} invalid UTF-8 sequence(s) replaced with U+FFFD")


def _decode_legacy(data: bytes) -> Decoded:
    # First ask only about the encodings this corpus meets: unrestricted detection on short
    # samples happily picks cp949 for GB18030 Chinese or cp1250 for Windows-1252 English.
    # The second pass still leaves out DOS, Mac and EBCDIC code pages, which fit almost any
    # byte soup and would turn damaged UTF-8 into confident nonsense.
    for isolation in (_FIRST_CHOICE, _PLAUSIBLE_LEGACY):
        best = from_bytes(data, cp_isolation=list(isolation)).best()
        if best is None:
            continue
        name = _PREFERRED_NAME.get(best.encoding.lower(), best.encoding.lower())
        name = _tie_break(data, name)
        try:
            text = data.decode(name)
        except (UnicodeDecodeError, LookupError):
            name, text = best.encoding.lower(), str(best)
        return _text_or_empty(
            text, name.replace("_", "-"), f"detected by charset-normalizer (chaos {best.chaos:.2f})"
        )

    # Western text with one or two smart quotes is too short for charset-normalizer to be sure
    # of anything. Windows-1252 is then the best explanation, provided the high bytes look
    # like Western text: single accented letters or punctuation, not long runs.
    runs = _HIGH_BYTE_RUN.findall(data)
    high = sum(len(run) for run in runs)
    if runs and max(len(run) for run in runs) <= 2 and high <= 0.3 * len(data):
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            pass
        else:
            return _text_or_empty(
                text, "cp1252", "fallback: valid Windows-1252, detection inconclusive"
            )
    return Decoded(None, None, "undecodable", "not UTF-8 and no supported legacy encoding fits")


def _tie_break(data: bytes, name: str) -> str:
    """Prefer cp1252 over a GB18030 guess when the high bytes stand alone.

    GB2312 Chinese puts two high bytes per character, so isolated high bytes (a smart quote
    between ASCII letters) point to a single-byte Western encoding.
    """
    if name not in {"gb18030", "cp1252"}:
        return name
    runs = _HIGH_BYTE_RUN.findall(data)
    if not runs:
        return name
    singles = sum(1 for run in runs if len(run) == 1)
    if name == "gb18030" and singles * 2 >= len(runs):
        try:
            data.decode("cp1252")
        except UnicodeDecodeError:
            return name
        return "cp1252"
    return name
