"""The plain twin of ``_select.c``: what folding a block of scores into the best k means."""

from __future__ import annotations

import numpy as np


def fold_block(scores: np.ndarray, first_row: int, scale: np.ndarray | None,
               best_scores: np.ndarray, best_rows: np.ndarray) -> None:
    """In place: each query's best ``k`` (score, row) after seeing ``scores`` (queries x rows,
    row ``first_row + i`` in column ``i``), each score times ``scale`` when given. Best first;
    among equal scores the lower row first; NaN never enters."""
    k = best_scores.shape[1]
    values = scores * scale if scale is not None else scores
    rows = first_row + np.arange(scores.shape[1], dtype=np.int64)
    for q in range(len(scores)):
        keep = ~np.isnan(values[q])
        pool_scores = np.concatenate([best_scores[q], values[q][keep]])
        pool_rows = np.concatenate([best_rows[q], rows[keep]])
        order = np.lexsort((pool_rows, -pool_scores))[:k]
        best_scores[q], best_rows[q] = pool_scores[order], pool_rows[order]
