"""word2vec's two formats, and fastText's ``.vec`` (which is word2vec text).

Text: a ``<count> <dim>`` header line, then one line per vector: the key, a space, ``dim``
numbers separated by spaces.

Binary (the C tool's ``-binary 1``, gensim's ``binary=True``): the same header line, then for
every vector the key's bytes, a space and ``dim`` little-endian float32, with or without a
newline after each record.
"""

from __future__ import annotations

import sys

import numpy as np

from .._io import PathLike, atomic_write
from .._progress import progress_bar
from .._threads import start_all
from ..errors import FormatError
from ..vectors import Vectors
from . import _chunks
from . import _parse_kernels as K
from ._chunks import (
    OnDuplicate,
    _read_into,
    decode_keys,
    finish,
    nonfinite_error,
    parse_header,
    show,
)
from ._source import COMPRESSED_MAX_DIM, MAX_LINE, Input, as_input, too_long
from ._text import check_key, read_text, write_text


def read_word2vec(path: PathLike | Input, **options: object) -> Vectors:
    """Read word2vec text (or a fastText ``.vec``); options as :func:`embedlab.formats.load`.

    Args:
        path: The file to read, or an already opened :class:`Input`.
        **options: ``limit``, ``encoding``, ``unicode_errors``, ``allow_nonfinite``,
            ``on_duplicate`` and ``progress``, as :func:`embedlab.formats.load` takes them.

    Returns:
        The vectors read.

    Raises:
        InvalidParameterError: An option is out of range.
        FormatError: The file does not follow the format.
    """
    return read_text(path, header=True, **options)  # type: ignore[arg-type]


def write_word2vec(vectors: Vectors, path: PathLike, precision: int | None = None) -> None:
    """Write word2vec text atomically (9 significant digits: the float32 values read back
    exactly; ``precision=n`` writes ``n`` digits after the point instead).

    Args:
        vectors: The vectors to write.
        path: The file to write.
        precision: Digits after the point; None writes 9 significant digits.

    Raises:
        InvalidParameterError: ``precision`` is negative, or a key cannot be written in this
            format (empty, holding a line break, or a space where the format forbids it).
    """
    write_text(vectors, path, header=True, precision=precision)


def read_word2vec_binary(
    path: PathLike | Input,
    limit: int | None = None,
    encoding: str = "utf-8",
    unicode_errors: str = "strict",
    allow_nonfinite: bool = False,
    on_duplicate: OnDuplicate = "error",
    progress: bool = True,
) -> Vectors:
    """Read word2vec binary. Errors name the record and its byte offset.

    Args:
        path: The file to read, or an already opened :class:`Input`.
        limit: How many vectors to keep, from the start; None keeps them all.
        encoding: The encoding of the keys.
        unicode_errors: What to do with undecodable keys, as ``bytes.decode``'s ``errors``.
        allow_nonfinite: Accept NaN and infinite values.
        on_duplicate: ``"error"``, ``"first"`` or ``"last"``.
        progress: Show a progress bar while reading a large file.

    Returns:
        The vectors read.

    Raises:
        InvalidParameterError: An option is out of range.
        FormatError: The file does not follow the format.
    """
    source = as_input(path)
    path = source.path
    with source.stream() as handle:
        header = handle.readline(MAX_LINE + 1)
        if len(header) > MAX_LINE:
            raise too_long(path, 1)
        if not header.strip():
            raise FormatError("the file is empty: expected a header '<count> <dimensions>'", path, 1)
        declared, dim = parse_header(header, path)
        rows = declared if limit is None else min(declared, limit)
        width = 4 * dim
        if source.size is None and dim > COMPRESSED_MAX_DIM:
            raise FormatError(
                f"the header claims {dim:,} dimensions; a compressed or piped file's size is "
                f"unknown, so embedlab refuses more than {COMPRESSED_MAX_DIM:,} (decompress it "
                "to a regular file to load it anyway)",
                path, 1,
            )
        # Allocate no more records than the file can hold (each is at least a byte of key, a
        # space and the floats), or than 64 MiB when its size is unknown; grow as they come.
        left = None if source.size is None else max(source.size - len(header), 0)
        allocated = min(rows, max(1, (1 << 26) // width) if left is None else left // (width + 2))
        matrix = np.empty((allocated, dim), dtype="<f4")
        buffer_size = max(_chunks.CHUNK, 8 * (width + 256))
        buf = np.empty(buffer_size if left is None else min(buffer_size, left + 1), np.uint8)
        view = memoryview(buf)  # type: ignore[arg-type]
        most = len(buf) // (width + 1) + 1  # records that fit in the buffer
        key_starts, key_ends, offsets = (np.empty(most, np.int64) for _ in range(3))
        keys: list[str] = []
        index: dict[str, int] = {}  # key -> row, built while the rows are copied
        places: list[np.ndarray] = []
        consumed, have, filled, eof = len(header), 0, 0, False
        first_bad = -1  # the first row holding NaN or an infinity
        hint = ""  # set once the first bytes are seen: text read as binary says so
        with progress_bar(rows, f"reading {source.name}", enabled=progress, unit="vectors") as bar:
            while filled < rows:
                if not eof:
                    got = _read_into(handle, view[have:])
                    eof = have + got < len(buf)
                    have += got
                    if consumed == len(header):
                        hint = _text_hint(buf[: min(have, 4096)].tobytes(), dim)
                n, pos = K.scan_binary_records(buf, 0, have, dim, min(rows - filled, most),
                                               key_starts, key_ends, offsets)
                if n == 0:
                    if eof:
                        break
                    raise FormatError(
                        f"record {filled + 1} at byte {consumed}: expected a word and a space "
                        f"within {len(buf) - width} bytes, found none (not word2vec binary?)",
                        path,
                    )
                if filled + n > len(matrix):
                    matrix.resize((min(rows, max(filled + n, len(matrix) * 3 // 2)), dim),
                                  refcheck=False)
                out_bytes = matrix.view(np.uint8).reshape(len(matrix), width)
                # Two halves at once (the copy is bound by first-touch page faults), while this
                # thread decodes the keys and indexes them.
                half = n // 2
                copied = start_all(K.copy_records, [
                    (buf, offsets[:half], width, out_bytes[filled : filled + half]),
                    (buf, offsets[half:n], width, out_bytes[filled + half : filled + n]),
                ])
                at = key_starts[:n] + consumed
                if (key_starts[:n] == key_ends[:n]).any():
                    copied()
                    row = int(np.argmax(key_starts[:n] == key_ends[:n]))
                    raise FormatError(
                        f"record {filled + row + 1} at byte {int(at[row])}: expected a word before "
                        "the vector, found an empty one (is the header's dimension right?)",
                        path,
                    )
                try:
                    new_keys = _decode(buf, key_starts[:n], key_ends[:n], encoding,
                                       unicode_errors, path, at, hint)
                finally:
                    bad = copied()  # the copy reads the buffer: never touch it before this
                index.update(zip(new_keys, range(filled, filled + n), strict=True))
                keys += new_keys
                if first_bad < 0 and max(bad) >= 0:
                    first_bad = filled + (bad[0] if bad[0] >= 0 else half + bad[1])
                places.append(at)
                filled += n
                bar.advance(n)
                buf[: have - pos] = buf[pos:have].copy()
                consumed += pos
                have -= pos
        if filled < rows:
            partial = buf[:have].tobytes().lstrip(b"\r\n")
            start = consumed + have - len(partial)
            found = (
                f"record {filled + 1} (at byte {start}) is cut short at byte {consumed + have}"
                if partial else f"the data ends after {filled} records, at byte {consumed + have}"
            )
            raise FormatError(
                f"the header promises {declared} vectors of {dim} float32 but {found} "
                f"(is the file truncated?){hint}",
                path,
            )
        if limit is None or limit > declared:
            tail = buf[:have].tobytes() + handle.read(64)
            extra = tail.strip()
            if extra:
                raise FormatError(
                    f"the header promises {declared} vectors but more data follows at byte "
                    f"{consumed + len(tail) - len(tail.lstrip())}: {show(extra, 30)} (a key "
                    "holding a space, or a wrong dimension in the header, puts every record "
                    f"after it out of step){hint}",
                    path,
                )
    if sys.byteorder == "big":
        matrix = matrix.astype(np.float32)
    where = np.concatenate(places) if places else np.zeros(0, np.int64)
    if not allow_nonfinite and first_bad >= 0:
        nonfinite_error(keys, path, where, first_bad, where="byte")
    return finish(keys, matrix, where, path, on_duplicate, where="byte", index=index)


def _text_hint(head: bytes, dim: int) -> str:
    """A hint for the errors of a word2vec text file read as binary: its first lines are
    printable and hold a key and ``dim`` numbers."""
    lines = head.split(b"\n")[:-1] or [head]
    printable = all(32 <= b < 127 or b >= 128 or b in b"\t\r" for b in b"".join(lines))
    if printable and any(len(line.split()) == dim + 1 for line in lines):
        return "; it looks like word2vec text: load it with format='word2vec'"
    return ""


def _decode(buf: np.ndarray, starts: np.ndarray, ends: np.ndarray, encoding: str, errors: str,
            path: PathLike, at: np.ndarray, hint: str = "") -> list[str]:
    blob = K.gather_keys(buf, starts, ends)
    if blob.count(b"\n") == len(starts) - 1:
        return decode_keys(blob, len(starts), encoding, errors, path, at, where="byte")
    # A key holds a line break: no tool writes such keys, so the records are out of step.
    i = next(i for i in range(len(starts))
             if b"\n" in K.gather_keys(buf, starts[i : i + 1], ends[i : i + 1]))
    key = K.gather_keys(buf, starts[i : i + 1], ends[i : i + 1])
    raise FormatError(
        f"record at byte {int(at[i])}: expected a word, found {show(key, 30)} with a line break "
        "in it: the records are out of step (a key holding a space, or a wrong dimension in "
        f"the header, shifts every record after it){hint}",
        path,
    )


def write_word2vec_binary(vectors: Vectors, path: PathLike, newline: bool = True) -> None:
    """Write word2vec binary atomically; ``newline`` ends each record with ``\\n`` as the C tool
    and gensim do.

    Args:
        vectors: The vectors to write.
        path: The file to write.
        newline: End each record with a newline.

    Raises:
        InvalidParameterError: A key cannot be written (empty, or holding a space or a line
            break).
    """
    for key in vectors.keys:
        check_key(key, allow_spaces=False)
    end = b"\n" if newline else b""
    with atomic_write(path) as out:
        out.write(f"{len(vectors)} {vectors.dim}\n".encode())
        step = 4096
        for begin in range(0, len(vectors), step):
            rows = np.ascontiguousarray(vectors.matrix[begin : begin + step], dtype="<f4")
            keys = vectors.keys[begin : begin + step]
            out.write(b"".join(
                key.encode("utf-8") + b" " + row.tobytes() + end
                for key, row in zip(keys, rows, strict=True)
            ))
