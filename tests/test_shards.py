"""Inventory and content-defined shard planning."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from pipeline.shards import InputFile, inventory, plan_shards


def _file(name: str, size: int) -> InputFile:
    return InputFile(name, size, 0, hashlib.sha256(name.encode()).hexdigest())


names = st.lists(
    st.text(alphabet="abcdefghij/._-", min_size=1, max_size=12), unique=True, max_size=40
)


@given(names, st.data())
def test_every_file_is_in_exactly_one_shard_in_order(paths: list[str], data) -> None:
    files = [_file(p, data.draw(st.integers(0, 3000))) for p in sorted(paths)]
    shards = plan_shards(files, target_bytes=5_000, target_files=8)
    assert [f for shard in shards for f in shard.files] == files
    assert [shard.index for shard in shards] == list(range(len(shards)))
    assert all(shard.files for shard in shards)


@given(names, st.text(alphabet="klmnop", min_size=1, max_size=8), st.data())
def test_adding_a_file_changes_at_most_its_own_shard(paths: list[str], new: str, data) -> None:
    # Sizes stay far below the hard cap, so only content-defined cuts happen.
    sizes = {p: data.draw(st.integers(0, 1000)) for p in paths}
    before = [_file(p, sizes[p]) for p in sorted(paths)]
    after = sorted([*before, _file(new, 500)], key=lambda f: f.relative)
    old = {shard.key() for shard in plan_shards(before, target_bytes=10**6, target_files=5)}
    fresh = {shard.key() for shard in plan_shards(after, target_bytes=10**6, target_files=5)}
    # The new file's shard is new; if the file is itself a cut point it splits that shard.
    assert len(fresh - old) <= 2
    assert len(old - fresh) <= 1


def test_big_files_get_shards_of_their_own_size_range() -> None:
    files = [_file(f"f{i:03d}", 1_000_000) for i in range(200)]
    shards = plan_shards(files, target_bytes=8_000_000, target_files=10**9)
    sizes = [shard.bytes for shard in shards]
    assert max(sizes) <= 4 * 8_000_000
    assert 2 <= sum(sizes) / len(sizes) / 1_000_000 <= 20  # about 8 files per shard


def test_inventory_hashes_contents_and_remembers_them(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_bytes(b"alpha")
    (raw / "sub").mkdir()
    (raw / "sub" / "b.txt").write_bytes(b"beta")
    os.symlink(raw / "missing.txt", raw / "dangling.txt")
    memo = tmp_path / "memo.json"
    files = inventory(raw, memo)
    by_path = {f.relative: f for f in files}
    assert [f.relative for f in files] == ["a.txt", "dangling.txt", "sub/b.txt"]
    assert by_path["a.txt"].content == hashlib.sha256(b"alpha").hexdigest()
    assert by_path["sub/b.txt"].size == 4
    assert by_path["dangling.txt"].content.startswith("unreadable:")
    assert not memo.exists()  # files modified moments ago are not remembered (racily clean)
    for path in (raw / "a.txt", raw / "sub" / "b.txt"):
        os.utime(path, ns=(1_600_000_000 * 10**9,) * 2)
    inventory(raw, memo)
    assert sorted(json.loads(memo.read_text(encoding="utf-8"))) == [
        str(raw / "a.txt"),
        str(raw / "sub" / "b.txt"),
    ]
    (raw / "a.txt").write_bytes(b"ALPHA, longer")
    # Same size, inode and mtime as remembered: the memo answers without reading the file.
    (raw / "sub" / "b.txt").write_bytes(b"BETA")
    os.utime(raw / "sub" / "b.txt", ns=(1_600_000_000 * 10**9,) * 2)
    again = {f.relative: f for f in inventory(raw, memo)}
    assert again["a.txt"].content == hashlib.sha256(b"ALPHA, longer").hexdigest()
    assert again["sub/b.txt"].content == by_path["sub/b.txt"].content


def test_a_corrupt_memo_is_ignored(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_bytes(b"alpha")
    memo = tmp_path / "memo.json"
    memo.write_text("{not json", encoding="utf-8")
    assert inventory(raw, memo)[0].content == hashlib.sha256(b"alpha").hexdigest()
