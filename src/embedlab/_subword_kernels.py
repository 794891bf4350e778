"""numba kernels for fastText subwords; ``_subword_reference`` is their plain-Python stand-in.

* :func:`hash_ngrams` — the hashed character n-grams of many words at once
  (twin: ``subwords.ngram_buckets_reference``);
* :func:`mean_word_rows` — fastText's word vectors: own row then n-gram rows, added in order
  in float32 and scaled by ``float32(1/n)`` (twin: ``subwords.mean_rows_reference``).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

__all__ = ["hash_ngrams", "mean_word_rows"]

_OFFSET = 2166136261
_PRIME = 16777619
_MASK32 = 0xFFFFFFFF


@njit(cache=True)
def _count_ngrams(data, starts, minn, maxn):  # type: ignore[no-untyped-def]
    nwords = starts.shape[0] - 1
    counts = np.zeros(nwords + 1, dtype=np.int64)
    for w in range(nwords):
        s, e = starts[w], starts[w + 1]
        c = 0
        for i in range(s, e):
            if (data[i] & 0xC0) == 0x80:  # a UTF-8 continuation byte never starts an n-gram
                continue
            j = i
            n = 1
            while j < e and n <= maxn:
                j += 1
                while j < e and (data[j] & 0xC0) == 0x80:
                    j += 1
                if n >= minn and not (n == 1 and (i == s or j == e)):
                    c += 1
                n += 1
        counts[w + 1] = c
    return np.cumsum(counts)


@njit(cache=True)
def hash_ngrams(data, starts, minn, maxn, bucket):  # type: ignore[no-untyped-def]
    """``hash % bucket`` of every n-gram of every word.

    ``data`` holds the words already wrapped as ``<word>`` (UTF-8 bytes, one after another),
    word ``w`` being ``data[starts[w]:starts[w+1]]``. Returns ``(ids, offsets)``: word ``w``'s
    ids are ``ids[offsets[w]:offsets[w+1]]``, in fastText's order.
    """
    offsets = _count_ngrams(data, starts, minn, maxn)
    ids = np.empty(offsets[-1], dtype=np.int64)
    nwords = starts.shape[0] - 1
    for w in range(nwords):
        s, e = starts[w], starts[w + 1]
        k = offsets[w]
        for i in range(s, e):
            if (data[i] & 0xC0) == 0x80:
                continue
            # FNV-1a is byte-sequential, so the hash of data[i:j] extends that of data[i:j-1].
            h = np.int64(_OFFSET)
            j = i
            n = 1
            while j < e and n <= maxn:
                while True:
                    byte = np.int64(data[j])
                    if byte >= 128:  # fastText xors the byte as a sign-extended int8
                        byte = byte | 0xFFFFFF00
                    h = ((h ^ byte) * _PRIME) & _MASK32
                    j += 1
                    if j >= e or (data[j] & 0xC0) != 0x80:
                        break
                if n >= minn and not (n == 1 and (i == s or j == e)):
                    ids[k] = h % bucket
                    k += 1
                n += 1
    return ids, offsets


@njit(cache=True, parallel=True)
def mean_word_rows(matrix, own_rows, ngram_rows, offsets):  # type: ignore[no-untyped-def]
    """Row ``i``: ``matrix[own_rows[i]]`` (skipped when -1) plus ``matrix[ngram_rows[...]]``
    for ``offsets[i]:offsets[i+1]``, added in that order, times ``float32(1 / count)``."""
    n = own_rows.shape[0]
    dim = matrix.shape[1]
    out = np.zeros((n, dim), dtype=np.float32)
    for i in prange(n):
        count = 0
        if own_rows[i] >= 0:
            for d in range(dim):
                out[i, d] += matrix[own_rows[i], d]
            count += 1
        for r in range(offsets[i], offsets[i + 1]):
            row = ngram_rows[r]
            for d in range(dim):
                out[i, d] += matrix[row, d]
            count += 1
        if count > 0:
            scale = np.float32(1.0 / count)
            for d in range(dim):
                out[i, d] *= scale
    return out
