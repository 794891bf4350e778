"""Torch modules: the Embedding layer and the article's text classifier.

The layers import torch when first used (``from embedlab.nn import Embedding``); the labelled
texts in :mod:`embedlab.nn.data` do not need it, so ``datasets.load("rotten-tomatoes")`` stays
light. ``import embedlab`` alone imports neither.

>>> from embedlab.nn import Embedding, TextClassifier
>>> TextClassifier(vocab_size=10000, embedding_dim=128, input_length=100).summary()  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .data import LabelledTexts, read_labelled

if TYPE_CHECKING:
    from .classifier import TextClassifier
    from .embedding import Coverage, Embedding
    from .summary import LayerRow, format_summary
    from .training import History

# The names whose modules import torch, and where each lives: imported on first use.
_TORCH_NAMES = {
    "TextClassifier": ".classifier",
    "Coverage": ".embedding",
    "Embedding": ".embedding",
    "LayerRow": ".summary",
    "format_summary": ".summary",
    "History": ".training",
}


def __getattr__(name: str) -> Any:
    if name in _TORCH_NAMES:
        return getattr(importlib.import_module(_TORCH_NAMES[name], __name__), name)
    raise AttributeError(f"module 'embedlab.nn' has no attribute {name!r}")


__all__ = [
    "Coverage",
    "Embedding",
    "History",
    "LabelledTexts",
    "LayerRow",
    "TextClassifier",
    "format_summary",
    "read_labelled",
]
