"""word2vec text (``<count> <dim>`` header; fastText's ``.vec``) and GloVe text (no header).

A line is a key and then ``dim`` numbers separated by spaces or tabs. The vector is always
the last ``dim`` fields, so GloVe tokens that themselves contain spaces load correctly; in
word2vec files (whose keys cannot hold spaces) extra fields are reported as an error.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

import numpy as np

from .._io import PathLike, atomic_write, open_binary
from ..errors import FormatError, InvalidParameterError
from ..vectors import Vectors
from . import _kernels as K
from ._chunks import OnDuplicate, chunks, decode_key, finish, parse_header, read_line
from ._reference import parse_number, parse_text_row


def _trailing_numbers(line: bytes) -> int:
    """How many fields at the end of ``line`` are numbers (GloVe's dimension)."""
    fields = line.split()
    n = 0
    for field in reversed(fields[1:]):
        if parse_number(field)[1] != K.OK:
            break
        n += 1
    return n


def _count_lines(path: PathLike) -> int:
    count, last = 0, b"\n"
    with open_binary(path) as handle:
        while block := handle.read(1 << 24):
            count += block.count(b"\n")
            last = block[-1:]
    return count + (last != b"\n")


def read_text(
    path: PathLike,
    header: bool,
    limit: int | None = None,
    encoding: str = "utf-8",
    unicode_errors: str = "strict",
    allow_nonfinite: bool = False,
    on_duplicate: OnDuplicate = "error",
) -> Vectors:
    """Read word2vec text (``header=True``) or GloVe text (``header=False``)."""
    with open_binary(path) as handle:
        first = read_line(handle, path, "a header line" if header else "a word and its vector")
        if header:
            declared, dim = parse_header(first, path)
            rows = declared if limit is None else min(declared, limit)
            pending, line_no = b"", 1
        else:
            dim = _trailing_numbers(first)
            if dim == 0:
                raise FormatError(
                    "expected a word followed by numbers (GloVe text), found "
                    f"{first[:60].decode('latin-1').strip()!r}",
                    path, 1,
                )
            declared = -1
            total = _count_lines(path)
            rows = total if limit is None else min(total, limit)
            pending, line_no = first, 0
        matrix = np.empty((rows, dim), dtype=np.float32)
        keys: list[str] = []
        lines: list[int] = []
        filled = _fill(handle, pending, path, dim, header, matrix, keys, lines, line_no,
                       encoding, unicode_errors, rows, header and rows == declared)
    if header and filled < rows:
        raise FormatError(
            f"the header promises {declared} vectors but the file holds only {filled} "
            "(is the file truncated?)",
            path, line_no + filled + 1,
        )
    matrix = matrix[:filled]
    return finish(keys, matrix, lines, path, on_duplicate, allow_nonfinite)


def _fill(
    handle: IO[bytes], pending: bytes, path: PathLike, dim: int, header: bool,
    matrix: np.ndarray, keys: list[str], lines: list[int], line_no: int,
    encoding: str, unicode_errors: str, rows: int, strict_count: bool,
) -> int:
    """Parse the body into ``matrix``; returns the number of rows filled."""
    filled = 0
    for block in chunks(handle, pending):
        data = np.frombuffer(block, dtype=np.uint8)
        newlines = np.flatnonzero(data == 10)
        ends = np.append(newlines, len(data)) if not block.endswith(b"\n") else newlines
        starts = np.empty_like(ends)
        starts[0] = 0
        starts[1:] = ends[:-1] + 1
        numbers = np.arange(line_no + 1, line_no + 1 + len(ends))
        line_no += len(ends)
        keep = ~_blank_lines(data, starts, ends)
        starts, ends, numbers = starts[keep], ends[keep], numbers[keep]
        if not len(starts):
            continue
        if filled >= rows:
            if strict_count:
                raise FormatError(
                    f"the header promises {rows} vectors but there are more lines", path, int(numbers[0])
                )
            break
        take = min(len(starts), rows - filled)
        out = matrix[filled : filled + take]
        key_ends = np.empty(take, dtype=np.int64)
        status = np.empty(take, dtype=np.int8)
        bad_field = np.zeros(take, dtype=np.int64)
        K.parse_text_rows(data, starts[:take], ends[:take], dim, out, key_ends, status, bad_field)
        for bad in np.flatnonzero(status != K.OK):
            i = int(bad)
            _resolve(block, int(starts[i]), int(ends[i]), dim, out, i, key_ends,
                     int(status[i]), int(bad_field[i]), path, int(numbers[i]))
        for i in range(take):
            raw = block[starts[i] : key_ends[i]]
            if header and (b" " in raw or b"\t" in raw):
                raise FormatError(
                    f"expected {dim} values after the word, found more "
                    f"({len(block[starts[i]:ends[i]].split()) - 1})",
                    path, int(numbers[i]),
                )
            if not header and b" " in raw.strip():
                tail = raw.split()[-1]
                if parse_number(tail)[1] == K.OK:
                    raise FormatError(
                        f"expected {dim} values after the word (as on line 1), found more",
                        path, int(numbers[i]),
                    )
            keys.append(decode_key(raw.strip(b" \t"), encoding, unicode_errors, path, int(numbers[i])))
        lines.extend(numbers[:take].tolist())
        filled += take
        if take < len(starts):
            if strict_count:
                raise FormatError(
                    f"the header promises {rows} vectors but there are more lines",
                    path, int(numbers[take]),
                )
            break
    return filled


def _blank_lines(data: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Lines holding only whitespace (cheap check: the first byte tells for nearly all)."""
    first = data[np.minimum(starts, len(data) - 1)]
    maybe = (ends == starts) | (first == 32) | (first == 9) | (first == 13)
    blank = ends == starts
    for i in np.flatnonzero(maybe & ~blank):
        blank[i] = not bytes(data[starts[i] : ends[i]]).strip()
    return blank


def _resolve(
    block: bytes, start: int, end: int, dim: int, out: np.ndarray, i: int, key_ends: np.ndarray,
    status: int, bad_field: int, path: PathLike, line: int,
) -> None:
    """Finish a line the kernel declined: re-parse it in Python or raise a precise error."""
    if status == K.HARD:
        values, key_end, status, bad_field = parse_text_row(block[start:end], dim)
        if status == K.OK:
            out[i] = values
            key_ends[i] = start + key_end
            return
    text = block[start:end].rstrip(b"\r")
    if status in (K.TOO_FEW, K.EMPTY_KEY):  # an empty key means a value is missing
        found = max(len(text.split()) - 1, 0)
        raise FormatError(
            f"expected {dim} values after the word, found {found} (is the file truncated?)",
            path, line,
        )
    field = text.split()[-dim:][bad_field] if len(text.split()) >= dim else b"?"
    raise FormatError(
        f"value {bad_field + 1} is not a number: {field[:40].decode('latin-1')!r}", path, line
    )


def write_text(
    vectors: Vectors, path: PathLike, header: bool = True, precision: int | None = None
) -> None:
    """Write word2vec text (``header=True``) or GloVe text, atomically.

    Numbers get 9 significant digits by default, enough to read back the same float32;
    ``precision=n`` writes ``n`` digits after the point instead (GloVe's files use 5 or 6).
    """
    fmt = "%.9g" if precision is None else f"%.{int(precision)}f"
    matrix = np.asarray(vectors.matrix, dtype=np.float32)
    with atomic_write(path, "w") as out:
        if header:
            out.write(f"{len(vectors)} {vectors.dim}\n")
        for row, key in enumerate(vectors.keys):
            _check_key(key, allow_spaces=not header)
            out.write(key + " " + " ".join(fmt % v for v in matrix[row].tolist()) + "\n")


def _check_key(key: str, allow_spaces: bool) -> None:
    if not key or "\n" in key or "\r" in key or (not allow_spaces and (" " in key or "\t" in key)):
        raise InvalidParameterError(
            f"the key {key!r} cannot be written in this format (it is empty or holds "
            f"{'a line break' if allow_spaces else 'whitespace'}); rename it or use format='native'"
        )


def is_text_file(path: Path) -> bool:
    """True when the head of the file decodes as text (used by format sniffing)."""
    with open_binary(path) as handle:
        head = handle.read(4096)
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start > len(head) - 4  # a character cut at the end of the sample
    return True
