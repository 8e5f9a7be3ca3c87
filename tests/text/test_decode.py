"""Tests for pipeline.text.decode: real bytes in every encoding the pipeline meets."""

from __future__ import annotations

import gzip
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.text import decode
from pipeline.text.decode import Decoded, decode_bytes

CHINESE = "新质生产力正在重塑中国制造业。新能源汽车产量增长了35.8%！这意味着什么？"
ENGLISH = "Battery output rose 35.8% to 9.5 million units. Robots are next."


def _assert_text(result: Decoded, text: str, encoding: str) -> None:
    assert result.reason is None, result.detail
    assert result.text == text
    assert result.encoding == encoding


def test_plain_utf8() -> None:
    _assert_text(decode_bytes(CHINESE.encode("utf-8")), CHINESE, "utf-8")


def test_utf8_bom_is_stripped() -> None:
    _assert_text(decode_bytes(b"\xef\xbb\xbf" + ENGLISH.encode()), ENGLISH, "utf-8-sig")


@pytest.mark.parametrize(
    ("bom", "codec", "name"),
    [
        (b"\xff\xfe", "utf-16-le", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be", "utf-16-be"),
        (b"\xff\xfe\x00\x00", "utf-32-le", "utf-32-le"),
        (b"\x00\x00\xfe\xff", "utf-32-be", "utf-32-be"),
    ],
)
def test_utf16_and_utf32_with_bom(bom: bytes, codec: str, name: str) -> None:
    text = ENGLISH + "\n" + CHINESE
    _assert_text(decode_bytes(bom + text.encode(codec)), text, name)


def test_utf16_without_bom_is_recognised_not_called_binary() -> None:
    _assert_text(decode_bytes(ENGLISH.encode("utf-16-le")), ENGLISH, "utf-16-le")
    _assert_text(decode_bytes(ENGLISH.encode("utf-16-be")), ENGLISH, "utf-16-be")


@pytest.mark.parametrize(
    "text",
    [
        CHINESE,
        "新能源汽车",
        "比亚迪 BYD 2024年销量4,272,145辆。",
        "工业和信息化部表示，今年将推动人工智能与制造业深度融合。",
    ],
)
def test_gb18030_chinese_round_trips(text: str) -> None:
    _assert_text(decode_bytes(text.encode("gb18030")), text, "gb18030")


def test_gbk_bytes_are_reported_as_gb18030_superset() -> None:
    _assert_text(decode_bytes(CHINESE.encode("gbk")), CHINESE, "gb18030")


@pytest.mark.parametrize(
    "text",
    [
        "The plant manager’s view was blunt: “automate or close.” Output rose 12% – short.",
        "It’s “new”.",
        "It’s the robot’s arm.",
        "Café déjà vu, naïve résumé.",
    ],
)
def test_cp1252_smart_quotes_become_curly_quotes(text: str) -> None:
    _assert_text(decode_bytes(text.encode("cp1252")), text, "cp1252")


def test_other_legacy_encodings_are_decoded() -> None:
    japanese = "日本のロボット産業は成長している。工場の自動化が進む。"
    result = decode_bytes(japanese.encode("shift_jis"))
    assert result.text == japanese
    assert result.encoding in {"shift-jis", "cp932"}
    big5 = "新能源汽車產量增長了。這意味著什麼？"
    assert decode_bytes(big5.encode("big5")).text == big5


def test_mostly_utf8_with_one_damaged_sequence_stays_utf8() -> None:
    data = (CHINESE * 3).encode("utf-8")[:-1]  # truncated mid-character
    result = decode_bytes(data)
    assert result.encoding == "utf-8"
    assert result.text is not None and result.text.startswith(CHINESE)
    assert "replaced" in result.detail


def test_invalid_utf8_is_never_passed_off_as_utf8() -> None:
    data = b"abc \xc3\x28 def \xa0\xa1 " + bytes(range(0x80, 0x100)) * 2
    result = decode_bytes(data)
    assert result.encoding != "utf-8"
    assert result.reason == "undecodable"
    assert result.text is None


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "PNG"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG"),
        (b"GIF89a\x01\x00\x01\x00", "GIF"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"PK\x03\x04\x14\x00\x00\x00", "ZIP"),
        (gzip.compress(b"hello world"), "gzip"),
    ],
)
def test_binary_signatures_are_rejected(data: bytes, kind: str) -> None:
    result = decode_bytes(data)
    assert (result.text, result.encoding, result.reason) == (None, None, "binary")
    assert kind in result.detail


def test_nul_bytes_mean_binary() -> None:
    assert decode_bytes(b"hello\x00world, this looks like text").reason == "binary"


def test_control_character_soup_means_binary() -> None:
    assert decode_bytes(bytes(range(1, 32)) * 10 + b"abc").reason == "binary"


def test_compressed_noise_is_not_text() -> None:
    data = zlib.compress(ENGLISH.encode() * 50)
    assert decode_bytes(data).text is None


@pytest.mark.parametrize(
    "data", [b"", b" ", b"\n\r\n\t ", b"\xef\xbb\xbf", b"\xef\xbb\xbf  \n", b"\xff\xfe \x00"]
)
def test_empty_and_whitespace_only(data: bytes) -> None:
    result = decode_bytes(data)
    assert (result.text, result.encoding, result.reason) == (None, None, "empty_file")


def test_accepts_bytearray_and_memoryview() -> None:
    assert decode_bytes(bytearray(b"abc text")).text == "abc text"  # type: ignore[arg-type]
    assert decode_bytes(memoryview(b"abc text")).text == "abc text"  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600))
def test_never_raises_and_result_is_consistent(data: bytes) -> None:
    result = decode_bytes(data)
    assert (result.text is None) == (result.reason is not None)
    assert (result.text is None) == (result.encoding is None)
    if result.text is not None:
        assert result.text.strip()
        assert not result.text.startswith("\ufeff")
    else:
        assert result.reason in {"empty_file", "binary", "undecodable"}


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1).filter(lambda s: s.strip() and "\x00" not in s))
def test_valid_utf8_text_round_trips(text: str) -> None:
    data = text.encode("utf-8", errors="surrogatepass")
    result = decode_bytes(data)
    if result.text is not None and result.encoding == "utf-8":
        assert result.text == text


@settings(max_examples=300)
@given(st.text(st.sampled_from(["\ufeff", "\u200b", " ", "\n", "\u3000", "\xa0", "a", "中"])))
def test_blank_text_rule_matches_its_definition(text: str) -> None:
    result = decode._text_or_empty(text, "utf-8", "")
    body = text.removeprefix("\ufeff")
    blank = not body.strip().strip("\ufeff\u200b")
    assert (result.reason == "empty_file") == blank
