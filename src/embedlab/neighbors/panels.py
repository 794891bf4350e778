"""Exact search in one pass: a copy of the table laid out so that scoring and selecting go together.

:class:`NeighborIndex` scores a block of rows with BLAS, writes the block of scores out and
folds it into each query's best ``k``. With 50 dimensions that matrix product is short and
wide, and BLAS spends more time packing and writing than multiplying (about 1.7 ms per query in
batches of 32 on 400,000 x 50). :class:`PanelTable` keeps the table in panels of 16 rows,
dimension-major inside a panel, so one vector load brings one dimension of 16 rows; the kernel
(``_select_kernels.scan_panels``) keeps a few queries' scores of a panel in registers and
compares them with each query's k-th best at once. Nothing but the rare winners is written.

Under cosine, on CPUs with AVX512-BF16, a first pass runs on a bfloat16 copy of the table
(half the work per row): only rows whose coarse score comes within :func:`coarse_margin` of a
query's k-th best are scored exactly. That margin bounds the coarse score's error, so the
answer is the same, bit for bit, as without the first pass.

The answers follow :mod:`embedlab.neighbors.topk`'s rule (ties to the lower row, NaN never
returned). A score is the sum in dimension order of the float32 products, each rounded (no
fused multiply-add), so the kernel, its scalar path and its numpy twin agree bit for bit;
against a BLAS product the scores differ in the last bits only.

>>> table = PanelTable(np.array([[1, 0], [3, 4], [0, 2]], np.float32))
>>> rows, scores = table.search(np.array([[0.0, 5.0]], np.float32), k=2)
>>> rows.tolist(), scores.tolist()
([[2, 1]], [[1.0, 0.800000011920929]])
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import numpy as np

from ..errors import DataError, check_param

PANEL = 16
"""Rows per panel (the kernel's width: two AVX2 registers)."""

ScanPanels = Callable[
    [np.ndarray, "np.ndarray | None", float, int, int, np.ndarray, int, int, np.ndarray,
     np.ndarray, int, bool], None
]


def coarse_margin(dim: int) -> float:
    """The most a bfloat16 score of a unit query and a unit row can differ from the exact one.

    Each of the two factors of a product is rounded to bfloat16 (8 significant bits: relative
    error at most 2**-8, whatever the rounding), so a product is off by at most
    ``(2**-7 + 2**-16) |q_d x_d|`` and the sum of them by that times ``sum |q_d x_d| <= |q| |x|
    = 1`` (Cauchy-Schwarz). The coarse and the exact sums each add at most ``dim`` float32
    roundings of a partial sum no larger than 1 (``2**-24`` each, taken as ``2**-23`` for the
    slack of lengths rounded to float32), and flushed subnormals nothing that counts.

    Args:
        dim: The dimension of the vectors.

    Returns:
        The margin, a float.
    """
    return 2.0**-7 + 2.0**-16 + 2 * dim * 2.0**-23 + 1e-6


def _bfloat16(block: np.ndarray) -> np.ndarray:
    """float32 -> bfloat16 bits (uint16), rounded to nearest even; NaN stays NaN."""
    bits = np.ascontiguousarray(block, dtype=np.float32).view(np.uint32)
    rounded: np.ndarray = ((bits + np.uint32(0x7FFF) + ((bits >> 16) & np.uint32(1))) >> 16).astype(np.uint16)
    rounded[np.isnan(block)] = 0x7FC0
    return rounded


def _kernel() -> ScanPanels:
    """The C kernel, imported on first use (the tests swap the numpy twin in here)."""
    from ._select_kernels import scan_panels

    return scan_panels


class PanelTable:
    """A table of vectors laid out in panels for :meth:`search`; cosine (rows scaled to unit
    length once, here) or dot.

    The copy costs as much memory as the table in float32 (80 MB for 400,000 x 50), built a
    slice at a time so a memory-mapped table is never read whole. Under cosine a zero row has
    no direction and is nobody's neighbour (its panel holds NaN); rows that pad the last panel
    are NaN too. Cosine also keeps the bfloat16 copy (half as much again) that the first pass
    reads.

    Args:
        matrix: ``rows x dim`` vectors (any float dtype; may be a memory map).
        metric: ``"cosine"`` or ``"dot"``.

    Raises:
        InvalidParameterError: ``metric`` is not ``"cosine"`` or ``"dot"``.
        DataError: ``matrix`` is not a non-empty 2-D table.
    """

    def __init__(self, matrix: np.ndarray, metric: Literal["cosine", "dot"] = "cosine") -> None:
        check_param(metric in ("cosine", "dot"), "metric", "PanelTable", "'cosine' or 'dot'", metric)
        if matrix.ndim != 2 or len(matrix) == 0:
            raise DataError(f"PanelTable needs a non-empty rows x dim table; got shape {matrix.shape}")
        self.metric = metric
        self.rows, self.dim = int(matrix.shape[0]), int(matrix.shape[1])
        self.count = -(-self.rows // PANEL)
        self.panels = np.full((self.count, self.dim, PANEL), np.nan, dtype=np.float32)
        # Dimensions in pairs (2m, 2m + 1) of bfloat16 per row, as the kernel multiplies them.
        half = (self.dim + 1) // 2
        self.coarse: np.ndarray | None = None
        if metric == "cosine":
            self.coarse = np.zeros((self.count, half, PANEL, 2), dtype=np.uint16)
        step = PANEL * 8192
        for start in range(0, self.rows, step):
            block = np.asarray(matrix[start : start + step], dtype=np.float32)
            if metric == "cosine":
                from .index import _inverse_norms

                # The same factors as NeighborIndex's: a zero row gets NaN, so it never enters.
                block = block * _inverse_norms(block)[:, None]
            padded = np.full((-(-len(block) // PANEL) * PANEL, self.dim), np.nan, np.float32)
            padded[: len(block)] = block
            first = start // PANEL
            self.panels[first : first + len(padded) // PANEL] = (
                padded.reshape(-1, PANEL, self.dim).transpose(0, 2, 1))
            if self.coarse is not None:
                even = np.zeros((len(padded), 2 * half), np.float32)  # an odd dim pairs with 0
                even[:, : self.dim] = padded
                self.coarse[first : first + len(padded) // PANEL] = _bfloat16(even).reshape(
                    -1, PANEL, half, 2).transpose(0, 2, 1, 3)

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Rows and scores of each query's best ``k`` rows, best first.

        Under cosine the queries are scaled to unit length here; a zero query has no neighbours
        (row ``-1``, score ``-inf``), as in :class:`NeighborIndex`.

        Args:
            queries: ``n x dim`` query vectors.
            k: How many rows per query (cut to the number of rows).

        Returns:
            ``(rows, scores)``: ``n x k`` int64 rows and float32 scores, padded with ``-1`` and
            ``-inf`` where fewer rows qualify.

        Raises:
            InvalidParameterError: ``k`` is not an int >= 1.
            DataError: The queries have the wrong shape or hold NaN or infinite values.
        """
        check_param(isinstance(k, int) and k >= 1, "k", "PanelTable.search", "an int >= 1", k)
        from .index import prepare_queries

        q, no_direction = prepare_queries(queries, self.dim, self.metric)
        k = min(k, self.rows)
        scores = np.full((len(q), k), -np.inf, dtype=np.float32)
        rows = np.full((len(q), k), -1, dtype=np.int64)
        _kernel()(self.panels, self.coarse, coarse_margin(self.dim), self.count, self.dim, q,
                  len(q), 0, scores, rows, k, False)
        rows[no_direction] = -1
        scores[no_direction] = -np.inf
        return rows, scores
