"""Exact top-k over a table of vectors split across the ranks.

Each rank holds a contiguous shard of the rows (rank 0 the first rows, rank 1 the next ...),
scores the queries against it and keeps its best ``k`` with :func:`embedlab.neighbors.top_k`.
The ranks' candidates are gathered and merged with the same ``top_k``: since shards come in row
order, equal scores still go to the lower row, so the answer is exactly the one-machine answer
(:func:`embedlab.neighbors.exact_top_k` on the whole table), ``-1`` padding included.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.distributed as dist

from ..errors import DataError
from ..neighbors import top_k
from ._context import Context, context


def sharded_top_k(
    queries: np.ndarray, shard: np.ndarray, k: int, ctx: Context | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Global rows (int64) and scores (float32) of the ``k`` best ``queries @ table.T``.

    Every rank passes the same ``queries`` and its own ``shard`` of the table (``rows x dim``;
    a shard may be empty). Scores are dot products: normalise the rows and the queries first
    for cosine. Every rank gets the whole answer.

    Args:
        queries: The query matrix (``queries x dim``), the same on every rank.
        shard: This rank's rows of the table (``rows x dim``; may be empty).
        k: How many neighbours each query keeps.
        ctx: The launch context; the current one (:func:`context`) when None.

    Returns:
        ``(rows, scores)``, both ``queries x min(k, table rows)``: the global row numbers
        (int64, ``-1`` where a query has fewer candidates) and their scores (float32).

    Raises:
        DataError: ``queries`` is not a matrix.
    """
    ctx = ctx or context()
    q = np.ascontiguousarray(queries, dtype=np.float32)
    if q.ndim != 2:
        raise DataError(f"sharded_top_k: queries must be a matrix (queries x dim); got shape {q.shape}")
    table = np.ascontiguousarray(shard, dtype=np.float32).reshape(-1, q.shape[1])
    sizes = _gather_sizes(len(table), ctx)
    first_row = int(sum(sizes[: ctx.rank]))
    local_rows = np.full((len(q), k), -1, dtype=np.int64)
    local_scores = np.full((len(q), k), -np.inf, dtype=np.float32)
    if len(table):
        rows, scores = top_k(q @ table.T, k)
        found = rows.shape[1]
        local_rows[:, :found] = np.where(rows >= 0, rows + first_row, -1)
        local_scores[:, :found] = scores
    if not ctx.distributed:
        return local_rows[:, : min(k, sum(sizes))], local_scores[:, : min(k, sum(sizes))]
    all_rows = _all_gather(torch.from_numpy(local_rows), ctx)
    all_scores = _all_gather(torch.from_numpy(local_scores), ctx)
    candidates_rows = torch.cat(all_rows, dim=1).numpy()
    candidates_scores = torch.cat(all_scores, dim=1).numpy()
    keep = min(k, sum(sizes))
    picked, best = top_k(candidates_scores, keep)
    merged = np.where(picked >= 0, np.take_along_axis(candidates_rows, np.maximum(picked, 0), 1), -1)
    return merged.astype(np.int64), best


def _gather_sizes(rows: int, ctx: Context) -> list[int]:
    if not ctx.distributed:
        return [rows]
    parts = _all_gather(torch.tensor([rows], dtype=torch.int64), ctx)
    return [int(p[0]) for p in parts]


def _all_gather(tensor: torch.Tensor, ctx: Context) -> list[torch.Tensor]:
    parts = [torch.empty_like(tensor) for _ in range(ctx.world_size)]
    dist.all_gather(parts, tensor.contiguous())
    return parts
