"""Shared plumbing of the readers: chunked reading, key decoding, duplicate and NaN policies."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Literal

import numpy as np

from ..errors import FormatError, InvalidParameterError
from ..vectors import Vectors

OnDuplicate = Literal["error", "first", "last"]
CHUNK = 1 << 24  # 16 MiB: big enough to amortise Python overhead, small enough for RSS


def check_options(limit: int | None, on_duplicate: str, unicode_errors: str) -> None:
    if limit is not None and (not isinstance(limit, int) or limit < 0):
        raise InvalidParameterError(f"The 'limit' parameter of load must be None or an int >= 0. Got {limit!r} instead.")
    if on_duplicate not in ("error", "first", "last"):
        raise InvalidParameterError(
            f"The 'on_duplicate' parameter of load must be 'error', 'first' or 'last'. Got {on_duplicate!r} instead."
        )
    if unicode_errors not in ("strict", "replace", "ignore", "backslashreplace", "surrogateescape"):
        raise InvalidParameterError(
            "The 'unicode_errors' parameter of load must be 'strict', 'replace', 'ignore', "
            f"'backslashreplace' or 'surrogateescape'. Got {unicode_errors!r} instead."
        )


def read_line(handle: IO[bytes], path: object, what: str) -> bytes:
    line = handle.readline()
    if not line:
        raise FormatError(f"the file is empty: expected {what}", path, 1)
    return line


def parse_header(line: bytes, path: object) -> tuple[int, int]:
    """The word2vec header ``"<count> <dim>"``."""
    parts = line.split()
    try:
        count, dim = (int(p) for p in parts)
    except ValueError:
        raise FormatError(
            f"expected a header '<count> <dimensions>', found {line[:60].decode('latin-1').strip()!r}",
            path, 1,
        ) from None
    if count < 0 or dim < 1:
        raise FormatError(f"the header gives {count} vectors of {dim} dimensions", path, 1)
    return count, dim


def chunks(handle: IO[bytes], first: bytes = b"") -> Iterator[bytes]:
    """Blocks of whole lines (the last one may lack its newline)."""
    rest = first
    while True:
        block = handle.read(CHUNK)
        if not block:
            if rest:
                yield rest
            return
        data = rest + block
        cut = data.rfind(b"\n")
        if cut < 0:
            rest = data
            continue
        yield data[: cut + 1]
        rest = data[cut + 1 :]


def decode_key(raw: bytes, encoding: str, errors: str, path: object, line: int) -> str:
    try:
        return raw.decode(encoding, errors)
    except UnicodeDecodeError as exc:
        raise FormatError(
            f"the key is not valid {encoding} ({exc.reason} at byte {exc.start} of the key); "
            "pass unicode_errors='replace' or 'ignore' to load it anyway",
            path, line,
        ) from None


def finish(
    keys: list[str],
    matrix: np.ndarray,
    lines: list[int],
    path: object,
    on_duplicate: OnDuplicate,
    allow_nonfinite: bool,
    counts: np.ndarray | None = None,
    line_word: str = "line",
) -> Vectors:
    """Apply the duplicate and NaN policies, naming the offending line, then build ``Vectors``."""
    if not allow_nonfinite:
        bad = ~np.isfinite(matrix).all(axis=1)
        if bad.any():
            row = int(np.argmax(bad))
            raise FormatError(
                f"the vector of {keys[row]!r} holds NaN or infinite values; pass "
                "allow_nonfinite=True to load it anyway",
                path, lines[row],
            ) if line_word == "line" else FormatError(
                f"the vector of {keys[row]!r} (record {row + 1}, at byte {lines[row]}) holds NaN or "
                "infinite values; pass allow_nonfinite=True to load it anyway",
                path,
            )
    index = dict(zip(keys, range(len(keys)), strict=True))
    if len(index) != len(keys):
        seen: dict[str, int] = {}
        keep: list[int] = []
        for row, key in enumerate(keys):
            if key in seen:
                if on_duplicate == "error":
                    where = f"line {lines[seen[key]]}" if line_word == "line" else f"record {seen[key] + 1}"
                    message = (
                        f"duplicate key {key!r} (first at {where}); pass on_duplicate='first' or "
                        "'last' to keep one of them"
                    )
                    if line_word == "line":
                        raise FormatError(message, path, lines[row])
                    raise FormatError(f"record {row + 1}: {message}", path)
                if on_duplicate == "last":
                    keep[keep.index(seen[key])] = row
                    seen[key] = row
            else:
                seen[key] = row
                keep.append(row)
        keys = [keys[r] for r in keep]
        matrix = matrix[keep]
        counts = None if counts is None else counts[keep]
    return Vectors(keys, matrix, counts=counts, allow_nonfinite=True)
