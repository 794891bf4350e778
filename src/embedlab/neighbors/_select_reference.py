"""The plain twin of ``_select_kernels.c``: what folding a block of scores into the best k means.

Same signature as the kernel, so it can stand in for it (the tests run every kernel test on
both): slow, obvious, and the oracle.
"""

from __future__ import annotations

import numpy as np

__all__ = ["fold_block", "scan_panels"]


def fold_block(scores: np.ndarray, queries: int, rows: int, first_row: int,
               scale: np.ndarray | None, best_scores: np.ndarray, best_rows: np.ndarray,
               k: int, /) -> None:
    """In place: each query's best ``k`` (score, row) after seeing ``scores`` (``queries x
    rows``, row ``first_row + i`` in column ``i``), each score times ``scale[i]`` when given.

    Best first; among equal scores the lower row first; a NaN or -inf score never enters.
    ``best_scores`` (float32) and ``best_rows`` (int64) are ``queries x k``, as the previous
    call left them (-inf and -1 where still empty).
    """
    if queries < 0 or rows < 0 or k < 1:
        raise ValueError("queries and rows must be >= 0 and k >= 1")
    if (scores.size < queries * rows or best_scores.size < queries * k
            or best_rows.size < queries * k or (scale is not None and scale.size < rows)):
        raise ValueError("a buffer is smaller than queries, rows and k say")
    for name, array in (("best_scores", best_scores), ("best_rows", best_rows)):
        if not array.flags.c_contiguous or not array.flags.writeable:
            raise BufferError(f"{name} must be a writable C-contiguous array")
    block = scores.reshape(-1)[: queries * rows].reshape(queries, rows)
    values = block * scale.reshape(-1)[:rows] if scale is not None else block
    best_s = best_scores.reshape(-1)[: queries * k].reshape(queries, k)
    best_r = best_rows.reshape(-1)[: queries * k].reshape(queries, k)
    row_ids = first_row + np.arange(rows, dtype=np.int64)
    for q in range(queries):
        enters = values[q] > -np.inf  # False for NaN too
        pool_scores = np.concatenate([best_s[q], values[q][enters].astype(np.float32)])
        pool_rows = np.concatenate([best_r[q], row_ids[enters]])
        order = np.lexsort((pool_rows, -pool_scores))[:k]
        best_s[q], best_r[q] = pool_scores[order], pool_rows[order]


PANEL = 16
"""Rows per panel of the table that ``scan_panels`` reads (as in the kernel)."""


def scan_panels(panels: np.ndarray, coarse: np.ndarray | None, margin: float, count: int,
                dim: int, queries: np.ndarray, nq: int, first_row: int, best_scores: np.ndarray,
                best_rows: np.ndarray, k: int, plain: bool, /) -> None:
    """In place: each query's best ``k`` (score, row) over ``count`` panels of 16 rows.

    Panel ``p`` is ``dim x 16`` (dimension-major); its column ``i`` is table row
    ``first_row + 16 p + i``. A score is the sum in dimension order of the float32 products
    ``q[d] * x[d]``, each product and each partial sum rounded to float32 (no fused
    multiply-add): the kernel computes the same bits. The ranking rule is ``fold_block``'s.
    ``coarse`` (the rows in bfloat16, ``count x ceil(dim / 2) x 16 x 2``) and ``margin`` (the
    most its scores can be off) only let the kernel pass over rows sooner, and ``plain`` picks
    the kernel's scalar path: neither changes the answer, so both are only checked here.
    """
    if count < 0 or dim < 0 or nq < 0 or k < 1:
        raise ValueError("count, dim and queries must be >= 0 and k >= 1")
    if not margin >= 0:
        raise ValueError("margin must be >= 0")
    if (panels.size < count * dim * PANEL or queries.size < nq * dim
            or best_scores.size < nq * k or best_rows.size < nq * k
            or (coarse is not None and coarse.size < count * ((dim + 1) // 2) * PANEL * 2)):
        raise ValueError("a buffer is smaller than count, dim, queries and k say")
    table = panels.reshape(-1)[: count * dim * PANEL].reshape(count, dim, PANEL)
    q = queries.reshape(-1)[: nq * dim].reshape(nq, dim).astype(np.float32, copy=False)
    # rows x dim, in row order: column d of the table is dimension d of every row.
    rows = table.transpose(0, 2, 1).reshape(count * PANEL, dim).astype(np.float32, copy=False)
    scores = np.zeros((nq, count * PANEL), np.float32)
    for d in range(dim):  # one rounded product and one rounded sum per dimension, in order
        scores += q[:, d : d + 1] * rows[:, d][None, :]
    fold_block(np.ascontiguousarray(scores), nq, count * PANEL, first_row, None, best_scores,
               best_rows, k)
