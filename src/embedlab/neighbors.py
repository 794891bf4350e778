"""Nearest neighbours at scale: one interface, exact or approximate.

``exact``  blocked matrix products over the table; memory stays bounded by the block sizes,
           so millions of keys are fine.
``faiss``  an HNSW graph from faiss (extra ``[ann]``): much faster per query, slightly
           inexact; ``recall_at_k`` measures how inexact against the exact answer.

Cosine similarity is the default metric (rows are scaled to unit length first); ``dot`` uses
the raw vectors.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

from ._topk import topk_rows
from .errors import DataError, check_param, require
from .vectors import Vectors

Metric = Literal["cosine", "dot"]
Method = Literal["exact", "faiss", "auto"]


class NeighborIndex:
    """Find the ``k`` rows of ``vectors`` most similar to query vectors or keys."""

    def __init__(
        self,
        vectors: Vectors,
        method: Method = "exact",
        metric: Metric = "cosine",
        block_size: int = 131_072,
        hnsw_m: int = 32,
        ef_search: int = 128,
        ef_construction: int = 200,
    ) -> None:
        owner = "NeighborIndex"
        check_param(method in ("exact", "faiss", "auto"), "method", owner, "'exact', 'faiss' or 'auto'", method)
        check_param(metric in ("cosine", "dot"), "metric", owner, "'cosine' or 'dot'", metric)
        check_param(isinstance(block_size, int) and block_size >= 1, "block_size", owner, "an int >= 1", block_size)
        if method == "auto":
            method = "faiss" if len(vectors) > 200_000 and _has_faiss() else "exact"
        self.vectors = vectors
        self.method = method
        self.metric = metric
        self.block_size = block_size
        self._table = vectors.unit if metric == "cosine" else np.asarray(vectors.matrix, np.float32)
        self._faiss = None
        if method == "faiss":
            faiss = require("faiss", "ann")
            index = faiss.IndexHNSWFlat(vectors.dim, hnsw_m, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = ef_construction
            index.hnsw.efSearch = ef_search
            index.add(np.ascontiguousarray(self._table))
            self._faiss = index

    def _queries(self, queries: np.ndarray | Sequence[str]) -> np.ndarray:
        if isinstance(queries, np.ndarray):
            matrix: np.ndarray = np.atleast_2d(np.asarray(queries, dtype=np.float32))
            if matrix.shape[1] != self.vectors.dim:
                raise DataError(f"queries must have {self.vectors.dim} columns; got {matrix.shape[1]}")
            if self.metric == "cosine":
                norms = np.linalg.norm(matrix, axis=1, keepdims=True)
                matrix = matrix / np.where(norms == 0, 1, norms)
            return np.ascontiguousarray(matrix, dtype=np.float32)
        rows = [self.vectors.index_of(k) for k in queries]
        return np.ascontiguousarray(self._table[rows])

    def search(self, queries: np.ndarray | Sequence[str], k: int = 10) -> tuple[np.ndarray, np.ndarray]:
        """Row indices and scores (``len(queries) x k``) of each query's best matches, best first."""
        check_param(isinstance(k, int) and k >= 1, "k", "NeighborIndex.search", "an int >= 1", k)
        q = self._queries(queries)
        k = min(k, len(self.vectors))
        if self._faiss is not None:
            scores, rows = self._faiss.search(q, k)
            return rows.astype(np.int64), scores
        best_rows = np.zeros((len(q), 0), dtype=np.int64)
        best_scores = np.zeros((len(q), 0), dtype=np.float32)
        for start in range(0, len(self._table), self.block_size):
            block = self._table[start : start + self.block_size]
            rows, scores = topk_rows(q @ block.T, k)
            # Merge this block's best with the best so far, keeping k.
            all_rows = np.hstack([best_rows, rows + start])
            all_scores = np.hstack([best_scores, scores])
            pick, best_scores = topk_rows(all_scores, k)
            best_rows = np.take_along_axis(all_rows, pick, axis=1)
        return best_rows, best_scores

    def neighbors(self, key: str, k: int = 10) -> list[tuple[str, float]]:
        """The ``k`` keys closest to ``key``, itself left out."""
        rows, scores = self.search([key], k + 1)
        own = self.vectors.index_of(key)
        keys = self.vectors.keys
        found = [(keys[r], float(s)) for r, s in zip(rows[0], scores[0], strict=True) if r != own]
        return found[:k]


def _has_faiss() -> bool:
    try:
        import faiss  # noqa: F401
    except ImportError:
        return False
    return True


def build_index(vectors: Vectors, method: Method = "exact", metric: Metric = "cosine", **options: int) -> NeighborIndex:
    """A :class:`NeighborIndex` over ``vectors``."""
    return NeighborIndex(vectors, method=method, metric=metric, **options)


def recall_at_k(approximate: np.ndarray, exact: np.ndarray) -> float:
    """Share of the exact top-k rows that the approximate search also found (mean over queries)."""
    if approximate.shape[0] != exact.shape[0]:
        raise DataError("both answers must cover the same queries")
    hits = sum(len(set(a.tolist()) & set(e.tolist())) for a, e in zip(approximate, exact, strict=True))
    return hits / exact.size if exact.size else 0.0
