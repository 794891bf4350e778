"""Exact top-k: the one selection that every ranking in embedlab goes through.

``Vectors.most_similar``, the neighbour index, the analogy evaluation, the recommenders and the
text+image search all keep their best ``k`` here, so they all follow one rule:

* best first; **equal scores keep the lower row (index) first**;
* **a NaN score is never returned**, nor is ``-inf`` (callers set a score to ``-inf`` to leave
  a row out, e.g. the query words or the items a user has seen);
* when fewer than ``k`` rows qualify, the answer arrays are padded with row ``-1`` and score
  ``-inf`` (as faiss pads), and the lists built from them are shorter.

Scores are compared as float32. The selection itself is a C kernel
(``_select_kernels.c``) that folds a block of scores into each query's running best ``k`` in
one pass; ``_select_reference.py`` is its plain twin with the same signature.

>>> rows, values = top_k(np.array([0.5, np.nan, 0.75, 0.5, -np.inf], np.float32), 4)
>>> rows.tolist(), values.tolist()
([2, 0, 3, -1], [0.75, 0.5, 0.5, -inf])
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np

from ..errors import DataError, InvalidParameterError, check_param

FoldBlock = Callable[
    [np.ndarray, int, int, int, "np.ndarray | None", np.ndarray, np.ndarray, int], None
]


PARALLEL_FROM = 1 << 20
"""Scores in one block from which :class:`TopK` spreads the fold over threads."""


def _kernel() -> FoldBlock:
    """The C kernel, imported on first use so that ``import embedlab`` loads no compiled code.

    The tests swap ``_select_reference.fold_block`` in here to run everything on the twin.
    """
    from ._select_kernels import fold_block

    return fold_block


class TopK:
    """Each query's best ``k`` rows so far, while a table is scanned a block of rows at a time.

    >>> best = TopK(queries=1, k=2)
    >>> best.fold(np.array([[0.25, 0.75]], np.float32), first_row=0)
    >>> best.fold(np.array([[0.75, 0.5]], np.float32), first_row=2)
    >>> best.rows.tolist(), best.scores.tolist()
    ([[1, 2]], [[0.75, 0.75]])

    ``rows`` (int64) and ``scores`` (float32) are ``queries x k``, best first, following the
    module's rule; blocks must come in increasing row order (that is what keeps the lower row
    first among equal scores). A large block is shared among ``threads`` threads (default:
    the cores), each taking a slice of the queries; the kernel runs without the GIL.

    Args:
        queries: The number of queries (rows of every block of scores).
        k: How many rows to keep per query.
        threads: The most threads a large block is shared among (``None``: the cores).

    Raises:
        InvalidParameterError: ``queries`` is not an int >= 0, ``k`` not an int >= 1, or
            ``threads`` not an int >= 1 or None.
    """

    def __init__(self, queries: int, k: int, threads: int | None = None) -> None:
        check_param(isinstance(queries, int) and queries >= 0, "queries", "TopK", "an int >= 0",
                    queries)
        check_param(isinstance(k, int) and k >= 1, "k", "TopK", "an int >= 1", k)
        check_param(threads is None or (isinstance(threads, int) and threads >= 1), "threads",
                    "TopK", "an int >= 1 or None", threads)
        self.k = k
        self.threads = threads
        self.scores = np.full((queries, k), -np.inf, dtype=np.float32)
        self.rows = np.full((queries, k), -1, dtype=np.int64)
        self._fold = _kernel()
        self._next_row = 0

    def fold(self, scores: np.ndarray, first_row: int, scale: np.ndarray | None = None) -> None:
        """Take in ``scores`` (``queries x n``; column ``i`` is row ``first_row + i``), each
        column times ``scale[i]`` when given (cosine: the rows' inverse lengths).

        Args:
            scores: A ``queries x n`` block of scores.
            first_row: The table row of the block's first column.
            scale: One factor per column, or ``None``.

        Raises:
            DataError: ``scores`` is not ``queries x n``, or ``scale`` has not one factor per
                column.
            InvalidParameterError: The block starts before the end of the previous one.
        """
        block = np.ascontiguousarray(scores, dtype=np.float32)
        if block.ndim != 2 or block.shape[0] != len(self.rows):
            raise DataError(f"a block of scores must be {len(self.rows)} x n (one row per "
                            f"query); got shape {block.shape}")
        if first_row < self._next_row:
            raise InvalidParameterError(
                f"blocks must come in increasing row order: this one starts at row {first_row}, "
                f"before the end of the last one ({self._next_row})")
        factors = None
        if scale is not None:
            factors = np.ascontiguousarray(scale, dtype=np.float32)
            if factors.shape != (block.shape[1],):
                raise DataError(f"scale must hold one factor per column ({block.shape[1]}); "
                                f"got shape {factors.shape}")
        slices = self._slices(block.shape[0], block.size)
        if len(slices) == 1:
            self._fold(block, block.shape[0], block.shape[1], first_row, factors, self.scores,
                       self.rows, self.k)
        else:
            from .._threads import run_all

            run_all(self._fold, [(block[a:b], b - a, block.shape[1], first_row, factors,
                                  self.scores[a:b], self.rows[a:b], self.k) for a, b in slices])
        self._next_row = first_row + block.shape[1]

    def _slices(self, queries: int, size: int) -> list[tuple[int, int]]:
        """Query ranges for the threads: one unless the block is large (a thread's start-up
        costs more than folding a small block) and each thread gets 64 queries or more."""
        if size < PARALLEL_FROM:
            return [(0, queries)]
        if self.threads is None:
            from .._threads import workers

            threads = workers()
        else:
            threads = self.threads
        parts = max(1, min(threads, queries // 64))
        bounds = np.linspace(0, queries, parts + 1).astype(int).tolist()
        return list(zip(bounds[:-1], bounds[1:], strict=True))


def top_k(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices and values of the ``k`` best entries of each row of ``scores``, best first.

    ``scores`` is one row of scores (1-D: the answers are 1-D) or a matrix (one row per
    query). ``k`` above the number of columns is cut to it. The module's rule applies: ties to
    the lower index, NaN and ``-inf`` never returned (index ``-1``, score ``-inf`` instead).

    Args:
        scores: One row of scores, or a matrix with one row per query.
        k: How many entries to keep per row (>= 0).

    Returns:
        ``(indices, values)``: int64 indices and float32 scores, ``k`` per row (1-D for 1-D
        ``scores``), best first.

    Raises:
        InvalidParameterError: ``k`` is not an int >= 0.
        DataError: ``scores`` is neither one row nor a matrix.
    """
    check_param(isinstance(k, int | np.integer) and k >= 0, "k", "top_k", "an int >= 0", k)
    matrix = np.asarray(scores, dtype=np.float32)
    single = matrix.ndim == 1
    if single:
        matrix = matrix[None, :]
    if matrix.ndim != 2:
        raise DataError(f"scores must be one row or a matrix; got shape {matrix.shape}")
    k = min(int(k), matrix.shape[1])
    if k == 0:
        rows = np.empty((len(matrix), 0), dtype=np.int64)
        values = np.empty((len(matrix), 0), dtype=np.float32)
    else:
        best = TopK(len(matrix), k)
        best.fold(matrix, 0)
        rows, values = best.rows, best.scores
    return (rows[0], values[0]) if single else (rows, values)


def exact_top_k(
    queries: np.ndarray, table: np.ndarray, k: int, block: int,
    inverse_norms: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Rows and scores of the ``k`` largest ``queries @ table.T`` (times ``inverse_norms``).

    The table is read ``block`` rows at a time (it may be a memory map, never copied whole):
    BLAS scores the block, and :class:`TopK` folds it into each query's best ``k`` while it is
    in cache. After the first blocks hardly any score beats a query's k-th best, so that pass
    is a vectorised comparison. ``k`` must not exceed the row count.

    Args:
        queries: A ``queries x dim`` matrix.
        table: A ``rows x dim`` matrix (may be a memory map).
        k: How many rows to keep per query (1 .. rows).
        block: How many table rows to score at once.
        inverse_norms: One factor per table row multiplying its scores, or ``None``.

    Returns:
        ``(rows, scores)``: ``queries x k`` int64 rows and float32 scores, best first.

    Raises:
        InvalidParameterError: ``k`` is not an int >= 1.
        DataError: ``inverse_norms`` has not one factor per table row.
    """
    import torch

    q = torch.from_numpy(np.ascontiguousarray(queries, dtype=np.float32))
    best = TopK(len(q), k, threads=1)  # the index runs one search per thread already
    with warnings.catch_warnings():  # the table may be read-only (a memory map): never written
        warnings.simplefilter("ignore", UserWarning)
        for start in range(0, len(table), block):
            rows = torch.from_numpy(np.asarray(table[start : start + block], dtype=np.float32))
            scale = None if inverse_norms is None else inverse_norms[start : start + len(rows)]
            best.fold((q @ rows.T).numpy(), start, scale)
    return best.rows, best.scores
