"""word2vec's C binary format: a ``<count> <dim>`` text header, then for every vector the key,
a space and ``dim`` little-endian float32 — with or without a newline after each record."""

from __future__ import annotations

import sys

import numpy as np
from numba import njit

from .._io import PathLike, atomic_write, open_binary
from ..errors import FormatError
from ..vectors import Vectors
from . import _kernels as K
from ._chunks import CHUNK, OnDuplicate, finish, parse_header, read_line
from .text import _check_key


@njit(cache=True)
def _copy_records(buf, offsets, width, out_bytes):  # type: ignore[no-untyped-def]
    for i in range(offsets.shape[0]):
        start = offsets[i]
        for j in range(width):
            out_bytes[i, j] = buf[start + j]


def read_binary(
    path: PathLike,
    limit: int | None = None,
    encoding: str = "utf-8",
    unicode_errors: str = "strict",
    allow_nonfinite: bool = False,
    on_duplicate: OnDuplicate = "error",
) -> Vectors:
    """Read a word2vec binary file (gensim's ``binary=True``)."""
    with open_binary(path) as handle:
        header = read_line(handle, path, "a header line")
        declared, dim = parse_header(header, path)
        rows = declared if limit is None else min(declared, limit)
        width = 4 * dim
        matrix = np.empty((rows, dim), dtype=np.float32)
        out_bytes = matrix.view(np.uint8).reshape(rows, width)
        keys: list[str] = []
        offsets_seen: list[int] = []
        consumed = len(header)  # byte offset in the (decompressed) stream
        rest = b""
        filled = 0
        eof = False
        while filled < rows:
            block = handle.read(max(CHUNK, 2 * (width + 1024)))
            eof = not block
            data_bytes = rest + block
            data = np.frombuffer(data_bytes, dtype=np.uint8)
            want = rows - filled
            key_starts = np.empty(want, np.int64)
            key_ends = np.empty(want, np.int64)
            offsets = np.empty(want, np.int64)
            n, pos = K.scan_binary_records(data, 0, dim, want, key_starts, key_ends, offsets)
            if n == 0 and eof:
                break
            _copy_records(data, offsets[:n], width, out_bytes[filled : filled + n])
            for i in range(n):
                raw = data_bytes[key_starts[i] : key_ends[i]]
                where = consumed + int(key_starts[i])
                if not raw:
                    raise FormatError(f"record {filled + i + 1} at byte {where} has an empty key", path)
                try:
                    keys.append(raw.decode(encoding, unicode_errors))
                except UnicodeDecodeError as exc:
                    raise FormatError(
                        f"record {filled + i + 1} at byte {where}: the key is not valid {encoding} "
                        f"({exc.reason}); pass unicode_errors='replace' or 'ignore' to load it anyway",
                        path,
                    ) from None
                offsets_seen.append(where)
            filled += n
            consumed += pos
            rest = data_bytes[pos:]
            if eof:
                break
    if filled < rows:
        raise FormatError(
            f"the header promises {declared} vectors of {dim} float32 but the data ends after "
            f"{filled} complete records, at byte {consumed + len(rest)} (is the file truncated?)",
            path,
        )
    if sys.byteorder == "big":
        matrix.byteswap(inplace=True)
    return finish(keys, matrix, offsets_seen, path, on_duplicate, allow_nonfinite, line_word="byte")


def write_binary(vectors: Vectors, path: PathLike, newline: bool = True) -> None:
    """Write word2vec binary, atomically; ``newline`` ends each record with ``\\n`` (as the C tool does)."""
    matrix = np.ascontiguousarray(vectors.matrix, dtype="<f4")
    end = b"\n" if newline else b""
    with atomic_write(path) as out:
        out.write(f"{len(vectors)} {vectors.dim}\n".encode())
        for row, key in enumerate(vectors.keys):
            _check_key(key, allow_spaces=False)
            out.write(key.encode("utf-8") + b" " + matrix[row].tobytes() + end)
