"""Reading and writing vector files: every common format, detected from the content.

=================  ==========================================================================
format             what it is
=================  ==========================================================================
word2vec           text with a ``<count> <dim>`` header (also fastText's ``.vec``)
word2vec-binary    the C tool's binary format (gensim ``binary=True``)
glove              text without a header; tokens may contain spaces
fasttext-bin       a fastText model (``.bin``/``.ftz``): words plus subword vectors for OOV keys
native             embedlab's folder: a memory-mappable ``.npy`` matrix, keys, counts, metadata
projector          TensorBoard projector TSV (tensor + metadata) — a folder or the tensor file
=================  ==========================================================================

gzip, bz2 and xz inputs are read transparently. ``format="auto"`` looks at the bytes, never
at the file name.
"""

from __future__ import annotations

import lzma
import re
import zlib
from pathlib import Path
from typing import Any

from .._io import PathLike, open_binary
from ..errors import FormatError, InvalidParameterError
from ..vectors import Vectors
from ._chunks import check_options

FORMATS = ("word2vec", "word2vec-binary", "glove", "fasttext-vec", "fasttext-bin", "native", "projector")
FASTTEXT_MAGIC = 793712314
_HEADER = re.compile(rb"\s*\d+[ \t]+\d+\s*")
_NUMERIC = frozenset(b"0123456789.+-eE \t\r\nnaifNAIFty")


def detect(path: PathLike) -> str:
    """The format of ``path``, judged from its content."""
    target = Path(path)
    if target.is_dir():
        from .native import is_native

        if is_native(target):
            return "native"
        if (target / "tensors.tsv").exists():
            return "projector"
        raise FormatError("a folder that is neither an embedlab native folder nor projector files", target)
    if not target.exists():
        raise FormatError("no such file", target)
    try:
        with open_binary(target) as handle:
            head = handle.read(8192)
    except (OSError, EOFError) as exc:
        raise FormatError(f"cannot be read ({exc})", target) from None
    if not head:
        raise FormatError("the file is empty", target)
    if len(head) >= 4 and int.from_bytes(head[:4], "little") == FASTTEXT_MAGIC:
        return "fasttext-bin"
    first, _, rest = head.partition(b"\n")
    if _HEADER.fullmatch(first):
        # Text or binary? Look at the bytes after the first key: a text file has numbers there.
        dim = int(first.split()[1])
        _key, _space, after = rest.lstrip(b"\r\n").partition(b" ")
        line = after.split(b"\n", 1)[0][:1024]
        texty = all(byte in _NUMERIC for byte in line) and (
            len(line) == 1024 or len(line.split()) == dim
        )
        return "word2vec" if texty else "word2vec-binary"
    if b"\x00" in first:
        raise FormatError(
            "an unrecognised binary file (not word2vec binary, fastText .bin or native)", target
        )
    fields = first.strip().split(b"\t")
    if len(fields) > 1 and all(_is_number(f) for f in fields):
        return "projector"
    return "glove"


def _is_number(field: bytes) -> bool:
    try:
        float(field)
    except ValueError:
        return False
    return True


def load(
    path: PathLike,
    format: str = "auto",
    limit: int | None = None,
    mmap: bool = False,
    encoding: str = "utf-8",
    unicode_errors: str = "strict",
    allow_nonfinite: bool = False,
    on_duplicate: str = "error",
) -> Vectors:
    """Read vectors from ``path``.

    ``limit`` keeps the first ``limit`` vectors (files are usually sorted by frequency);
    ``mmap`` memory-maps a native folder instead of reading it. Malformed input raises
    :class:`~embedlab.FormatError` naming the file and the line or byte offset.
    """
    check_options(limit, on_duplicate, unicode_errors)
    kind = detect(path) if format == "auto" else format
    try:
        return _read(path, kind, format, mmap, limit, encoding, unicode_errors, allow_nonfinite, on_duplicate)
    except UnicodeDecodeError as exc:
        raise FormatError(f"not valid {encoding} text ({exc.reason})", path) from None
    except (EOFError, OSError, zlib.error, lzma.LZMAError) as exc:
        # Truncated or corrupt compressed streams, unreadable files.
        raise FormatError(f"cannot be read: {exc}", path) from None


def _read(
    path: PathLike, kind: str, format: str, mmap: bool, limit: int | None, encoding: str,
    unicode_errors: str, allow_nonfinite: bool, on_duplicate: str,
) -> Vectors:
    options: dict[str, Any] = {
        "limit": limit, "encoding": encoding, "unicode_errors": unicode_errors,
        "allow_nonfinite": allow_nonfinite, "on_duplicate": on_duplicate,
    }
    if kind in ("word2vec", "fasttext-vec", "glove"):
        from .text import read_text

        return read_text(path, header=kind != "glove", **options)
    if kind == "word2vec-binary":
        from .binary import read_binary

        return read_binary(path, **options)
    if kind == "native":
        from .native import read_native

        return read_native(path, mmap=mmap, limit=limit)
    if kind == "fasttext-bin":
        try:
            from .fasttext import read_fasttext_bin
        except ImportError:
            raise FormatError("reading fastText .bin models is not available in this build", path) from None
        vectors: Vectors = read_fasttext_bin(path, limit=limit, encoding=encoding, unicode_errors=unicode_errors)
        return vectors
    if kind == "projector":
        from .projector import read_projector

        target = Path(path)
        return read_projector(target / "tensors.tsv" if target.is_dir() else target)
    raise InvalidParameterError(
        f"The 'format' parameter of load must be 'auto' or one of {', '.join(FORMATS)}. Got {format!r} instead."
    )


def save(vectors: Vectors, path: PathLike, format: str = "native", **options: Any) -> None:
    """Write ``vectors`` to ``path`` in ``format``; an interrupted save leaves the old file intact.

    Options: ``precision`` (text formats: digits after the point; default exact),
    ``newline`` (word2vec-binary: end records with a newline, default True),
    ``metadata_columns`` (projector).
    """
    if not isinstance(vectors, Vectors):
        raise InvalidParameterError(f"save takes Vectors, not {type(vectors).__name__}")
    if format in ("word2vec", "fasttext-vec", "glove"):
        from .text import write_text

        write_text(vectors, path, header=format != "glove", **options)
    elif format == "word2vec-binary":
        from .binary import write_binary

        write_binary(vectors, path, **options)
    elif format == "native":
        from .native import write_native

        write_native(vectors, path, **options)
    elif format == "fasttext-bin":
        try:
            from .fasttext import write_fasttext_bin
        except ImportError:
            raise FormatError("writing fastText .bin models is not available in this build", path) from None
        write_fasttext_bin(vectors, path, **options)
    elif format == "projector":
        from .projector import write_projector

        write_projector(vectors, path, **options)
    else:
        raise InvalidParameterError(
            f"The 'format' parameter of save must be one of {', '.join(FORMATS)}. Got {format!r} instead."
        )


__all__ = ["FORMATS", "detect", "load", "save"]
