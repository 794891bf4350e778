"""Torch modules: the Embedding layer and the article's text classifier.

Importing this package imports torch; ``import embedlab`` alone does not.
"""

from __future__ import annotations

from .classifier import History, TextClassifier
from .embedding import Coverage, Embedding
from .summary import LayerRow, format_summary

__all__ = ["Coverage", "Embedding", "History", "LayerRow", "TextClassifier", "format_summary"]
