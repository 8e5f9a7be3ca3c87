"""Tests of atomic file replacement."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.atomic import write_atomically, write_text_atomically


def test_writes_the_new_content_and_creates_the_directory(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "pointer"
    write_text_atomically(path, "v0001\n")
    assert path.read_text(encoding="utf-8") == "v0001\n"
    write_text_atomically(path, "v0002\n", durable=True)
    assert path.read_text(encoding="utf-8") == "v0002\n"
    assert [p.name for p in path.parent.iterdir()] == ["pointer"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "data.bin"
    path.write_bytes(b"old")

    def half_written(target: Path) -> None:
        target.write_bytes(b"ne")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomically(path, half_written)
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["data.bin"]
