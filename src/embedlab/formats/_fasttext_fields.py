"""Buffered reads of the fields of a fastText ``.bin`` file: ints, floats, words and matrices.

Every read names what it expected, and an error names the byte offset where the file stopped
making sense; for a plain (uncompressed) file the size bounds every count the file claims, so
a damaged header cannot make the reader allocate gigabytes.
"""

from __future__ import annotations

import struct
from typing import IO, Any

import numpy as np

from .._io import PathLike
from ..errors import FormatError

BLOCK = 1 << 20  # bytes read at a time
MAX_WORD_BYTES = 1 << 16  # a longer "word" means the file is not what it claims

# The layout's constants: the header's magic and version, the arguments in file order, and the
# codes fastText stores for the loss and the model.
MAGIC = 793712314
VERSION = 12
ARG_NAMES = ("dim", "ws", "epoch", "min_count", "neg", "word_ngrams", "loss", "model",
             "bucket", "minn", "maxn", "lr_update_rate")
LOSS_HS, LOSS_NS, LOSS_SOFTMAX, LOSS_OVA = 1, 2, 3, 4
MODEL_CBOW, MODEL_SKIPGRAM, MODEL_SUPERVISED = 1, 2, 3


class FieldReader:
    """Buffered reads of fastText's fields; every error names the byte offset."""

    def __init__(self, handle: IO[bytes], path: PathLike, size: int | None = None) -> None:
        self.handle, self.path = handle, path
        self.buf = b""
        self.pos = 0
        self.base = 0  # file offset of buf[0]
        # The total size when the file is plain (not compressed, not a pipe): it bounds every
        # count the file claims.
        self.size = size

    @property
    def offset(self) -> int:
        return self.base + self.pos

    def fail(self, message: str, at: int | None = None) -> FormatError:
        return FormatError(f"byte {self.offset if at is None else at}: {message}", self.path)

    def _fill(self, need: int) -> bool:
        """Make ``need`` bytes available from ``pos``; False at the end of the file.

        Reads at most 64 MiB at a time, so a damaged count in a compressed file costs memory
        only as far as data really arrives."""
        have = len(self.buf) - self.pos
        if have >= need:
            return True
        parts = [self.buf[self.pos :]]
        while have < need:
            chunk = self.handle.read(min(max(need - have, BLOCK), 1 << 26))
            if not chunk:
                break
            parts.append(chunk)
            have += len(chunk)
        self.base += self.pos
        self.buf = b"".join(parts)
        self.pos = 0
        return have >= need

    def take(self, size: int, what: str) -> bytes:
        left = None if self.size is None else self.size - self.offset
        if (left is not None and size > left) or not self._fill(size):
            have = len(self.buf) - self.pos if left is None else left
            raise self.fail(
                f"expected {size} bytes of {what}, found only {have} before the end of the file "
                "(is it truncated?)"
            )
        data = self.buf[self.pos : self.pos + size]
        self.pos += size
        return data

    def unpack(self, fmt: str, what: str) -> tuple[Any, ...]:
        return struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt), what))

    def entries(self, size: int) -> tuple[list[bytes], list[int], list[int]]:
        """``size`` dictionary entries (word, NUL, int64 count, int8 type), parsed straight
        from the buffer: this loop runs once per word of the vocabulary."""
        raws: list[bytes] = []
        counts: list[int] = []
        kinds: list[int] = []
        count_and_kind = struct.Struct("<qb").unpack_from
        buf, pos = self.buf, self.pos
        while len(raws) < size:
            end = buf.find(b"\x00", pos)
            if end < 0 or end + 10 > len(buf):  # the entry runs past the buffer: read more
                self.pos = pos
                if len(buf) - pos > MAX_WORD_BYTES:
                    raise self.fail(f"expected a dictionary word ending in a NUL byte, found none in {len(buf) - pos} bytes")
                if not self._fill(len(buf) - pos + 1):
                    raise self.fail("expected a dictionary entry, found the end of the file (is it truncated?)")
                buf, pos = self.buf, self.pos
                continue
            raws.append(buf[pos:end])
            count, kind = count_and_kind(buf, end + 1)
            counts.append(count)
            kinds.append(kind)
            pos = end + 10
        self.pos = pos
        return raws, counts, kinds

    def floats(self, count: int, what: str) -> np.ndarray:
        """``count`` little-endian float32 values, read straight into a new array."""
        nbytes = 4 * count
        left = None if self.size is None else self.size - self.offset
        if left is not None and nbytes > left:
            raise self.fail(
                f"expected {nbytes} bytes of {what}, found only {left} before the end of the file "
                "(is it truncated?)"
            )
        try:  # a compressed stream has no known size: pages are only touched as data arrives
            out = np.empty(count, dtype="<f4")
        except MemoryError:
            raise self.fail(f"expected {what} of a size this machine can hold, found a claim of {nbytes} bytes") from None
        view = out.view(np.uint8).data
        have = min(len(self.buf) - self.pos, nbytes)
        view[:have] = self.buf[self.pos : self.pos + have]
        self.pos += have
        filled = have
        while filled < nbytes:
            got = self.handle.readinto(view[filled:])  # type: ignore[attr-defined]
            if not got:
                raise self.fail(
                    f"expected {nbytes} bytes of {what}, found only {filled} before the end of "
                    "the file (is it truncated?)",
                    at=self.offset + filled - have,
                )
            filled += got
        self.base += filled - have
        return out.astype(np.float32, copy=False)

    def at_end(self) -> bool:
        return not self._fill(1)
