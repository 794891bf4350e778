"""The text reader behind word2vec text, fastText ``.vec`` and GloVe: one engine, two shapes.

A line is a key and then ``dim`` numbers separated by spaces or tabs. The vector is always the
last ``dim`` fields, so GloVe tokens that themselves contain spaces load correctly; in word2vec
files (whose keys cannot hold spaces) extra fields are reported as an error.

The file is read in blocks of whole lines into one reused buffer; the C kernels (``_parse_kernels.c``)
parse each block straight into a preallocated float32 matrix, several segments at once, so the
peak memory is the matrix plus a block.
"""

from __future__ import annotations

import numpy as np

from .._io import PathLike, atomic_write
from .._progress import progress_bar
from .._threads import run_all, workers
from ..errors import FormatError, InvalidParameterError
from ..vectors import Vectors
from . import _parse_kernels as K
from ._chunks import OnDuplicate, check_finite, decode_keys, finish, line_blocks, parse_header, show
from ._parse_reference import parse_number, parse_text_row
from ._source import COMPRESSED_MAX_DIM, MAX_LINE, Input, as_input, too_long

_BOM = b"\xef\xbb\xbf"


def trailing_numbers(line: bytes) -> int:
    """How many fields at the end of ``line`` are numbers, the key aside (GloVe's dimension)."""
    n = 0
    for field in reversed(line.split()[1:]):
        if parse_number(field)[1] != K.OK:
            break
        n += 1
    return n


class _Matrix:
    """A float32 matrix that grows in place (``realloc``), for files of unknown length."""

    def __init__(self, rows: int, dim: int) -> None:
        self.array = np.empty((rows, dim), dtype=np.float32)

    def reserve(self, rows: int) -> None:
        if rows > self.array.shape[0]:
            grown = max(rows, int(self.array.shape[0] * 1.5))
            self.array.resize((grown, self.array.shape[1]), refcheck=False)

    def take(self, rows: int) -> np.ndarray:
        # Shrinking gives the unused tail back without copying the rows.
        self.array.resize((rows, self.array.shape[1]), refcheck=False)
        return self.array


def read_text(
    path: PathLike | Input,
    header: bool,
    limit: int | None = None,
    encoding: str = "utf-8",
    unicode_errors: str = "strict",
    allow_nonfinite: bool = False,
    on_duplicate: OnDuplicate = "error",
    progress: bool = True,
) -> Vectors:
    """Read word2vec text (``header=True``) or GloVe text (``header=False``)."""
    source = as_input(path)
    path = source.path
    with source.stream() as handle:
        first = handle.readline(MAX_LINE + 1)
        if len(first) > MAX_LINE:
            raise too_long(path, 1)
        if first.startswith(_BOM):
            first = first[len(_BOM):]
        if not first.strip():
            raise FormatError(
                "the file is empty: expected "
                + ("a header '<count> <dimensions>'" if header else "a word and its vector"),
                path, 1,
            )
        size = source.size
        if header:
            declared: int | None
            declared, dim = parse_header(first, path)
            rows = declared if limit is None else min(declared, limit)
            rows = _check_claim(source, rows, dim, len(first))
            pending, first_line = b"", 2
        else:
            dim = trailing_numbers(first)
            if dim == 0:
                raise FormatError(
                    f"expected a word followed by numbers (GloVe text), found {show(first)}",
                    path, 1,
                )
            declared = None
            # Untouched rows cost no memory, so over-estimate from the first line.
            rows = (1 << 16) if size is None else int(size / len(first) * 1.25) + 1024
            rows = rows if limit is None else min(rows, limit)
            pending, first_line = first, 1
        if size is None:  # unknown size: start small and grow as the data arrives
            rows = min(rows, max(1, (1 << 24) // (4 * dim)))
        reader = _BlockParser(path, dim, header, declared, limit, encoding, unicode_errors)
        reader.matrix = _Matrix(rows, dim)
        with progress_bar(size, f"reading {source.name}", enabled=progress, unit="bytes") as bar:
            for block in line_blocks(handle, pending, max_line=MAX_LINE, path=path):
                done = reader.parse(block, first_line)
                bar.advance(len(block))
                if done:
                    break
        reader.check_count()
    matrix = reader.matrix.take(reader.filled)
    lines = np.concatenate(reader.lines) if reader.lines else np.zeros(0, np.int64)
    if not allow_nonfinite:
        check_finite(matrix, np.array(reader.slow_rows, np.int64), reader.keys, path, lines)
    return finish(reader.keys, matrix, lines, path, on_duplicate)


def _check_claim(source: Input, rows: int, dim: int, header_bytes: int) -> int:
    """How many rows to allocate for a header's claim, never more than the file can hold (each
    line takes at least a one-byte key and ``dim`` times a separator and a digit): a damaged
    header then fails with the count actually found instead of allocating terabytes."""
    if source.size is not None:
        return min(rows, max(source.size - header_bytes, 0) // (2 * dim + 1))
    if dim > COMPRESSED_MAX_DIM:
        raise FormatError(
            f"the header claims {dim:,} dimensions; a compressed or piped file's size is "
            f"unknown, so embedlab refuses more than {COMPRESSED_MAX_DIM:,} (decompress it to "
            "a regular file to load it anyway)",
            source.path, 1,
        )
    return rows


class _BlockParser:
    """Parses blocks of lines into the matrix, keeping keys, line numbers and counts."""

    matrix: _Matrix

    def __init__(self, path: PathLike, dim: int, header: bool, declared: int | None,
                 limit: int | None, encoding: str, unicode_errors: str) -> None:
        self.path, self.dim, self.header, self.declared = path, dim, header, declared
        self.limit = limit
        # More lines than the header promises is an error, unless a smaller limit stops us first.
        self.strict_count = declared is not None and (limit is None or limit > declared)
        self.encoding, self.unicode_errors = encoding, unicode_errors
        self.keys: list[str] = []
        self.lines: list[np.ndarray] = []
        self.filled = 0
        self.lines_seen = 0
        self.slow_rows: list[int] = []  # rows read by the second tier (may hold nan or inf)

    def parse(self, block: np.ndarray, first_line: int) -> bool:
        """Parse one block; True when no more rows are wanted."""
        segments = max(1, min(2 * workers(), len(block) >> 20))
        bounds = K.segment_bounds(block, len(block), segments)
        per_segment = run_all(K.count_newlines,
                              [(block, bounds[t], bounds[t + 1]) for t in range(segments)])
        count = int(sum(per_segment))
        if len(block) < 2 * self.dim - 1:
            # Shorter than a single row of ``dim`` numbers (a header claiming a huge dimension):
            # say which line falls short without allocating a row for it.
            return self._short_block(block, first_line)
        if count > 1 and count * 4 * self.dim > max(4 * len(block), 1 << 26):
            # Far more lines than rows this block could fill (blank lines, or a wrong
            # dimension): parse it in halves so the matrix never grows for lines that hold
            # no vector.
            cut = int(np.flatnonzero(block == 10)[count // 2 - 1]) + 1
            return self.parse(block[:cut], first_line) or self.parse(block[cut:], first_line)
        first_of_segment = np.cumsum([0, *per_segment[:-1]])
        self.matrix.reserve(self.filled + count)
        starts = np.empty(count, np.int64)
        ends = np.empty(count, np.int64)
        key_ends = np.empty(count, np.int64)
        status = np.empty(count, np.int8)
        run_all(K.parse_text_segment, [
            (block, bounds[t], bounds[t + 1], first_of_segment[t], self.dim, self.matrix.array,
             self.filled, starts, ends, key_ends, status)
            for t in range(segments)
        ])
        numbers = np.arange(count, dtype=np.int64) + (first_line + self.lines_seen)
        self.lines_seen += count
        rows = np.flatnonzero(status != K.BLANK)
        done = False
        wanted = self._wanted()
        if len(rows) > wanted:
            if self.strict_count:
                raise FormatError(
                    f"the header promises {self.declared} vectors but there are more lines",
                    self.path, int(numbers[rows[wanted]]),
                )
            rows, done = rows[:wanted], True
        if len(rows) < count:  # blank lines (or rows past the limit): close the gaps
            target = self.matrix.array
            target[self.filled : self.filled + len(rows)] = target[self.filled + rows]
        starts, ends, key_ends = starts[rows], ends[rows], key_ends[rows]
        status, numbers = status[rows], numbers[rows]
        for i in np.flatnonzero(status != K.OK):
            self._slow_line(block, int(i), starts, ends, key_ends, int(numbers[i]))
            self.slow_rows.append(self.filled + int(i))
        blob = K.gather_keys(block, starts, key_ends)
        self.keys += decode_keys(blob, len(rows), self.encoding, self.unicode_errors, self.path,
                                 numbers)
        self.lines.append(numbers)
        self.filled += len(rows)
        return done or self._wanted() == 0

    def _short_block(self, block: np.ndarray, first_line: int) -> bool:
        lines = block.tobytes().split(b"\n")[:-1]
        for i, line in enumerate(lines):
            if line.strip(b" \t\r"):
                raise FormatError(
                    f"expected {self.dim} values after the word, found {len(line.split()) - 1} "
                    "(is the file truncated, or the header's dimension wrong?)",
                    self.path, first_line + self.lines_seen + i,
                )
        self.lines_seen += len(lines)
        return False

    def _wanted(self) -> int:
        caps = [c for c in (self.limit, self.declared) if c is not None]
        return (min(caps) - self.filled) if caps else 1 << 62

    def _slow_line(self, block: np.ndarray, i: int, starts: np.ndarray, ends: np.ndarray,
                   key_ends: np.ndarray, line: int) -> None:
        """A line the fast tier declined: parse it from the end or raise a precise error."""
        dim, path = self.dim, self.path
        start, end = int(starts[i]), int(ends[i])
        while block[start] in (32, 9):  # keys never start with spaces
            start += 1
        starts[i] = start
        text = block[start:end].tobytes()
        out = np.zeros((1, dim), np.float32)
        key_end, status, bad_field = np.zeros(1, np.int64), np.zeros(1, np.int8), np.zeros(1, np.int64)
        K.parse_text_rows(block, starts[i : i + 1], ends[i : i + 1], dim, out, key_end, status,
                          bad_field)
        code, field, cut = int(status[0]), int(bad_field[0]), int(key_end[0]) - start
        if code == K.HARD:
            values, cut, code, field = parse_text_row(text, dim)
            out[0] = values
        fields = text.split()
        if code in (K.TOO_FEW, K.EMPTY_KEY):  # an empty key means a value is missing
            raise FormatError(
                f"expected {dim} values after the word, found {max(len(fields) - 1, 0)} "
                "(is the file truncated?)",
                path, line,
            )
        if code != K.OK:
            raise FormatError(
                f"expected a number as value {field + 1}, found {show(fields[-dim:][field], 40)}",
                path, line,
            )
        key = text[:cut]
        if self.header and (b" " in key or b"\t" in key):
            raise FormatError(
                f"expected {dim} values after the word, found {len(fields) - 1}", path, line
            )
        if not self.header and (b" " in key or b"\t" in key):
            tail = key.split()[-1]
            if parse_number(tail)[1] == K.OK:
                raise FormatError(
                    f"expected {dim} values after the word (as on line 1), found more "
                    f"(a key cannot end in a number)",
                    path, line,
                )
        key_ends[i] = start + cut
        self.matrix.array[self.filled + i] = out[0]

    def check_count(self) -> None:
        if self.header and self.declared is not None and self.filled < self._cap():
            raise FormatError(
                f"the header promises {self.declared} vectors but the file holds only "
                f"{self.filled} (is the file truncated?)",
                self.path, self.lines_seen + 2,
            )

    def _cap(self) -> int:
        caps = [c for c in (self.limit, self.declared) if c is not None]
        return min(caps)


def write_text(
    vectors: Vectors, path: PathLike, header: bool = True, precision: int | None = None
) -> None:
    """Write word2vec text (``header=True``) or GloVe text, atomically.

    Numbers get 9 significant digits by default, enough to read back the same float32;
    ``precision=n`` writes ``n`` digits after the point instead (GloVe's files use 5 or 6).
    """
    if precision is not None and (not isinstance(precision, int) or precision < 0):
        raise InvalidParameterError(
            f"The 'precision' parameter of save must be None or an int >= 0. Got {precision!r} instead."
        )
    for key in vectors.keys:
        check_key(key, allow_spaces=not header)
    fmt = "%.9g" if precision is None else f"%.{precision}f"
    matrix = vectors.matrix
    with atomic_write(path, "w") as out:
        if header:
            out.write(f"{len(vectors)} {vectors.dim}\n")
        step = 4096
        row_format = "%s " + " ".join([fmt] * vectors.dim) + "\n"
        for begin in range(0, len(vectors), step):
            block = np.asarray(matrix[begin : begin + step], dtype=np.float32).tolist()
            out.write("".join(
                row_format % (key, *values)
                for key, values in zip(vectors.keys[begin : begin + step], block, strict=True)
            ))


def check_key(key: str, allow_spaces: bool) -> None:
    """Refuse keys that would not read back as themselves."""
    spaced = " " in key or "\t" in key
    if (
        not key or "\n" in key or "\r" in key or key != key.strip(" \t")
        or (spaced and not allow_spaces)
        or (spaced and parse_number(key.split()[-1].encode())[1] == K.OK)
    ):
        raise InvalidParameterError(
            f"the key {key!r} cannot be written in this format (empty, a line break, spaces at "
            f"{'the edges, or a last word that is a number' if allow_spaces else 'all'}); "
            "rename it or use format='native'"
        )
