"""numba kernel of ``_replicas``: merge the threads' copies of a matrix, one block of rows.

``_replicas_reference`` is the plain-numpy twin with the same signature and results.
Each thread merges its own block of rows (``lo:hi``), so a merge reads and writes every row
once and the threads share the work. No fastmath: the sums are taken in the twin's order, so
both give the same bits.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["merge_rows"]


@njit(cache=True, nogil=True, error_model="numpy")
def merge_rows(copies, last, lo, hi):  # type: ignore[no-untyped-def]
    """Rows ``lo:hi`` of every copy and of ``last`` become ``last + sum(copy - last)``."""
    dim = last.shape[1]
    merged = np.empty(dim, dtype=np.float32)
    for i in range(lo, hi):
        for d in range(dim):
            merged[d] = last[i, d]
        for copy in copies:
            for d in range(dim):
                merged[d] += copy[i, d] - last[i, d]
        for d in range(dim):
            last[i, d] = merged[d]
        for copy in copies:
            for d in range(dim):
                copy[i, d] = merged[d]
