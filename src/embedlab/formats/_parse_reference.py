"""The readers' C kernels (``_parse_kernels.c``) in plain Python: the same functions with the
same positional parameters, status codes and errors, so either module can read a file. Slow and
obvious; the tests run every kernel test on both.

Where the C code declines a number it cannot convert exactly (``HARD``), Python's ``float``
converts it exactly, so this module never returns ``HARD``. :func:`parse_number` and
:func:`parse_text_row` are also the readers' fallback for the numbers the C code declines.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

__all__ = [
    "BAD_NUMBER", "BLANK", "EMPTY_KEY", "HARD", "OK", "SLOW", "TOO_FEW",
    "copy_records", "count_newlines", "gather_keys", "parse_number", "parse_text_rows",
    "parse_text_segment", "scan_binary_records", "segment_bounds",
]

OK, TOO_FEW, BAD_NUMBER, HARD, EMPTY_KEY, SLOW, BLANK = range(7)

_SEPARATORS = b" \t"
# What the C fast tier reads: a plain decimal with an optional exponent (no nan, no inf).
_PLAIN_NUMBER = re.compile(rb"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_FIELDS = re.compile(rb"[ \t]+")


def _bytes(buf: Any) -> memoryview:
    """The bytes of a buffer (writable when it is), as the C code sees them."""
    view = memoryview(buf)
    return view.cast("B") if view.nbytes else memoryview(bytearray())


def _out_of_range(what: str) -> ValueError:
    return ValueError(f"{what} is out of range for the buffers given")


def parse_number(text: bytes, /) -> tuple[float, int]:
    """``float(text)`` with the kernel's status codes (no spaces, no underscores allowed)."""
    text = bytes(text)
    if not text or b"_" in text or text.strip(_SEPARATORS + b"\r\n\x0b\x0c") != text:
        return 0.0, BAD_NUMBER
    try:
        return float(text), OK
    except ValueError:
        return 0.0, BAD_NUMBER


def parse_text_row(line: bytes, dim: int) -> tuple[np.ndarray, int, int, int]:
    """One line: (values, key_end, status, bad_field), as ``parse_text_rows`` gives them.

    The key is everything before the last ``dim`` fields; fields are separated by spaces or
    tabs; spaces, tabs and a carriage return at the end of the line are ignored.
    """
    values = np.zeros(dim, dtype=np.float32)
    line = line.rstrip(b" \t\r")
    fields: list[tuple[int, int]] = []
    pos = len(line)
    while len(fields) < dim and pos > 0:
        start = pos
        while start > 0 and line[start - 1] not in _SEPARATORS:
            start -= 1
        fields.append((start, pos))
        pos = start
        while pos > 0 and line[pos - 1] in _SEPARATORS:
            pos -= 1
    if len(fields) < dim:
        return values, pos, TOO_FEW, len(fields)
    if pos == 0:
        return values, pos, EMPTY_KEY, 0
    for j, (a, b) in enumerate(reversed(fields)):
        value, code = parse_number(line[a:b])
        if code != OK:
            return values, pos, code, j
        with np.errstate(over="ignore"):  # 1e39 becomes inf, as in numpy; rejected later
            values[j] = np.float32(value)
    return values, pos, OK, 0


def count_newlines(buf: Any, start: int, end: int, /) -> int:
    """The number of newlines in ``buf[start:end]``."""
    data = _bytes(buf)
    if start < 0 or end > len(data) or start > end:
        raise _out_of_range("start:end")
    return bytes(data[start:end]).count(b"\n")


def segment_bounds(buf: Any, n: int, segments: int, /) -> list[int]:
    """``segments + 1`` offsets cutting ``buf[:n]`` into about equal parts, each at a line start."""
    data = _bytes(buf)
    if n < 0 or n > len(data) or segments < 1:
        raise _out_of_range("n or segments")
    bounds = [0]
    for t in range(1, segments + 1):
        p = n
        if t < segments:
            p = max(bounds[-1], n * t // segments)
            while 0 < p < n and data[p - 1] != ord("\n"):
                p += 1
        bounds.append(p)
    return bounds


def _fast_line(line: bytes, dim: int) -> tuple[int, int, np.ndarray | None]:
    """The fast tier's reading of one line: (status, key length, values when OK)."""
    key = len(line)
    for k, byte in enumerate(line):
        if byte in b" \t\r":
            key = k
            break
    if key == 0:
        return (BLANK if not line.strip(b" \t\r") else SLOW), 0, None
    rest = line[key:]
    body = rest.rstrip(b" \t\r")
    fields = _FIELDS.split(body.strip(_SEPARATORS))
    if (not rest.startswith((b" ", b"\t")) or b"\r" in body or len(fields) != dim
            or not all(_PLAIN_NUMBER.fullmatch(f) for f in fields)):
        return SLOW, key, None
    with np.errstate(over="ignore"):  # as C's (float) cast: too large becomes inf
        return OK, key, np.array([float(f) for f in fields]).astype(np.float32)


def parse_text_segment(buf: Any, start: int, end: int, first: int, dim: int, out: Any, row0: int,
                       starts: Any, ends: Any, key_ends: Any, status: Any, /) -> None:
    """The fast tier on the lines of ``buf[start:end]``: line ``i`` (counting from ``first``)
    goes to row ``row0 + i`` of ``out``, its start, end, end of key and status to ``starts[i]``
    ... ``status[i]``. Lines of another shape are marked ``SLOW``, blank ones ``BLANK``."""
    if dim < 1:
        raise ValueError("dim must be >= 1")
    data = _bytes(buf)
    rows = np.asarray(out).reshape(-1, dim)
    lines = min(len(starts), len(ends), len(key_ends), len(status))
    if start < 0 or end > len(data) or start > end or first < 0 or row0 < 0:
        raise _out_of_range("start, end, first or row0")
    if end > start and data[end - 1] != ord("\n"):
        raise ValueError("a segment must end with a newline")
    text = bytes(data[start:end])
    pos, i = 0, first
    while pos < len(text):
        if i >= lines or row0 + i >= len(rows):
            raise _out_of_range("a line")
        line_end = text.index(b"\n", pos)
        code, key, values = _fast_line(text[pos:line_end], dim)
        if values is not None:
            rows[row0 + i] = values
        status[i], starts[i], ends[i] = code, start + pos, start + line_end
        key_ends[i] = start + pos + key
        pos, i = line_end + 1, i + 1


def parse_text_rows(buf: Any, starts: Any, ends: Any, dim: int, out: Any, key_ends: Any,
                    status: Any, bad_field: Any, /) -> None:
    """The second tier: each line ``buf[starts[i]:ends[i]]`` read from its end (its last ``dim``
    fields are the numbers, the key is what stands before), with :func:`parse_text_row`."""
    if dim < 1:
        raise ValueError("dim must be >= 1")
    data = _bytes(buf)
    rows = np.asarray(out).reshape(-1, dim)
    count = len(starts)
    if (len(ends) != count or len(rows) < count or len(key_ends) < count or len(status) < count
            or len(bad_field) < count):
        raise _out_of_range("the number of lines")
    if any(s < 0 or e > len(data) or s > e for s, e in zip(starts, ends, strict=True)):
        raise _out_of_range("a line's start or end")
    for i in range(count):
        values, key_end, code, field = parse_text_row(bytes(data[starts[i] : ends[i]]), dim)
        key_ends[i], status[i] = starts[i] + key_end, code
        if code == OK:
            rows[i] = values
        elif code != EMPTY_KEY:
            bad_field[i] = field


def gather_keys(buf: Any, starts: Any, ends: Any, /) -> bytes:
    """``b"\\n".join(buf[starts[i]:ends[i]])``, to decode every key in one call."""
    data = _bytes(buf)
    if len(starts) != len(ends):
        raise _out_of_range("the number of keys")
    if any(s < 0 or e > len(data) or s > e for s, e in zip(starts, ends, strict=True)):
        raise _out_of_range("a key's start or end")
    return b"\n".join(bytes(data[s:e]) for s, e in zip(starts, ends, strict=True))


def scan_binary_records(buf: Any, start: int, end: int, dim: int, max_records: int,
                        key_starts: Any, key_ends: Any, offsets: Any, /) -> tuple[int, int]:
    """Find up to ``max_records`` complete word2vec binary records (a word, a space, ``dim``
    float32) in ``buf[start:end]``, newlines before a word skipped; returns (records found,
    offset just past the last one)."""
    data = _bytes(buf)
    if (start < 0 or end > len(data) or start > end or dim < 1 or max_records < 0
            or max_records > min(len(key_starts), len(key_ends), len(offsets))):
        raise _out_of_range("start, end, dim or max_records")
    n, pos, width = 0, start, 4 * dim
    while n < max_records:
        p = pos
        while p < end and data[p] in b"\r\n":
            p += 1
        k = bytes(data[p:end]).find(b" ")
        k = end if k < 0 else p + k
        if k >= end or k + 1 + width > end:
            break
        key_starts[n], key_ends[n], offsets[n] = p, k, k + 1
        pos = k + 1 + width
        n += 1
    return n, pos


def copy_records(buf: Any, offsets: Any, width: int, out: Any, /) -> int:
    """Row ``i`` of ``out`` = ``buf[offsets[i]:offsets[i] + width]`` (float32); returns the first
    row holding a NaN or an infinity, or -1."""
    if width < 4 or width % 4:
        raise ValueError("width must be a positive multiple of 4 (float32)")
    data, target = _bytes(buf), _bytes(out)
    if len(target) // width < len(offsets):
        raise _out_of_range("out")
    if any(o < 0 or o + width > len(data) for o in offsets):
        raise _out_of_range("an offset")
    first_bad = -1
    for i, o in enumerate(offsets):
        row = bytes(data[o : o + width])
        target[i * width : (i + 1) * width] = row
        if first_bad < 0 and not np.isfinite(np.frombuffer(row, np.float32)).all():
            first_bad = i
    return first_bad
