"""Learning vectors from raw text: word2vec (skip-gram, CBOW), fastText subwords and GloVe.

Every trainer takes an :class:`embedlab.Corpus`, a path, or an iterable of token lists, and
returns :class:`embedlab.Vectors`. The hot loops are numba kernels (imported on first use).
"""

from __future__ import annotations

# Plain imports: these modules load numpy only; their numba kernels load on first training.
from .fasttext import FastText
from .glove import GloVe
from .word2vec import Word2Vec

__all__ = ["FastText", "GloVe", "Word2Vec"]
