"""fastText's subword kernels of ``_subword_kernels`` in plain Python: the same names and
signatures, built on the one-word functions of :mod:`embedlab.subwords` that read like
fastText's C++ (its hash, its n-gram spans, its float32 averaging)."""

from __future__ import annotations

import numpy as np

from .subwords import fasttext_hash, mean_rows_reference, ngram_spans

__all__ = ["hash_ngrams", "mean_word_rows"]


def hash_ngrams(data: np.ndarray, starts: np.ndarray, minn: int, maxn: int,
                bucket: int) -> tuple[np.ndarray, np.ndarray]:
    """``hash % bucket`` of every n-gram of every word: ``(ids, offsets)``, word ``w`` being
    ``data[starts[w]:starts[w+1]]`` (already wrapped as ``<word>``)."""
    ids: list[int] = []
    offsets = [0]
    raw = bytes(data)
    for w in range(len(starts) - 1):
        wrapped = raw[starts[w] : starts[w + 1]]
        ids += [fasttext_hash(wrapped[i:j]) % bucket for i, j in ngram_spans(wrapped, minn, maxn)]
        offsets.append(len(ids))
    return np.array(ids, dtype=np.int64), np.array(offsets, dtype=np.int64)


def mean_word_rows(matrix: np.ndarray, own_rows: np.ndarray, ngram_rows: np.ndarray,
                   offsets: np.ndarray) -> np.ndarray:
    """Row ``i``: the float32 mean of ``matrix[own_rows[i]]`` (skipped when -1) and the rows
    ``ngram_rows[offsets[i]:offsets[i+1]]``, added in that order."""
    out = np.zeros((len(own_rows), matrix.shape[1]), dtype=np.float32)
    for i, own in enumerate(own_rows):
        rows = ([int(own)] if own >= 0 else []) + [int(r) for r in ngram_rows[offsets[i] : offsets[i + 1]]]
        out[i] = mean_rows_reference(matrix, rows)
    return out
