"""Learning vectors from raw text: word2vec (skip-gram, CBOW), fastText subwords and GloVe.

Every trainer takes an :class:`embedlab.Corpus`, a path, or an iterable of token lists, and
returns :class:`embedlab.Vectors`. The hot loops are numba kernels (imported on first use).
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {"Word2Vec": "word2vec", "GloVe": "glove", "FastText": "fasttext"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'embedlab.train' has no attribute {name!r}")


__all__ = ["FastText", "GloVe", "Word2Vec"]
