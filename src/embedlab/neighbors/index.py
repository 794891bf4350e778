"""The neighbour index: one interface over a table of vectors, exact or approximate.

``exact``  blocked matrix products over the table. Each block of rows is scored against the
           queries and only its best ``k`` per query are kept, so memory stays bounded by
           ``max_block_mb`` however many keys there are: a memory-mapped table of millions of
           rows is streamed, never copied whole.
``faiss``  an approximate index from faiss (extra ``[ann]``): an HNSW graph by default
           (``index="hnsw"``, options ``hnsw_m``, ``ef_construction``, ``ef_search``) or an
           inverted file (``index="ivf"``, options ``nlist``, ``nprobe``). Much faster per
           query, slightly inexact; :func:`recall_at_k` measures how inexact.
``auto``   faiss for tables above 200,000 keys when faiss is installed, else exact.

Cosine similarity is the default metric (rows and queries scaled to unit length); ``dot`` uses
the raw vectors; ``euclidean`` (exact only) ranks by straight-line distance and answers minus
the distance as the score, so that higher is closer under every metric. Exact answers follow the ranking rule of :mod:`embedlab.neighbors.topk` (ties
to the lower row; NaN never returned). Under cosine a zero vector has no direction: as a query
it gets no neighbours (its answer row is all ``-1``), as a row it is nobody's neighbour. A
query holding NaN or infinity is a :class:`~embedlab.errors.DataError`.

Example (``glove`` is ``datasets.load("glove-6b-50d")``)::

    index = build_index(glove)                       # exact, cosine
    rows, scores = index.search(["king", "frog"], k=5)
    index.neighbors("frog", k=3)   # [('snake', 0.84...), ('ape', 0.79...), ('toad', 0.79...)]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ..errors import DataError, InvalidParameterError, check_param, require
from .topk import exact_top_k

if TYPE_CHECKING:  # only used through its methods: the package never imports vectors.py
    from ..vectors import Vectors

Metric = Literal["cosine", "dot", "euclidean"]
Method = Literal["exact", "faiss", "auto"]
Queries = np.ndarray | Sequence[str]

AUTO_FAISS_ABOVE = 200_000


class NeighborIndex:
    """Find the ``k`` rows of ``vectors`` most similar to query vectors or keys.

    Options (keywords): ``max_block_mb`` (exact: memory for one block of scores, default 2:
    it stays in cache), ``block_size`` (exact: rows per block, overrides ``max_block_mb``);
    for faiss ``index="hnsw"|"ivf"``, ``hnsw_m=16``, ``ef_construction=100``, ``ef_search=64``,
    ``nlist=1024``, ``nprobe=32``.

    Args:
        vectors: The table to search.
        method: ``"exact"``, ``"faiss"`` (approximate) or ``"auto"`` (faiss above 200,000
            keys when faiss is installed, else exact).
        metric: ``"cosine"``, ``"dot"`` or ``"euclidean"`` (exact only).
        block_size: Exact: rows per block, overrides ``max_block_mb``.
        max_block_mb: Exact: memory for one block of scores (default 2: it stays in cache).
        index: faiss: ``"hnsw"`` or ``"ivf"``.
        hnsw_m: faiss HNSW: links per node.
        ef_construction: faiss HNSW: search depth while building.
        ef_search: faiss HNSW: search depth while searching.
        nlist: faiss IVF: number of lists.
        nprobe: faiss IVF: lists visited per query.

    Raises:
        InvalidParameterError: An option is not one of its allowed values, or
            ``metric="euclidean"`` is asked of faiss.
        DataError: ``vectors`` is empty.
        MissingExtraError: faiss is asked for and not installed.
    """

    def __init__(
        self,
        vectors: Vectors,
        method: Method = "exact",
        metric: Metric = "cosine",
        *,
        block_size: int | None = None,
        max_block_mb: float = 2.0,
        index: Literal["hnsw", "ivf"] = "hnsw",
        hnsw_m: int = 16,
        ef_construction: int = 100,
        ef_search: int = 64,
        nlist: int = 1024,
        nprobe: int = 32,
    ) -> None:
        owner = "NeighborIndex"
        check_param(method in ("exact", "faiss", "auto"), "method", owner,
                    "'exact', 'faiss' or 'auto'", method)
        check_param(metric in ("cosine", "dot", "euclidean"), "metric", owner,
                    "'cosine', 'dot' or 'euclidean'", metric)
        check_param(block_size is None or (isinstance(block_size, int) and block_size >= 1),
                    "block_size", owner, "an int >= 1 or None", block_size)
        check_param(max_block_mb > 0, "max_block_mb", owner, "a number > 0", max_block_mb)
        check_param(index in ("hnsw", "ivf"), "index", owner, "'hnsw' or 'ivf'", index)
        for name, value in (("hnsw_m", hnsw_m), ("ef_construction", ef_construction),
                            ("ef_search", ef_search), ("nlist", nlist), ("nprobe", nprobe)):
            check_param(isinstance(value, int) and value >= 1, name, owner, "an int >= 1", value)
        if len(vectors) == 0:
            raise DataError("cannot build a neighbour index over no vectors")
        self.vectors = vectors
        # "auto" never picks faiss for euclidean, which is exact only.
        self.method = "exact" if metric == "euclidean" and method == "auto" else resolve_method(method, len(vectors))
        self.metric = metric
        self.block_size = block_size
        self.max_block_mb = max_block_mb
        # Row lengths (for cosine) are kept as a vector: the table itself is never copied.
        self._inverse_norms = _inverse_norms(vectors.matrix) if metric == "cosine" else None
        # Euclidean as a dot product: q.x - |x|^2/2 ranks rows as -|q - x|^2 does, so the table
        # gets one more column, -|x|^2/2, which a query meets with a 1.
        self._augmented = _augment(vectors.matrix) if metric == "euclidean" else None
        self._faiss: Any = None
        if self.method == "faiss" and metric == "euclidean":
            raise InvalidParameterError("metric='euclidean' is exact only; use method='exact'")
        if self.method == "faiss":
            self._faiss = _build_faiss(self._unit_rows_or_raw(), index, hnsw_m, ef_construction,
                                       ef_search, nlist, nprobe)

    # ------------------------------------------------------------------ queries
    def _unit_rows_or_raw(self) -> np.ndarray:
        matrix = np.asarray(self.vectors.matrix, dtype=np.float32)
        if self._inverse_norms is None:
            return np.ascontiguousarray(matrix)
        # Zero rows stay zero for faiss (their NaN factor keeps them out of exact answers).
        factors = np.nan_to_num(self._inverse_norms, nan=0.0)
        return np.ascontiguousarray(matrix * factors[:, None])

    def _queries(self, queries: Queries) -> tuple[np.ndarray, np.ndarray]:
        """The queries as a float32 matrix (unit rows under cosine), and which of them are zero
        vectors under cosine (no direction: they get no neighbours)."""
        if isinstance(queries, np.ndarray):
            return prepare_queries(queries, self.vectors.dim, self.metric)
        if isinstance(queries, str):
            queries = [queries]
        rows = [self.vectors.index_of(key) for key in queries]  # UnknownKeyError suggests
        return prepare_queries(np.asarray(self.vectors.matrix[rows], dtype=np.float32),
                               self.vectors.dim, self.metric)

    def search(self, queries: Queries, k: int = 10) -> tuple[np.ndarray, np.ndarray]:
        """Row indices and scores (``len(queries) x k``) of each query's best matches, best first.

        ``queries`` is a matrix of query vectors or a list of keys. ``vectors.keys[row]`` turns
        a row into its key; :meth:`search_keys` does it for you.

        Args:
            queries: A matrix of query vectors, or a list of keys.
            k: How many matches per query (cut to the number of rows).

        Returns:
            ``(rows, scores)``: ``len(queries) x k`` int64 rows and float32 scores, best
            first; row ``-1`` and score ``-inf`` where there is no match (a zero query under
            cosine).

        Raises:
            InvalidParameterError: ``k`` is not an int >= 1.
            DataError: Query vectors have the wrong number of columns, or hold NaN or
                infinite values.
            UnknownKeyError: A query key is not in the table.
        """
        check_param(isinstance(k, int) and k >= 1, "k", "NeighborIndex.search", "an int >= 1", k)
        q, no_direction = self._queries(queries)
        k = min(k, len(self.vectors))
        if self._faiss is not None:
            faiss_scores, faiss_rows = self._faiss.search(q, k)
            rows, scores = faiss_rows.astype(np.int64), faiss_scores.astype(np.float32)
        else:
            rows, scores = self._exact(q, k)
        rows[no_direction] = -1  # a zero query: cosine is undefined, so nothing is near it
        scores[no_direction] = -np.inf
        return rows, scores

    def search_keys(self, queries: Queries, k: int = 10) -> list[list[tuple[str, float]]]:
        """Like :meth:`search`, answering ``(key, score)`` pairs per query.

        Args:
            queries: A matrix of query vectors, or a list of keys.
            k: How many matches per query.

        Returns:
            One list of up to ``k`` ``(key, score)`` pairs per query, best first.

        Raises:
            InvalidParameterError: ``k`` is not an int >= 1.
            DataError: Query vectors have the wrong number of columns, or hold NaN or
                infinite values.
            UnknownKeyError: A query key is not in the table.
        """
        rows, scores = self.search(queries, k)
        keys = self.vectors.keys
        return [[(keys[r], float(s)) for r, s in zip(rr, ss, strict=True) if r >= 0]
                for rr, ss in zip(rows, scores, strict=True)]

    def neighbors(self, key: str, k: int = 10) -> list[tuple[str, float]]:
        """The ``k`` keys closest to ``key``, itself left out.

        Args:
            key: The key whose neighbours are asked.
            k: How many neighbours.

        Returns:
            Up to ``k`` ``(key, score)`` pairs, best first.

        Raises:
            UnknownKeyError: ``key`` is not in the table.
            InvalidParameterError: ``k`` is not an int >= 0.
            DataError: The vector of ``key`` holds NaN or infinite values.
        """
        own = self.vectors.index_of(key)
        rows, scores = self.search([key], k + 1)
        keys = self.vectors.keys
        found = [(keys[r], float(s)) for r, s in zip(rows[0], scores[0], strict=True)
                 if r != own and r >= 0]
        return found[:k]

    # ------------------------------------------------------------------ exact search
    def rows_per_block(self, queries: int) -> int:
        """Rows scored at once: the score block (queries x rows, float32) fits the budget, and
        a block has at least 4,096 rows (smaller ones cost more in per-block overhead than they
        gain in cache; many queries go a slice at a time, see ``_exact_slice``).

        Args:
            queries: The number of queries scored together.

        Returns:
            The number of table rows per block (``block_size`` when it was given).
        """
        if self.block_size is not None:
            return self.block_size
        budget = int(self.max_block_mb * 2**20 / 4 / max(queries, 1))
        return max(4096, min(budget, 1 << 20))

    def _exact(self, q: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        import torch

        # Many queries: each thread takes its own slice of them, one torch thread each, so no
        # thread waits on the others between the many small steps of a block (as faiss does).
        # Few queries: one slice, and torch spreads each matrix product over the threads.
        threads = torch.get_num_threads()
        slices = threads if len(q) >= 64 * threads and threads > 1 else 1
        bounds = np.linspace(0, len(q), slices + 1).astype(int)
        parts = [q[bounds[i] : bounds[i + 1]] for i in range(slices)]
        if slices == 1:
            return self._exact_slice(q, k)
        from concurrent.futures import ThreadPoolExecutor

        torch.set_num_threads(1)
        try:
            with ThreadPoolExecutor(slices) as pool:
                answers = list(pool.map(lambda part: self._exact_slice(part, k), parts))
        finally:
            torch.set_num_threads(threads)
        return (np.concatenate([rows for rows, _ in answers]),
                np.concatenate([scores for _, scores in answers]))

    def _exact_slice(self, q: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        # Very many queries go a slice at a time so one score block stays within budget.
        query_slice = max(1, int(self.max_block_mb * 2**20 / 4 / 1024))
        rows_out = np.empty((len(q), k), dtype=np.int64)
        scores_out = np.empty((len(q), k), dtype=np.float32)
        for start in range(0, len(q), query_slice):
            part = q[start : start + query_slice]
            if self._augmented is not None:
                rows, scores = self._euclidean(part, k)
            else:
                rows, scores = exact_top_k(part, self.vectors.matrix, k,
                                           self.rows_per_block(len(part)), self._inverse_norms)
            rows_out[start : start + len(part)] = rows
            scores_out[start : start + len(part)] = scores
        return rows_out, scores_out

    def _euclidean(self, q: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        assert self._augmented is not None
        extended = np.hstack([q, np.ones((len(q), 1), dtype=np.float32)])
        rows, scores = exact_top_k(extended, self._augmented, k, self.rows_per_block(len(q)))
        # score = q.x - |x|^2/2, so |q - x|^2 = |q|^2 - 2 score (clipped: rounding can dip below 0)
        squares = np.einsum("ij,ij->i", q, q)[:, None] - 2.0 * scores
        return rows, (-np.sqrt(np.maximum(squares, 0.0))).astype(np.float32)


def _augment(matrix: np.ndarray) -> np.ndarray:
    """The table with a last column of -|x|^2 / 2 (so q.x + that ranks rows by distance to q)."""
    table = np.asarray(matrix, dtype=np.float32)
    half_squares = 0.5 * np.einsum("ij,ij->i", table, table)
    return np.ascontiguousarray(np.hstack([table, -half_squares[:, None]]), dtype=np.float32)


def prepare_queries(queries: np.ndarray, dim: int, metric: str) -> tuple[np.ndarray, np.ndarray]:
    """Query vectors as a C-contiguous float32 matrix (scaled to unit length under cosine), and
    which of them are zero vectors under cosine (no direction: they get no neighbours).

    Args:
        queries: One query vector or a matrix of them.
        dim: The table's dimension.
        metric: ``"cosine"``, ``"dot"`` or ``"euclidean"``.

    Returns:
        ``(matrix, no_direction)``: the queries, and a boolean per query.

    Raises:
        DataError: The queries have not ``dim`` columns, or hold NaN or infinite values.
    """
    matrix: np.ndarray = np.atleast_2d(np.asarray(queries, dtype=np.float32))
    if matrix.ndim != 2 or matrix.shape[1] != dim:
        raise DataError(
            f"queries must have {dim} columns (the vectors' dimension); "
            f"got shape {matrix.shape}"
        )
    if not np.isfinite(matrix).all():
        bad = int(np.flatnonzero(~np.isfinite(matrix).all(axis=1))[0])
        raise DataError(f"queries contain NaN or infinite values (query {bad}); "
                        "give finite query vectors")
    no_direction = np.zeros(len(matrix), dtype=bool)
    if metric == "cosine":
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        no_direction = norms[:, 0] == 0
        matrix = matrix / np.where(no_direction[:, None], 1, norms)
    return np.ascontiguousarray(matrix, dtype=np.float32), no_direction


def _inverse_norms(matrix: np.ndarray, step: int = 262_144) -> np.ndarray:
    """1 / row length, computed a block at a time (the table may be a memory map).

    A zero row gets NaN: its cosine with anything is undefined, and a NaN score is never
    returned, so it is nobody's neighbour."""
    out = np.empty(len(matrix), dtype=np.float32)
    for start in range(0, len(matrix), step):
        block = np.asarray(matrix[start : start + step], dtype=np.float32)
        norms = np.sqrt(np.einsum("ij,ij->i", block, block))
        out[start : start + step] = np.divide(1.0, norms, out=np.full_like(norms, np.nan),
                                              where=norms > 0)
    return out


def _build_faiss(table: np.ndarray, kind: str, hnsw_m: int, ef_construction: int,
                 ef_search: int, nlist: int, nprobe: int) -> Any:
    faiss = require("faiss", "ann")
    dim = table.shape[1]
    if kind == "hnsw":
        index = faiss.IndexHNSWFlat(dim, hnsw_m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = ef_construction
        index.hnsw.efSearch = ef_search
    else:
        nlist = max(1, min(nlist, len(table) // 39))  # faiss wants ~39 training points per list
        index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, nlist, faiss.METRIC_INNER_PRODUCT)
        index.train(table)
        index.nprobe = min(nprobe, nlist)
    index.add(table)
    return index


def resolve_method(method: Method, rows: int) -> Literal["exact", "faiss"]:
    """What ``method`` means for a table of ``rows`` keys: ``"auto"`` is faiss above
    200,000 keys when faiss is installed, else exact.

    Args:
        method: ``"exact"``, ``"faiss"`` or ``"auto"``.
        rows: The number of keys in the table.

    Returns:
        ``"exact"`` or ``"faiss"``.
    """
    if method == "auto":
        return "faiss" if rows > AUTO_FAISS_ABOVE and _has_faiss() else "exact"
    return "faiss" if method == "faiss" else "exact"


def _has_faiss() -> bool:
    try:
        import faiss  # noqa: F401
    except ImportError:
        return False
    return True


def build_index(
    vectors: Vectors,
    method: Method = "exact",
    metric: Metric = "cosine",
    *,
    block_size: int | None = None,
    max_block_mb: float = 2.0,
    index: Literal["hnsw", "ivf"] = "hnsw",
    hnsw_m: int = 16,
    ef_construction: int = 100,
    ef_search: int = 64,
    nlist: int = 1024,
    nprobe: int = 32,
) -> NeighborIndex:
    """A :class:`NeighborIndex` over ``vectors`` (see the class for the options).

    Args:
        vectors: The table to search.
        method: ``"exact"``, ``"faiss"`` (approximate) or ``"auto"`` (faiss above 200,000
            keys when faiss is installed, else exact).
        metric: ``"cosine"``, ``"dot"`` or ``"euclidean"`` (exact only).
        block_size: Exact: rows per block, overrides ``max_block_mb``.
        max_block_mb: Exact: memory for one block of scores (default 2: it stays in cache).
        index: faiss: ``"hnsw"`` or ``"ivf"``.
        hnsw_m: faiss HNSW: links per node.
        ef_construction: faiss HNSW: search depth while building.
        ef_search: faiss HNSW: search depth while searching.
        nlist: faiss IVF: number of lists.
        nprobe: faiss IVF: lists visited per query.

    Returns:
        The new index.

    Raises:
        InvalidParameterError: An option is not one of its allowed values, or
            ``metric="euclidean"`` is asked of faiss.
        DataError: ``vectors`` is empty.
        MissingExtraError: faiss is asked for and not installed.
    """
    return NeighborIndex(vectors, method=method, metric=metric, block_size=block_size,
                         max_block_mb=max_block_mb, index=index, hnsw_m=hnsw_m,
                         ef_construction=ef_construction, ef_search=ef_search, nlist=nlist,
                         nprobe=nprobe)


def recall_at_k(
    approximate: NeighborIndex | np.ndarray,
    exact: NeighborIndex | np.ndarray,
    queries: Queries | None = None,
    k: int = 10,
) -> float:
    """Share of the exact top-``k`` rows that the approximate search also found (mean over queries).

    Give two indexes and the queries (``recall_at_k(ann, exact, queries, k=10)``), or the two
    row matrices that their ``search`` returned.

    Args:
        approximate: The approximate index, or the rows its ``search`` returned.
        exact: The exact index, or the rows its ``search`` returned.
        queries: The queries to run on two indexes (not used with row matrices).
        k: How many matches per query, for two indexes.

    Returns:
        The share of the exact rows found by the approximate search, in [0, 1].

    Raises:
        InvalidParameterError: One index and one row matrix are given, or two indexes
            without ``queries``.
        DataError: The two row matrices cover different numbers of queries.
    """
    if isinstance(approximate, NeighborIndex) or isinstance(exact, NeighborIndex):
        if not (isinstance(approximate, NeighborIndex) and isinstance(exact, NeighborIndex)):
            raise InvalidParameterError("give two indexes or two row matrices, not one of each")
        if queries is None:
            raise InvalidParameterError("recall_at_k needs the queries to run on two indexes")
        approximate = approximate.search(queries, k)[0]
        exact = exact.search(queries, k)[0]
    if approximate.shape[0] != exact.shape[0]:
        raise DataError(
            f"both answers must cover the same queries; got {approximate.shape[0]} and "
            f"{exact.shape[0]} rows"
        )
    hits = sum(len(set(a.tolist()) & set(e.tolist()))
               for a, e in zip(approximate, exact, strict=True))
    return hits / exact.size if exact.size else 0.0
