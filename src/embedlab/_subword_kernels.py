"""numba kernel for fastText word vectors; ``subwords.mean_rows_reference`` is its plain twin."""

from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(cache=True, parallel=True)
def mean_rows(matrix, flat_rows, offsets):  # type: ignore[no-untyped-def]
    """Row ``i`` of the result: rows ``flat_rows[offsets[i]:offsets[i+1]]`` added in order, times 1/n."""
    n = offsets.shape[0] - 1
    out = np.zeros((n, matrix.shape[1]), dtype=np.float32)
    for i in prange(n):
        start, end = offsets[i], offsets[i + 1]
        if end > start:
            for r in range(start, end):
                out[i] += matrix[flat_rows[r]]
            out[i] *= np.float32(1.0 / (end - start))
    return out
