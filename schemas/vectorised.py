"""Vectorised building blocks for the pandera models.

pandera's string dtype check and the pandas ``.str`` accessor on object columns run Python code
per row. Here string columns are validated as Arrow string columns instead (see
:func:`validation_frame`): nulls, uniqueness and ``isin`` then run on Arrow buffers, and the string
checks below use Arrow compute kernels and numpy over the UTF-8 bytes, so validating a shard of
~100k rows costs milliseconds. A table given as Arrow keeps its string and nested (list, struct)
columns in Arrow from the start: no cell becomes a Python object. Every helper is exact (each
docstring says how); none samples. A column that holds anything but strings and nulls stays an
object column, and the helpers answer for it the way the pandas ``.str`` accessor does (a
non-string cell counts as missing).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow
import pyarrow.compute as pc
from pandera import dtypes
from pandera.engines import numpy_engine, pandas_engine

Table = pd.DataFrame | pyarrow.Table
"""A table to validate: a pandas frame, or an Arrow table (validated without Python objects)."""

WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
"""Every character for which ``str.isspace()`` is true: what ``str.strip()`` removes."""

_SPACE = "[" + "".join(f"\\x{{{ord(char):x}}}" for char in WHITESPACE) + "]"
_OUTER_SPACE = (f"^{_SPACE}", f"{_SPACE}$")
"""RE2 patterns for a string that begins, or ends, with whitespace."""


@dtypes.immutable
class Str(pandas_engine.NpString):
    """pandera's ``str`` dtype (reported as ``dtype('str')``), checked for the whole column.

    An Arrow string column passes on its type. For an object column pandera checks
    ``isinstance(x, str)`` row by row; here the column passes at once when ``infer_dtype`` finds
    only strings and nulls, and only otherwise runs pandera's per-row check, so the failure
    cases are pandera's."""

    def check(
        self, pandera_dtype: dtypes.DataType, data_container: pd.Series | None = None
    ) -> bool | pd.Series:
        """True when every non-null cell is a ``str``; else pandera's per-row answer."""
        if data_container is None:
            return super().check(pandera_dtype, data_container)
        if _is_arrow_string(data_container.dtype):
            return True
        if pd.api.types.infer_dtype(data_container, skipna=True) in ("string", "empty"):
            return True
        return super().check(pandera_dtype, data_container)


@dtypes.immutable
class Cells(numpy_engine.Object):
    """pandera's ``object`` dtype (reported as ``dtype('object')``), which also accepts the
    Arrow string and nested columns of :func:`arrow_frame`: exactly the columns that
    :meth:`pyarrow.Table.to_pandas` would give the ``object`` dtype."""

    def check(
        self, pandera_dtype: dtypes.DataType, data_container: pd.Series | None = None
    ) -> bool | pd.Series:
        """True for an object column or an Arrow string or nested column."""
        if data_container is not None and isinstance(data_container.dtype, pd.ArrowDtype):
            return _kept_in_arrow(data_container.dtype.pyarrow_dtype)
        return pandera_dtype == numpy_engine.Object()


def validation_frame(table: Table) -> pd.DataFrame:
    """The frame the models validate: :func:`arrow_frame` of an Arrow table,
    :func:`arrow_strings` of a pandas frame."""
    return arrow_frame(table) if isinstance(table, pyarrow.Table) else arrow_strings(table)


def arrow_frame(table: pyarrow.Table) -> pd.DataFrame:
    """``table`` as pandas without Python objects: string and nested (list, struct) columns
    stay Arrow (``pd.ArrowDtype``, zero-copy), the others convert as
    :func:`pipeline.tables.to_pandas` converts them (numpy; a nullable integer column becomes
    ``Int64``), so every check sees the dtypes it sees for a frame read back by the pipeline."""
    frame = table.combine_chunks().to_pandas(
        types_mapper=lambda arrow_type: (
            pd.ArrowDtype(arrow_type) if _kept_in_arrow(arrow_type) else None
        )
    )
    for field in table.schema:
        if pyarrow.types.is_integer(field.type) and field.nullable:
            frame[field.name] = frame[field.name].astype("Int64")
    return frame


def select(table: Table, names: list[str]) -> Table:
    """The columns ``names`` of ``table``, in that order."""
    return table.select(names) if isinstance(table, pyarrow.Table) else table[names]


def _kept_in_arrow(arrow_type: pyarrow.DataType) -> bool:
    return (
        pyarrow.types.is_string(arrow_type)
        or pyarrow.types.is_large_string(arrow_type)
        or pyarrow.types.is_nested(arrow_type)
    )


def arrow_strings(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with each object column whose cells are all strings or nulls held as an Arrow
    ``large_string`` column (a shallow copy; ``frame`` itself is not changed). Columns holding
    other objects (lists, numbers, strings that are not valid Unicode) stay as they are, so the
    checks report those cells as pandas would. An empty frame is returned as it is: nothing
    says which of its object columns hold strings."""
    if frame.empty:
        return frame
    converted = {
        name: array
        for name in frame.columns
        if frame[name].dtype == object and (array := _to_arrow(frame[name])) is not None
    }
    if not converted:
        return frame
    result = frame.copy(deep=False)
    for name, array in converted.items():
        result[name] = pd.arrays.ArrowExtensionArray(array)
    return result


def as_arrow(series: pd.Series) -> pyarrow.LargeStringArray | None:
    """``series`` as an Arrow ``large_string`` array, or None when a cell is neither a string
    nor null."""
    if _is_arrow_string(series.dtype):
        return arrow_array(series).cast(pyarrow.large_string())
    return _to_arrow(series)


def arrow_array(series: pd.Series) -> pyarrow.Array:
    """The Arrow data of a ``pd.ArrowDtype`` column as one array (zero-copy for one chunk)."""
    array = pyarrow.array(series)
    return array.combine_chunks() if isinstance(array, pyarrow.ChunkedArray) else array


def strings(series: pd.Series) -> pyarrow.LargeStringArray:
    """:func:`as_arrow`, or, when some cell is not a string, the same with those cells (and
    strings that are not valid Unicode) as nulls: a Python pass over the cells that happens only
    for a column that fails its dtype check anyway."""
    array = as_arrow(series)
    if array is not None:
        return array
    return pyarrow.array(
        [cell if _is_unicode(cell) else None for cell in series], type=pyarrow.large_string()
    )


def _is_unicode(cell: object) -> bool:
    if not isinstance(cell, str):
        return False
    try:
        cell.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _to_arrow(series: pd.Series) -> pyarrow.LargeStringArray | None:
    try:
        return pyarrow.array(series.to_numpy(), type=pyarrow.large_string(), from_pandas=True)
    except (pyarrow.ArrowException, UnicodeError):
        return None


def _is_arrow_string(dtype: object) -> bool:
    return isinstance(dtype, pd.ArrowDtype) and (
        pyarrow.types.is_string(dtype.pyarrow_dtype)
        or pyarrow.types.is_large_string(dtype.pyarrow_dtype)
    )


def _filled(result: pyarrow.Array, null: bool | int) -> np.ndarray:
    return result.fill_null(null).to_numpy(zero_copy_only=False)


def char_lengths(series: pd.Series) -> pd.Series:
    """``series.str.len()``: characters per cell (Arrow ``utf8_length`` counts code points, as
    ``len`` does), NaN for nulls and non-strings."""
    if not _is_arrow_string(series.dtype):
        return series.str.len()
    lengths = pc.utf8_length(pyarrow.array(series))
    return pd.Series(lengths.to_numpy(zero_copy_only=False), index=series.index)


def is_stripped(series: pd.Series) -> pd.Series:
    """``series.str.strip() == series``: neither the first nor the last character is one that
    ``str.strip`` removes (the exact :data:`WHITESPACE` set, matched by RE2); False for nulls
    and non-strings."""
    if not _is_arrow_string(series.dtype):
        return series.str.strip() == series
    array = pyarrow.array(series)
    outer = [_filled(pc.match_substring_regex(array, pattern), True) for pattern in _OUTER_SPACE]
    return pd.Series(~(outer[0] | outer[1]), index=series.index)


def full_match(series: pd.Series, pattern: str) -> pd.Series:
    """``series.str.match(pattern)`` with Python ``re`` for every string cell; True for null
    cells (left to the nullable check), False for other objects.

    For an Arrow column, RE2 decides the column at once. For the anchored ASCII patterns used here
    (character classes, counted repetition, ``^``/``$``) every RE2 match is a Python match, but
    Python also accepts a few strings RE2 rejects (a newline before ``$``, non-ASCII digits for
    ``\\d``), so the rows RE2 rejects (and every row of an object column) are decided with
    Python ``re``: the result is exactly pandas'."""
    result = (
        _filled(pc.match_substring_regex(pyarrow.array(series), pattern), True)
        if _is_arrow_string(series.dtype)
        else np.zeros(len(series), dtype=bool)
    )
    rejected = np.flatnonzero(~result)
    if len(rejected):
        again = series.iloc[rejected].astype(object)
        result[rejected] = again.str.match(pattern).where(again.notna(), True).astype(bool)
    return pd.Series(result, index=series.index)


def str_matches(column: str, pattern: str) -> classmethod:
    """A model check on ``column``: pandera's ``str_matches``, reported under the same name,
    computed with :func:`full_match`.

    Like every check built here it has ``ignore_na=False`` and passes null cells itself: with
    ``ignore_na=True`` pandera scans the column for nulls before every check."""

    def check(cls: type, series: pd.Series) -> pd.Series:
        return full_match(series, pattern)

    return pa.check(column, name="str_matches", error=f"str_matches('{pattern}')", ignore_na=False)(
        check
    )


def str_length(column: str, min_value: int) -> classmethod:
    """A model check on ``column``: pandera's ``str_length(min_value, None)``, reported under
    the same name, computed with :func:`char_lengths`; null cells pass."""

    def check(cls: type, series: pd.Series) -> pd.Series:
        long_enough = char_lengths(series) >= min_value
        return long_enough if long_enough.all() else long_enough | series.isna()

    return pa.check(
        column, name="str_length", error=f"str_length({min_value}, None)", ignore_na=False
    )(check)


def positions(wanted: pd.Series, keys: pd.Series) -> np.ndarray:
    """For each value of ``wanted``, the position of that key in ``keys``, or -1 when absent.
    When the two columns hold the same sequence, row i maps to row i; otherwise a repeated key
    maps to its last row, as a dict built from ``keys`` would give. (Repeated ids fail their
    table's uniqueness check either way.)"""
    if same_values(wanted, keys):
        return np.arange(len(keys))
    arrays = as_arrow(wanted), as_arrow(keys)
    if (
        arrays[0] is not None
        and arrays[1] is not None
        and pc.count_distinct(arrays[1], mode="all").as_py() == len(arrays[1])
    ):
        return pc.index_in(arrays[0], value_set=arrays[1]).fill_null(-1).to_numpy()
    index = pd.Index(keys.astype(object))
    last = ~index.duplicated(keep="last")
    found = index[last].get_indexer(wanted.astype(object))
    return np.where(found >= 0, np.flatnonzero(last)[found], -1)


def same_values(left: pd.Series, right: pd.Series) -> bool:
    """True when both columns hold the same values in the same order."""
    if len(left) != len(right):
        return False
    arrays = as_arrow(left), as_arrow(right)
    if arrays[0] is None or arrays[1] is None:
        return bool(np.array_equal(left.to_numpy(), right.to_numpy()))
    return arrays[0].equals(arrays[1])


def list_lengths(lists: pd.Series) -> np.ndarray:
    """Number of items in each cell of a column of lists (0 for a null cell); for an Arrow list
    column, Arrow's ``list_value_length``."""
    if isinstance(lists.dtype, pd.ArrowDtype):
        return _filled(pc.list_value_length(arrow_array(lists)), 0).astype(np.int64)
    cells = lists.to_numpy()
    try:
        return np.array(list(map(len, cells)), dtype=np.int64)
    except TypeError:
        present = pd.notna(cells)
        lengths = np.zeros(len(cells), dtype=np.int64)
        lengths[present] = list(map(len, cells[present]))
        return lengths


def slices_equal(
    owners: pyarrow.LargeStringArray,
    owner: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    pieces: pyarrow.LargeStringArray,
) -> np.ndarray:
    """Per piece ``i``: ``owners[owner[i]][starts[i]:ends[i]] == pieces[i]`` with Python's
    slice semantics on characters; False where ``owner[i]`` is -1 or either side is null.

    Exact, on the UTF-8 bytes, with no per-row Python code: character lengths are compared
    for every row; character offsets become byte offsets through the positions of UTF-8
    continuation bytes; then the bytes are compared, as one Arrow ``equal`` over zero-copy
    slices for the rows whose slices follow one another without overlapping (all sentences of
    a well-formed table), and by a numpy gather for the others (overlapping evidence cues)."""
    owner_chars = _filled(pc.utf8_length(owners), -1).astype(np.int64)
    piece_chars = _filled(pc.utf8_length(pieces), -1).astype(np.int64)
    taken = np.where(owner >= 0, owner, 0)
    size = owner_chars[taken] if len(owners) else np.zeros(len(owner), dtype=np.int64)
    known = (owner >= 0) & (size >= 0) & (piece_chars >= 0)
    size = np.where(known, size, 0)
    start = _clip(starts, size)
    end = np.maximum(_clip(ends, size), start)
    compare = np.flatnonzero(known & (piece_chars == end - start))
    equal = np.zeros(len(owner), dtype=bool)
    if len(compare) == 0:
        return equal
    owner_offsets, owner_bytes = _buffers(owners)
    ascii = (np.diff(owner_offsets) == owner_chars)[taken[compare]]
    byte_start, byte_end = _byte_offsets(
        owner_offsets, owner_bytes, taken[compare], ascii, start[compare], end[compare]
    )
    piece_offsets, _ = _buffers(pieces)
    same_size = (byte_end - byte_start) == np.diff(piece_offsets)[compare]
    compare, byte_start, byte_end = compare[same_size], byte_start[same_size], byte_end[same_size]
    subset = pieces if len(compare) == len(pieces) else pieces.take(compare)
    equal[compare] = _equal_bytes(owners, byte_start, byte_end, subset)
    return equal


def _clip(offsets: np.ndarray, size: np.ndarray) -> np.ndarray:
    """Python's slice-bound normalisation: negative offsets count from the end, then clip."""
    return np.clip(np.where(offsets < 0, offsets + size, offsets), 0, size)


def _buffers(array: pyarrow.LargeStringArray) -> tuple[np.ndarray, np.ndarray]:
    """The value offsets (of this array's own rows) and the UTF-8 bytes of a string array."""
    _, offsets, data = array.buffers()
    value_offsets = np.frombuffer(offsets, dtype=np.int64)[
        array.offset : array.offset + len(array) + 1
    ]
    return value_offsets, np.frombuffer(data, dtype=np.uint8) if data else np.zeros(0, np.uint8)


def _byte_offsets(
    offsets: np.ndarray, data: np.ndarray, rows: np.ndarray, ascii: np.ndarray, *chars: np.ndarray
) -> list[np.ndarray]:
    """Byte positions in ``data`` of character offsets ``chars`` within strings ``rows``
    (``ascii`` says which of those strings are pure ASCII).

    In an ASCII string a character offset is a byte offset. Otherwise the c-th character of
    ``data`` starts at byte ``c + k``, k being the number of continuation bytes (``10xxxxxx``)
    before it; continuation byte j at position q_j lies before character c exactly when
    ``q_j - j <= c``."""
    positions = [offsets[rows] + offset for offset in chars]
    wide = np.flatnonzero(~ascii)
    if not len(wide):
        return positions
    continuation = np.flatnonzero((data & 0xC0) == 0x80)
    starts = offsets[rows[wide]]
    first_char = starts - np.searchsorted(continuation, starts)
    keys = continuation - np.arange(len(continuation))
    for position, offset in zip(positions, chars, strict=True):
        char = first_char + offset[wide]
        position[wide] = char + np.searchsorted(keys, char, side="right")
    return positions


def _equal_bytes(
    owners: pyarrow.LargeStringArray,
    byte_start: np.ndarray,
    byte_end: np.ndarray,
    pieces: pyarrow.LargeStringArray,
) -> np.ndarray:
    """Per row: ``owners``' bytes ``[byte_start, byte_end)`` equal the row's piece (same sizes)."""
    in_order = bool(np.all(byte_start[1:] >= byte_start[:-1]))
    order = np.arange(len(byte_start)) if in_order else np.argsort(byte_start, kind="stable")
    if not in_order:
        byte_start, byte_end, pieces = byte_start[order], byte_end[order], pieces.take(order)
    previous_end = np.maximum.accumulate(np.concatenate([[0], byte_end[:-1]]))
    chained = byte_start >= previous_end
    equal = np.zeros(len(byte_start), dtype=bool)
    equal[chained] = _equal_chained(owners, byte_start[chained], byte_end[chained], pieces, chained)
    loose = np.flatnonzero(~chained)
    equal[loose] = _equal_gathered(owners, byte_start[loose], byte_end[loose], pieces.take(loose))
    result = np.empty_like(equal)
    result[order] = equal
    return result


def _equal_chained(
    owners: pyarrow.LargeStringArray,
    byte_start: np.ndarray,
    byte_end: np.ndarray,
    pieces: pyarrow.LargeStringArray,
    rows: np.ndarray,
) -> np.ndarray:
    """Slices that follow one another: each side becomes one binary array whose even elements
    are the slices (odd ones are the gaps between them), viewing the existing bytes."""
    piece_offsets, _ = _buffers(pieces)
    left = _interleaved(owners, byte_start, byte_end)
    right = _interleaved(pieces, piece_offsets[:-1][rows], piece_offsets[1:][rows])
    if left is None or right is None:
        return np.ones(len(byte_start), dtype=bool)
    return pc.equal(left, right).to_numpy(zero_copy_only=False)[::2]


def _interleaved(
    strings: pyarrow.LargeStringArray, starts: np.ndarray, ends: np.ndarray
) -> pyarrow.Array | None:
    if len(starts) == 0:
        return None
    offsets = np.empty(2 * len(starts), dtype=np.int64)
    offsets[0::2], offsets[1::2] = starts, ends
    return pyarrow.Array.from_buffers(
        pyarrow.large_binary(),
        len(offsets) - 1,
        [None, pyarrow.py_buffer(offsets), strings.buffers()[2] or pyarrow.py_buffer(b"")],
    )


def _equal_gathered(
    owners: pyarrow.LargeStringArray,
    byte_start: np.ndarray,
    byte_end: np.ndarray,
    pieces: pyarrow.LargeStringArray,
) -> np.ndarray:
    """Any slices: gather their bytes and compare them with the pieces' bytes."""
    sizes = byte_end - byte_start
    if len(sizes) == 0:
        return np.zeros(0, dtype=bool)
    _, owner_bytes = _buffers(owners)
    piece_offsets, piece_bytes = _buffers(pieces)
    firsts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    step = np.arange(int(sizes.sum()), dtype=np.int64) - np.repeat(firsts, sizes)
    same = (
        owner_bytes[np.repeat(byte_start, sizes) + step]
        == (piece_bytes[np.repeat(piece_offsets[:-1], sizes) + step])
    )
    mismatches = np.bincount(np.repeat(np.arange(len(sizes)), sizes)[~same], minlength=len(sizes))
    return mismatches == 0
