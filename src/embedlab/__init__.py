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
    """Read vectors from ``path`` in any supported format (see :func:`embedlab.formats.load`)."""
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
    """Write ``vectors`` to ``path`` atomically (see :func:`embedlab.formats.save`)."""
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
