"""Shared plumbing of the readers: options, headers, blocks of whole lines, keys, policies."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import IO, Literal, NoReturn

import numpy as np

from ..errors import FormatError, InvalidParameterError
from ..vectors import Vectors

OnDuplicate = Literal["error", "first", "last"]
CHUNK = 1 << 24  # 16 MiB: big enough to amortise Python overhead, small enough for RSS
UNICODE_ERRORS = ("strict", "replace", "ignore", "backslashreplace", "surrogateescape")


def check_options(limit: int | None, on_duplicate: str, unicode_errors: str, encoding: str) -> None:
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
        raise InvalidParameterError(
            f"The 'limit' parameter of load must be None or an int >= 0. Got {limit!r} instead."
        )
    if on_duplicate not in ("error", "first", "last"):
        raise InvalidParameterError(
            "The 'on_duplicate' parameter of load must be 'error', 'first' or 'last'. "
            f"Got {on_duplicate!r} instead."
        )
    if unicode_errors not in UNICODE_ERRORS:
        raise InvalidParameterError(
            f"The 'unicode_errors' parameter of load must be one of {', '.join(UNICODE_ERRORS)}. "
            f"Got {unicode_errors!r} instead."
        )
    import codecs

    try:
        codecs.lookup(encoding)
    except (LookupError, TypeError):
        raise InvalidParameterError(
            f"The 'encoding' parameter of load must name a Python codec. Got {encoding!r} instead."
        ) from None


def show(raw: bytes, width: int = 60) -> str:
    """A short printable rendering of bytes found in a file, for error messages."""
    text = raw[:width].decode("utf-8", "backslashreplace").strip()
    text = text.replace("'", "\\'").replace("\n", "\\n").replace("\r", "\\r")
    return "'" + text.replace("\x00", "\\x00") + "'"


def parse_header(line: bytes, path: object) -> tuple[int, int]:
    """The word2vec header ``"<count> <dim>"``."""
    parts = line.split()
    try:
        count, dim = (int(p) for p in parts)
    except ValueError:
        raise FormatError(
            f"expected a header '<count> <dimensions>', found {show(line)}", path, 1
        ) from None
    if count >= 1 << 62 or dim >= 1 << 31:
        raise FormatError(
            f"expected a header '<count> <dimensions>', found impossible sizes {count} and {dim}",
            path, 1,
        )
    if count < 0 or dim < 1:
        raise FormatError(
            f"expected a header with a count >= 0 and dimensions >= 1, found {count} and {dim}",
            path, 1,
        )
    return count, dim


def _read_into(handle: IO[bytes], view: memoryview) -> int:
    """Fill ``view`` as far as the stream allows; returns the bytes read (short only at EOF)."""
    total = 0
    while total < len(view):
        got = handle.readinto(view[total:])  # type: ignore[attr-defined]
        if not got:
            break
        total += got
    return total


def _last_newline(buf: np.ndarray, end: int) -> int:
    window = 1 << 16
    while True:
        start = max(0, end - window)
        hits = np.flatnonzero(buf[start:end] == 10)
        if len(hits):
            return start + int(hits[-1])
        if start == 0:
            return -1
        window *= 4


def line_blocks(handle: IO[bytes], first: bytes = b"", size: int | None = None,
                max_line: int | None = None, path: object = None) -> Iterator[np.ndarray]:
    """Blocks of whole lines as uint8 arrays, each ending with a newline (one is added at the
    end of a file that lacks it). A block is only valid until the next one is asked for: the
    same buffer is reused, so reading a file never needs more than a block of extra memory.
    A line longer than ``max_line`` bytes raises a FormatError (``/dev/zero`` has none)."""
    buf = np.empty(max(size or CHUNK, 2 * len(first) + 1), np.uint8)
    have = len(first)
    buf[:have] = np.frombuffer(first, np.uint8)
    eof = False
    while True:
        if not eof:
            got = _read_into(handle, memoryview(buf)[have:])  # type: ignore[arg-type]
            eof = have + got < len(buf)
            have += got
        if have == 0:
            return
        if eof:
            if buf[have - 1] != 10:
                if have == len(buf):
                    buf = np.concatenate([buf, np.zeros(1, np.uint8)])
                buf[have] = 10
                have += 1
            cut = have
        else:
            cut = _last_newline(buf, have) + 1
            if cut == 0:  # a line longer than the buffer: make room and read on
                if max_line is not None and have > max_line:
                    raise FormatError(
                        f"a line runs on for more than {max_line >> 20} MiB without a line break "
                        "(embedlab refuses longer lines): not a text vector file?",
                        path,
                    )
                buf = np.concatenate([buf, np.empty(len(buf), np.uint8)])
                continue
        yield buf[:cut]
        rest = have - cut
        buf[:rest] = buf[cut:have].copy()
        have = rest
        if eof and not have:
            return


def decode_keys(
    raw: bytes, count: int, encoding: str, errors: str, path: object, lines: Sequence[int] | np.ndarray,
    where: str = "line",
) -> list[str]:
    """Decode ``count`` keys joined by newlines in one call; name the line of a bad one."""
    if count == 0:
        return []
    try:
        text = raw.decode(encoding, errors)
    except UnicodeDecodeError as exc:
        error = exc
    else:
        keys = text.split("\n")
        if len(keys) != count:  # an encoding where a newline byte is not a newline (UTF-16 ...)
            keys = [key.decode(encoding, errors) for key in raw.split(b"\n")]
        return keys
    row = raw.count(b"\n", 0, error.start)
    start = raw.rfind(b"\n", 0, error.start) + 1
    key = raw.split(b"\n")[row]
    raise_at(
        f"the key {show(key)} is not valid {encoding} ({error.reason} at byte "
        f"{error.start - start} of the key); pass unicode_errors='replace' or 'ignore' to "
        "load it anyway",
        path, lines, row, where,
    )


def check_finite(matrix: np.ndarray, rows: np.ndarray, keys: Sequence[str], path: object,
                 lines: Sequence[int] | np.ndarray) -> None:
    """Raise on the first of ``rows`` whose vector holds NaN or an infinity. The text reader's
    fast tier cannot produce them, so it hands on just the rows its second tier read."""
    bad = ~np.isfinite(matrix[rows]).all(axis=1)
    if bad.any():
        nonfinite_error(keys, path, lines, int(rows[int(np.argmax(bad))]))


def nonfinite_error(keys: Sequence[str], path: object, lines: Sequence[int] | np.ndarray, row: int,
                    where: str = "line") -> NoReturn:
    """Raise the error for row ``row``, whose vector holds NaN or an infinity."""
    raise_at(
        f"the vector of {keys[row]!r} holds NaN or infinite values (expected finite numbers); "
        "pass allow_nonfinite=True to load it anyway",
        path, lines, row, where,
    )


def raise_at(message: str, path: object, lines: Sequence[int] | np.ndarray, row: int,
             where: str) -> NoReturn:
    """A FormatError about row ``row``: at its line (text), or its record and byte (binary)."""
    if where == "line":
        raise FormatError(message, path, int(lines[row]))
    raise FormatError(f"record {row + 1} at byte {int(lines[row])}: {message}", path)


def finish(
    keys: list[str],
    matrix: np.ndarray,
    lines: Sequence[int] | np.ndarray,
    path: object,
    on_duplicate: OnDuplicate,
    counts: np.ndarray | None = None,
    where: str = "line",
    index: dict[str, int] | None = None,
) -> Vectors:
    """Apply the duplicate policy, naming the offending line (or record), and build ``Vectors``.

    ``"first"`` keeps the first vector of a key, ``"last"`` the last one; either way the key
    stays at the position where it first appeared. ``index`` is ``{key: row}`` when the reader
    built it already (a duplicate shows as fewer entries than keys; which row it maps to does
    not matter, it is rebuilt then).
    """
    if index is None:
        index = dict(zip(keys, range(len(keys)), strict=True))
    if len(index) != len(keys):
        first: dict[str, int] = {}
        last: dict[str, int] = {}
        for row, key in enumerate(keys):
            seen = first.setdefault(key, row)
            if seen == row:
                continue
            if on_duplicate == "error":
                raise_at(
                    f"duplicate key {key!r} (first at {where} {int(lines[seen])}); pass "
                    "on_duplicate='first' or 'last' to keep one of them",
                    path, lines, row, where,
                )
            last[key] = row
        keep = list(first.values())
        take = keep if on_duplicate == "first" else [last.get(keys[r], r) for r in keep]
        keys = [keys[r] for r in keep]
        matrix = matrix[take]
        counts = None if counts is None else counts[take]
        index = dict(zip(keys, range(len(keys)), strict=True))
    # Keys are decoded strings, unique, and the values were checked (or allowed) above.
    counts = None if counts is None else np.asarray(counts, dtype=np.int64)
    return Vectors._trusted(keys, matrix, counts, index=index)
