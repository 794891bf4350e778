"""Torch modules: the Embedding layer and the article's text classifier.

Importing this package imports torch; ``import embedlab`` alone does not.

>>> from embedlab.nn import Embedding, TextClassifier
>>> TextClassifier(vocab_size=10000, embedding_dim=128, input_length=100).summary()  # doctest: +SKIP
"""

from __future__ import annotations

from .classifier import TextClassifier
from .data import read_labelled
from .embedding import Coverage, Embedding
from .summary import LayerRow, format_summary
from .training import History

__all__ = [
    "Coverage",
    "Embedding",
    "History",
    "LayerRow",
    "TextClassifier",
    "format_summary",
    "read_labelled",
]
