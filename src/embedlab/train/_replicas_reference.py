"""Plain-numpy twin of ``_replicas_kernels``: the same signature and the same float32 sums."""

from __future__ import annotations

import numpy as np

__all__ = ["merge_rows"]


def merge_rows(copies: tuple[np.ndarray, ...], last: np.ndarray, lo: int, hi: int) -> None:
    """Rows ``lo:hi`` of every copy and of ``last`` become ``last + sum(copy - last)``.

    ``last`` holds the common value the copies had at the previous merge: each copy's
    difference from it is what its thread learned since, and every thread's learning is kept
    whole (as Hogwild threads writing one matrix keep it). The terms are added in copy order.
    """
    base = last[lo:hi].copy()
    merged = base.copy()
    for copy in copies:
        merged += copy[lo:hi] - base
    last[lo:hi] = merged
    for copy in copies:
        copy[lo:hi] = merged
