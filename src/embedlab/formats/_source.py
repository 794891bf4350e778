"""A vector file opened once: its first bytes for sniffing, then a stream from the start.

Why one object rather than opening the path twice (once to sniff, once to read):

* a FIFO or a character device can be read only once (reopening a FIFO blocks for ever,
  since the sniffer already took its data), so its first bytes are kept and replayed;
* a regular uncompressed file's size bounds every count its header claims, so a damaged
  header cannot make a reader allocate terabytes; compressed and non-regular inputs have no
  known size, and the readers grow their buffers as data arrives instead;
* a corrupt or cut gzip/bz2/xz stream raises one :class:`FormatError` naming the compression
  and how many uncompressed bytes came out before it, never ``zlib.error``/``LZMAError``.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import stat
import zlib
from pathlib import Path
from typing import IO, Any

from .._io import PathLike
from ..errors import FormatError

HEAD = 1 << 16  # bytes kept for sniffing
MAX_LINE = 1 << 26  # 64 MiB: no text vector file has a longer line
_COMPRESSIONS: tuple[tuple[bytes, str], ...] = (
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bz2"),
    (b"\xfd7zXZ\x00", "xz"),
)


class _Replay(io.RawIOBase):
    """``head`` again, then the rest of ``inner``: a non-regular file read only once."""

    def __init__(self, head: bytes, inner: IO[bytes]) -> None:
        super().__init__()
        self._head, self._at, self._inner = head, 0, inner

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if self._at < len(self._head):
            n = min(len(view), len(self._head) - self._at)
            view[:n] = self._head[self._at : self._at + n]
            self._at += n
            return n
        return self._inner.readinto(view)  # type: ignore[attr-defined, no-any-return]

    def close(self) -> None:
        self._inner.close()
        super().close()


class _Decompressing(io.RawIOBase):
    """A decompressing reader whose failures become one FormatError naming the place."""

    def __init__(self, raw: IO[bytes], compression: str, path: PathLike) -> None:
        super().__init__()
        self._raw, self._inner = raw, _decompressor(raw, compression)
        self._compression, self._path = compression, path
        self._out = 0  # uncompressed bytes delivered so far

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:
            n: int = self._inner.readinto(buffer)
        except (OSError, EOFError, zlib.error, lzma.LZMAError) as exc:
            cut = isinstance(exc, EOFError)
            raise FormatError(
                f"the {self._compression} stream is {'cut short' if cut else 'corrupt'} after "
                f"{self._out} uncompressed bytes ({exc or type(exc).__name__}); download or "
                "compress the file again",
                self._path,
            ) from None
        self._out += n
        return n

    def close(self) -> None:
        self._inner.close()
        self._raw.close()  # GzipFile does not close a file object it was given
        super().close()


def _decompressor(raw: IO[bytes], compression: str) -> gzip.GzipFile | bz2.BZ2File | lzma.LZMAFile:
    if compression == "gzip":
        return gzip.GzipFile(fileobj=raw, mode="rb")
    if compression == "bz2":
        return bz2.BZ2File(raw, "rb")
    return lzma.LZMAFile(raw, "rb")


class Input:
    """A vector file opened for reading: ``head`` (its first 64 KiB, decompressed), ``size``
    (bytes on disk when it is a regular uncompressed file, else ``None``) and :meth:`stream`.
    """

    def __init__(self, path: PathLike) -> None:
        self.path = path
        self.compression: str | None = None
        try:
            mode = os.stat(path).st_mode
        except FileNotFoundError:
            raise FormatError("no such file", path) from None
        except OSError as exc:
            raise FormatError(f"cannot be read ({exc.strerror or exc})", path) from None
        if stat.S_ISDIR(mode):
            raise FormatError("expected a file, found a folder", path)
        self.regular = stat.S_ISREG(mode)
        self._handle: IO[bytes] | None = self._open()
        self.head = self._handle.read(HEAD)
        self.size = os.path.getsize(path) if self.regular and self.compression is None else None
        if self.regular:  # cheap to reopen: keep no handle between sniffing and reading
            self._handle.close()
            self._handle = None
        else:
            self._handle = io.BufferedReader(_Replay(self.head, self._handle))

    @property
    def name(self) -> str:
        return Path(self.path).name

    def _open(self) -> IO[bytes]:
        try:
            raw = open(self.path, "rb")  # noqa: SIM115 - closed by the caller
        except OSError as exc:
            raise FormatError(f"cannot be read ({exc.strerror or exc})", self.path) from None
        magic = raw.peek(6)[:6]
        for prefix, compression in _COMPRESSIONS:
            if magic.startswith(prefix):
                self.compression = compression
                inner = _Decompressing(raw, compression, self.path)
                return io.BufferedReader(inner, 1 << 20)
        return raw

    def stream(self) -> IO[bytes]:
        """The bytes from the start (decompressed). A non-regular file gives its one stream."""
        if self._handle is not None:
            handle, self._handle = self._handle, None
            return handle
        if not self.regular:
            raise FormatError("a pipe or device can be read only once", self.path)
        return self._open()

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def __str__(self) -> str:
        return str(self.path)


def as_input(source: PathLike | Input) -> Input:
    return source if isinstance(source, Input) else Input(source)


def too_long(path: object, line: int, what: str = "line") -> FormatError:
    """The error for a line with no line break within :data:`MAX_LINE` bytes."""
    return FormatError(
        f"{what} {line} runs on for more than {MAX_LINE >> 20} MiB without a line break "
        "(embedlab refuses longer lines): not a text vector file?",
        path,
    )


def bound_error(path: object, what: str, need: int, have: int) -> FormatError:
    return FormatError(
        f"{what} would need at least {need:,} bytes but the file holds only {have:,} "
        "(is the header damaged or the file truncated?)",
        path, 1,
    )


COMPRESSED_MAX_DIM = 1 << 20
