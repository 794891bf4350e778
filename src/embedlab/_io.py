"""Small file helpers shared by every writer and reader: atomic writes, compressed inputs."""

from __future__ import annotations

import bz2
import contextlib
import gzip
import io
import lzma
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

PathLike = str | os.PathLike[str]

_MAGICS = (
    (b"\x1f\x8b", gzip.open),
    (b"BZh", bz2.open),
    (b"\xfd7zXZ\x00", lzma.open),
)


def open_binary(path: PathLike) -> IO[bytes]:
    """Open ``path`` for reading bytes, decompressing gzip, bz2 or xz found by content."""
    raw = open(path, "rb")  # noqa: SIM115 - returned to the caller
    head = raw.peek(6)[:6] if hasattr(raw, "peek") else b""
    for magic, opener in _MAGICS:
        if head.startswith(magic):
            raw.close()
            return opener(path, "rb")  # type: ignore[no-any-return, operator, return-value]
    return raw


def open_text(path: PathLike, encoding: str = "utf-8", errors: str = "strict") -> IO[str]:
    """Open ``path`` for reading text, decompressing by content like :func:`open_binary`."""
    return io.TextIOWrapper(open_binary(path), encoding=encoding, errors=errors)


def _umask() -> int:
    mask = os.umask(0)  # the only portable way to read it is to set it
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_write(
    path: PathLike, mode: str = "wb", encoding: str | None = None
) -> Iterator[IO]:  # type: ignore[type-arg]
    """Write to a temporary file beside ``path`` and rename it into place on success.

    An exception (or Ctrl-C) while writing leaves any existing file at ``path`` untouched.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    # mkstemp makes the file private (0600); give it the permissions open() would have.
    with contextlib.suppress(OSError):
        os.fchmod(fd, 0o666 & ~_umask())
    if "b" not in mode and encoding is None:
        encoding = "utf-8"
    try:
        with os.fdopen(fd, mode, encoding=encoding) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
