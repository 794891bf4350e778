"""Reading and writing vector files: every common format, detected from the content.

=================  ==========================================================================
format             what it is
=================  ==========================================================================
word2vec           text with a ``<count> <dim>`` header (gensim ``binary=False``)
fasttext-vec       fastText's ``.vec``: the same as word2vec text
word2vec-binary    the C tool's binary format (gensim ``binary=True``)
glove              text without a header; tokens may contain spaces
fasttext-bin       a fastText model (``.bin``/``.ftz``): words plus subword vectors for OOV keys
native             embedlab's folder: a memory-mappable ``.npy`` matrix, keys, counts, metadata
projector          TensorBoard projector TSV (tensor + metadata): a folder or the tensor file
=================  ==========================================================================

gzip, bz2 and xz inputs are read transparently. ``format="auto"`` looks at the bytes, never
at the file name (:mod:`embedlab.formats.sniff`).
"""

from __future__ import annotations

import lzma
import os
import stat
import struct
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .._io import PathLike, save_in_progress, settle
from ..errors import EmbedlabError, FormatError, InvalidParameterError, writing
from ..vectors import Vectors
from ._chunks import check_options
from ._source import Input
from .sniff import detect

# How often load looks again at a path that is missing while saves keep replacing it.
_LOOKS = 5

FORMATS = (
    "word2vec", "fasttext-vec", "word2vec-binary", "glove", "fasttext-bin", "native", "projector",
)
# Which writers take which of save's options.
_OPTION_FORMATS = {
    "precision": ("word2vec", "fasttext-vec", "glove"),
    "newline": ("word2vec-binary",),
    "metadata_columns": ("projector",),
}


# What ``format="auto"`` means when *writing*: there are no bytes to look at yet, so the
# output's name decides (``.bin`` is a fastText model when the vectors carry subwords).
_WRITE_SUFFIXES = {".txt": "word2vec", ".vec": "word2vec", ".tsv": "projector"}


def format_for(path: PathLike, subwords: bool = False) -> str:
    """The format to write ``path`` in, judged from its suffix.

    ``.txt``/``.vec``: word2vec text; ``.bin``: word2vec binary, or ``fasttext-bin`` with
    ``subwords=True`` (a fastText model); ``.tsv``: projector; anything else: native.

    Args:
        path: The file or folder to be written; only its suffix is looked at.
        subwords: Whether the vectors carry subwords (then ``.bin`` means a fastText model).

    Returns:
        The name of a format, one of :data:`FORMATS`.

    >>> format_for("vectors.vec"), format_for("model.bin", subwords=True), format_for("out")
    ('word2vec', 'fasttext-bin', 'native')
    """
    suffix = Path(path).suffix.lower()
    if suffix == ".bin":
        return "fasttext-bin" if subwords else "word2vec-binary"
    return _WRITE_SUFFIXES.get(suffix, "native")


def load(
    path: PathLike,
    format: str = "auto",
    limit: int | None = None,
    mmap: bool = False,
    encoding: str = "utf-8",
    unicode_errors: str = "strict",
    allow_nonfinite: bool = False,
    on_duplicate: str = "error",
    progress: bool = True,
    verify: bool = False,
) -> Vectors:
    """Read vectors from ``path``.

    ``format``: ``"auto"`` (judged from the content) or one of :data:`FORMATS`.
    ``limit`` keeps the first ``limit`` vectors (files are usually sorted by frequency).
    ``mmap`` memory-maps the matrix of a native folder instead of reading it.
    ``encoding`` and ``unicode_errors`` decode the keys (as ``bytes.decode`` does).
    ``allow_nonfinite`` accepts NaN and infinite values (rejected by default).
    ``on_duplicate``: a key seen twice is an error, or keeps its ``"first"`` or ``"last"`` vector.
    ``verify`` (native folders) reads the whole folder to check it against the checksums saved
    with it, its values and its keys; without it only what is cheap is checked.

    Malformed input raises :class:`~embedlab.FormatError` naming the file, the line or byte
    offset, what was expected and what was found.

    Args:
        path: The file or folder to read.
        format: ``"auto"`` or one of :data:`FORMATS`.
        limit: How many vectors to keep, from the start; None keeps them all.
        mmap: Memory-map the matrix of a native folder.
        encoding: The encoding of the keys.
        unicode_errors: What to do with undecodable keys, as ``bytes.decode``'s ``errors``.
        allow_nonfinite: Accept NaN and infinite values.
        on_duplicate: ``"error"``, ``"first"`` or ``"last"``.
        progress: Show a progress bar while reading a large file.
        verify: Check a native folder in full against its saved checksums.

    Returns:
        The vectors read, with ``source`` set to ``path``.

    Raises:
        InvalidParameterError: ``format`` is unknown, or another option is out of range.
        FormatError: The file is missing, unreadable, or does not follow its format.

    >>> v = load("glove.6B.50d.txt")  # doctest: +SKIP
    """
    if format != "auto" and format not in FORMATS:
        raise InvalidParameterError(
            f"The 'format' parameter of load must be 'auto' or one of {', '.join(FORMATS)}. "
            f"Got {format!r} instead."
        )
    check_options(limit, on_duplicate, unicode_errors, encoding)
    options: dict[str, Any] = {
        "limit": limit, "encoding": encoding, "unicode_errors": unicode_errors,
        "allow_nonfinite": allow_nonfinite, "on_duplicate": on_duplicate, "progress": progress,
    }
    if format in ("native", "projector") or _is_folder(path):
        kind = _detect(path) if format == "auto" else format
        source: PathLike | Input = path
    else:  # a file is opened once: a pipe can only be read once, and its head is sniffed
        source = Input(path)
        kind = detect(source) if format == "auto" else format
    try:
        loaded = _read(source, kind, mmap, options, verify)
        loaded.source = Path(path)  # shown by a notebook's display of the vectors
        return loaded
    except UnicodeDecodeError as exc:
        raise FormatError(f"expected {encoding} text, found {exc.reason} at byte {exc.start}",
                          path) from None
    except (EOFError, OSError, zlib.error, lzma.LZMAError) as exc:
        # Truncated or corrupt compressed streams, unreadable files.
        if isinstance(exc, FileNotFoundError):
            raise FormatError("no such file", path) from None
        raise FormatError(f"cannot be read: {exc}", path) from None
    finally:
        if isinstance(source, Input):
            source.close()


def _is_folder(path: PathLike) -> bool:
    """Whether ``path`` is a folder, from one look at it. Looking twice (exists, then is_dir)
    let a save's two renames fall between the looks: the folder was missing for is_dir, and
    then present when opened as a file ("expected a file, found a folder")."""
    for _ in range(_LOOKS):
        try:
            return stat.S_ISDIR(os.stat(path).st_mode)
        except FileNotFoundError:
            settle(path)  # a folder between the two renames of a swap, or a killed save's leftovers
        except OSError:
            return False  # opening it as a file says what is wrong
    return False  # nothing there: opening it says "no such file"


def _detect(path: PathLike) -> str:
    """:func:`detect`, looking again while another process saves to ``path``: where a folder
    is replaced by two renames, it is missing for a moment (and a killed save is undone first)."""
    looks = 0
    while True:
        settle(path)
        try:
            return detect(path)
        except FormatError:
            looks += 1
            if looks == 100 or not save_in_progress(path):
                raise


def _read(
    source: PathLike | Input, kind: str, mmap: bool, options: dict[str, Any], verify: bool = False
) -> Vectors:
    path = source.path if isinstance(source, Input) else source
    target = Path(path)
    if kind in ("word2vec", "fasttext-vec"):
        from .word2vec import read_word2vec

        return read_word2vec(source, **options)
    if kind == "glove":
        from .glove import read_glove

        return read_glove(source, **options)
    if kind == "word2vec-binary":
        from .word2vec import read_word2vec_binary

        return read_word2vec_binary(source, **options)
    if kind == "native":
        from .native import read_native

        return read_native(path, mmap=mmap, limit=options["limit"], verify=verify,
                           allow_nonfinite=options["allow_nonfinite"])
    try:
        if kind == "fasttext-bin":
            read_fasttext_bin = _peer("fasttext", "read_fasttext_bin", path)
            vectors: Vectors = read_fasttext_bin(
                source, limit=options["limit"], encoding=options["encoding"],
                unicode_errors=options["unicode_errors"],
                allow_nonfinite=options["allow_nonfinite"],
            )
            return vectors
        read_projector = _peer("projector", "read_projector", path)
        tensor = target / "tensors.tsv" if target.is_dir() else target
        metadata = tensor.parent / "metadata.tsv"
        projected: Vectors = read_projector(
            tensor, metadata if metadata.is_file() else None,
            allow_nonfinite=options["allow_nonfinite"],
        )
    except (ValueError, IndexError, KeyError, OverflowError, MemoryError, struct.error) as exc:
        if isinstance(exc, EmbedlabError):
            raise
        # The fastText and projector readers live in their own modules: whatever they let
        # slip on a damaged file still reaches the user as a FormatError naming the file.
        raise FormatError(f"not a readable {kind} file ({type(exc).__name__}: {exc})", path) from None
    return projected if options["limit"] is None else projected.top(options["limit"])


def _peer(module: str, name: str, path: PathLike) -> Any:
    """A reader or writer from a format module that may be absent from this build."""
    import importlib

    try:
        return getattr(importlib.import_module(f".{module}", __name__), name)
    except (ImportError, AttributeError):
        raise FormatError(
            f"the {module} format is not available in this build (embedlab.formats.{module}."
            f"{name} is missing)",
            path,
        ) from None


def save(
    vectors: Vectors,
    path: PathLike,
    format: str = "native",
    *,
    precision: int | None = None,
    newline: bool | None = None,
    metadata_columns: Sequence[str] | None = None,
) -> None:
    """Write ``vectors`` to ``path`` in ``format``; an interrupted save leaves the old file intact.

    Options, each for the formats it names (giving it for another format is an error):
    ``precision`` (word2vec, fasttext-vec, glove: digits after the point; default 9
    significant digits, which read back the exact float32), ``newline`` (word2vec-binary: end
    records with a newline, default True), ``metadata_columns`` (projector).

    Args:
        vectors: The vectors to write.
        path: The file or folder to write.
        format: One of :data:`FORMATS`.
        precision: Digits after the point (text formats); None writes 9 significant digits.
        newline: End word2vec-binary records with a newline; None means True.
        metadata_columns: The column names of a projector's metadata file.

    Raises:
        InvalidParameterError: ``vectors`` is not :class:`~embedlab.Vectors`, ``format`` is
            unknown, or an option is given for a format it does not apply to.
        FormatError: The writer of ``format`` is not available in this build.
        WriteError: ``path`` cannot be written.
    """
    given = {"precision": precision, "newline": newline, "metadata_columns": metadata_columns}
    options: dict[str, Any] = {name: value for name, value in given.items() if value is not None}
    for name in options:
        if format in FORMATS and format not in _OPTION_FORMATS[name]:
            raise InvalidParameterError(
                f"save to {format}: the {name!r} option applies to "
                f"{', '.join(_OPTION_FORMATS[name])} files only"
            )
    if not isinstance(vectors, Vectors):
        raise InvalidParameterError(
            f"The 'vectors' parameter of save must be Vectors. Got {type(vectors).__name__} instead."
        )
    if format not in FORMATS:
        raise InvalidParameterError(
            f"The 'format' parameter of save must be one of {', '.join(FORMATS)}. "
            f"Got {format!r} instead."
        )
    writer: Any
    if format in ("word2vec", "fasttext-vec"):
        from .word2vec import write_word2vec as writer
    elif format == "glove":
        from .glove import write_glove as writer
    elif format == "word2vec-binary":
        from .word2vec import write_word2vec_binary as writer
    elif format == "native":
        from .native import write_native as writer
    elif format == "fasttext-bin":
        writer = _peer("fasttext", "write_fasttext_bin", path)
    else:
        writer = _peer("projector", "write_projector", path)
    with writing(path):
        writer(vectors, path, **options)


__all__ = ["FORMATS", "detect", "format_for", "load", "save"]
