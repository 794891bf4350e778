"""Nearest neighbours: the one exact top-k, and the index API over a table of vectors.

* :mod:`~embedlab.neighbors.topk` -- :func:`top_k` (the best ``k`` of each row of a score
  matrix), :class:`TopK` (the same while a table is scanned block by block) and
  :func:`exact_top_k` (blocked matrix products over a table). Every ranking in embedlab goes
  through them, so one rule holds everywhere: best first, equal scores to the lower row, NaN
  (and ``-inf``, which callers use to leave rows out) never returned. The selection is a C
  kernel (``_select_kernels.c``) beside its plain twin (``_select_reference.py``).
* :mod:`~embedlab.neighbors.index` -- :class:`NeighborIndex` / :func:`build_index`: exact or
  approximate (faiss) search by key or vector, cosine or dot; :func:`recall_at_k`.

Nothing here imports torch or faiss until a search needs them.
"""

from .index import (
    AUTO_FAISS_ABOVE,
    Method,
    Metric,
    NeighborIndex,
    Queries,
    build_index,
    recall_at_k,
    resolve_method,
)
from .topk import TopK, exact_top_k, top_k

__all__ = [
    "AUTO_FAISS_ABOVE",
    "Method",
    "Metric",
    "NeighborIndex",
    "Queries",
    "TopK",
    "build_index",
    "exact_top_k",
    "recall_at_k",
    "resolve_method",
    "top_k",
]
