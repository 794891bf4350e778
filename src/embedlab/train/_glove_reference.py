"""GloVe's kernels of ``_glove_kernels`` in plain Python and numpy (float64 inside): the same
names and signatures, so either module can train a model."""

from __future__ import annotations

import numpy as np

__all__ = ["adagrad_epoch", "adagrad_step", "window_pairs"]


def window_pairs(ids: np.ndarray, bounds: np.ndarray, first: int, last: int, window: int,
                 vocab: int, keys: np.ndarray, weights: np.ndarray) -> int:
    """One entry per pair of words at most ``window`` apart in a sentence, key
    ``lo * vocab + hi`` (``lo <= hi``), weight ``1 / distance``; returns how many were written."""
    n = 0
    for s in range(first, last):
        start = int(bounds[s])
        for p in range(start, int(bounds[s + 1])):
            for q in range(max(start, p - window), p):
                lo, hi = sorted((int(ids[p]), int(ids[q])))
                keys[n] = lo * vocab + hi
                weights[n] = 1.0 / (p - q)
                n += 1
    return n


def adagrad_step(w: np.ndarray, c: np.ndarray, bw: np.ndarray, bc: np.ndarray, gw: np.ndarray,
                 gc: np.ndarray, gbw: np.ndarray, gbc: np.ndarray, i: int, j: int, x: float,
                 x_max: float, alpha: float, lr: float, grad_w: np.ndarray,
                 grad_c: np.ndarray) -> float:
    """One weighted least-squares AdaGrad step on entry (i, j, x); returns its cost.

    ``grad_w``/``grad_c`` are the kernel's scratch rows; here they receive the two steps.
    """
    diff = float(w[i] @ c[j]) + bw[i] + bc[j] - np.log(x)
    fdiff = min(1.0, (x / x_max) ** alpha) * diff
    cost = float(0.5 * fdiff * diff)
    step = lr * fdiff  # the GloVe tool accumulates squares of lr-scaled steps
    grad_w[:] = step * c[j]
    grad_c[:] = step * w[i]
    w[i] -= grad_w / np.sqrt(gw[i])
    c[j] -= grad_c / np.sqrt(gc[j])
    gw[i] += grad_w**2
    gc[j] += grad_c**2
    bw[i] -= step / np.sqrt(gbw[i])
    bc[j] -= step / np.sqrt(gbc[j])
    gbw[i] += step**2
    gbc[j] += step**2
    return cost


def adagrad_epoch(w: np.ndarray, c: np.ndarray, bw: np.ndarray, bc: np.ndarray, gw: np.ndarray,
                  gc: np.ndarray, gbw: np.ndarray, gbc: np.ndarray, rows: np.ndarray,
                  cols: np.ndarray, values: np.ndarray, order: np.ndarray, start: int, stop: int,
                  x_max: float, alpha: float, lr: float) -> float:
    """Run :func:`adagrad_step` over ``order[start:stop]``; returns the summed cost."""
    grad_w = np.empty(w.shape[1], w.dtype)
    grad_c = np.empty(w.shape[1], w.dtype)
    cost = 0.0
    for e in order[start:stop]:
        cost += adagrad_step(w, c, bw, bc, gw, gc, gbw, gbc, int(rows[e]), int(cols[e]),
                             float(values[e]), x_max, alpha, lr, grad_w, grad_c)
    return cost
