"""embedlab: embeddings end to end.

The core (``Vectors``, ``Vocab``, tokenizers, file formats) imports only numpy. Parts with
heavy dependencies load on first use: ``embedlab.nn`` (torch), ``embedlab.viz``
(matplotlib, openTSNE, umap), ``embedlab.web`` (FastAPI), the trainers and the use cases.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ._io import PathLike
from .errors import (
    DataError,
    DatasetError,
    EmbedlabError,
    FormatError,
    InvalidParameterError,
    MissingExtraError,
    UnknownKeyError,
    WriteError,
)
from .text import Corpus, tokenize
from .vectors import Vectors
from .vocab import Vocab

if TYPE_CHECKING:  # the lazy modules below, typed for mypy and editors; imported on first use
    from . import crossmodal as crossmodal
    from . import datasets as datasets
    from . import evaluate as evaluate
    from . import formats as formats
    from . import graph as graph
    from . import neighbors as neighbors
    from . import nn as nn
    from . import recsys as recsys
    from . import train as train
    from . import viz as viz
    from . import web as web

__version__ = "0.1.0"

_LAZY_MODULES = {
    "datasets", "evaluate", "formats", "neighbors", "nn", "train", "viz", "web",
    "recsys", "graph", "crossmodal",
}


def load(
    path: PathLike,
    format: str = "auto",
    *,
    limit: int | None = None,
    mmap: bool = False,
    encoding: str = "utf-8",
    unicode_errors: str = "strict",
    allow_nonfinite: bool = False,
    on_duplicate: str = "error",
    progress: bool = True,
    verify: bool = False,
) -> Vectors:
    """Read vectors from ``path`` in any supported format (see :func:`embedlab.formats.load`).

    Args:
        path: The file or native folder to read.
        format: ``"auto"`` (judged from the content) or one of
            :data:`embedlab.formats.FORMATS`.
        limit: Keep only the first ``limit`` vectors (files are usually sorted by frequency).
        mmap: Memory-map the matrix of a native folder instead of reading it.
        encoding: Decodes the keys, as ``bytes.decode`` does.
        unicode_errors: How undecodable keys are handled, as in ``bytes.decode``.
        allow_nonfinite: Accept NaN and infinite values (rejected by default).
        on_duplicate: A key seen twice is an ``"error"``, or keeps its ``"first"`` or
            ``"last"`` vector.
        progress: Show a progress bar while reading.
        verify: For native folders, read the whole folder to check it against the checksums
            saved with it; without it only what is cheap is checked.

    Returns:
        The vectors read, as :class:`~embedlab.Vectors`.

    Raises:
        InvalidParameterError: An option is not one of its allowed values.
        FormatError: The input is malformed; the message names the file, the line or byte
            offset, what was expected and what was found.
    """
    from .formats import load as _load

    return _load(path, format=format, limit=limit, mmap=mmap, encoding=encoding,
                 unicode_errors=unicode_errors, allow_nonfinite=allow_nonfinite,
                 on_duplicate=on_duplicate, progress=progress, verify=verify)


def save(
    vectors: Vectors,
    path: PathLike,
    format: str = "native",
    *,
    precision: int | None = None,
    newline: bool | None = None,
    metadata_columns: Sequence[str] | None = None,
) -> None:
    """Write ``vectors`` to ``path`` atomically (see :func:`embedlab.formats.save`).

    Args:
        vectors: The vectors to write.
        path: Where to write them; an interrupted save leaves the old file intact.
        format: One of :data:`embedlab.formats.FORMATS` (default ``"native"``).
        precision: word2vec, fasttext-vec and glove only: digits after the point (default 9
            significant digits, which read back the exact float32).
        newline: word2vec-binary only: end records with a newline (default True).
        metadata_columns: projector only: the metadata columns to write.

    Raises:
        InvalidParameterError: ``vectors`` is not :class:`~embedlab.Vectors`, ``format`` is
            unknown, or an option is given for a format it does not apply to.
        WriteError: The file could not be written.
    """
    from .formats import save as _save

    _save(vectors, path, format=format, precision=precision, newline=newline,
          metadata_columns=metadata_columns)


def __getattr__(name: str) -> Any:
    if name in _LAZY_MODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'embedlab' has no attribute {name!r}")


__all__ = [
    "Corpus",
    "DataError",
    "DatasetError",
    "EmbedlabError",
    "FormatError",
    "InvalidParameterError",
    "MissingExtraError",
    "UnknownKeyError",
    "Vectors",
    "Vocab",
    "WriteError",
    "load",
    "save",
    "tokenize",
]
