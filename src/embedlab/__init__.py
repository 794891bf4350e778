"""embedlab: embeddings end to end.

The core (``Vectors``, ``Vocab``, tokenizers, file formats) imports only numpy. Parts with
heavy dependencies load on first use: ``embedlab.nn`` (torch), ``embedlab.viz``
(matplotlib, openTSNE, umap), ``embedlab.web`` (FastAPI), the trainers and the use cases.
"""

from __future__ import annotations

import importlib
from typing import Any

from .errors import (
    DataError,
    DatasetError,
    EmbedlabError,
    FormatError,
    InvalidParameterError,
    MissingExtraError,
    UnknownKeyError,
)
from .text import Corpus, tokenize
from .vectors import Vectors
from .vocab import Vocab

__version__ = "0.1.0"

_LAZY_MODULES = {
    "datasets", "evaluate", "formats", "neighbors", "nn", "train", "viz", "web",
    "recsys", "graph", "crossmodal",
}


def load(path: Any, format: str = "auto", **options: Any) -> Vectors:
    """Read vectors from ``path`` in any supported format (see :mod:`embedlab.formats`)."""
    from .formats import load as _load

    return _load(path, format=format, **options)


def save(vectors: Vectors, path: Any, format: str = "native", **options: Any) -> None:
    """Write ``vectors`` to ``path`` atomically (see :mod:`embedlab.formats`)."""
    from .formats import save as _save

    _save(vectors, path, format=format, **options)


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
    "load",
    "save",
    "tokenize",
]
