"""numba kernels of GloVe: windowed co-occurrence pairs and the AdaGrad least-squares step.

``adagrad_step`` is one update on one co-occurrence entry; ``adagrad_epoch`` runs it over a
slice of a (shuffled) order. ``_glove_reference`` holds the same step in numpy for the tests.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["adagrad_epoch", "adagrad_step", "window_pairs"]

# error_model="numpy": no zero-division checks inside loops, which would stop vectorisation.
FAST = {"nsz", "arcp", "contract", "afn", "reassoc"}


@njit(cache=True, nogil=True, error_model="numpy")
def window_pairs(ids, bounds, first, last, window, vocab, keys, weights):  # type: ignore[no-untyped-def]
    """Write one entry per pair of words at most ``window`` apart: key ``lo * vocab + hi``.

    The window is symmetric, so X[i, j] = X[j, i]: only the half with ``lo <= hi`` is counted
    (``expand_symmetric`` restores both halves). A word ``d`` positions away weighs ``1/d``.
    Windows stay inside a sentence. Returns the number of entries written (``keys`` must hold
    ``window * words``).
    """
    n = 0
    for s in range(first, last):
        start = bounds[s]
        for p in range(start, bounds[s + 1]):
            word = np.int64(ids[p])
            for q in range(max(start, p - window), p):
                other = np.int64(ids[q])
                if word <= other:
                    keys[n] = word * vocab + other
                else:
                    keys[n] = other * vocab + word
                weights[n] = 1.0 / (p - q)
                n += 1
    return n


@njit(cache=True, nogil=True, error_model="numpy", fastmath=FAST, inline="always")
def _adagrad_row(row, squares, grad):  # type: ignore[no-untyped-def]
    # One row at a time, through a scratch gradient: few enough pointers for LLVM to vectorise.
    for k in range(row.shape[0]):
        row[k] -= grad[k] / np.sqrt(squares[k])
        squares[k] += grad[k] * grad[k]


@njit(cache=True, nogil=True, error_model="numpy", fastmath=FAST)
def adagrad_step(w, c, bw, bc, gw, gc, gbw, gbc, i, j, x, x_max, alpha, lr, grad_w, grad_c):  # type: ignore[no-untyped-def]
    """One weighted least-squares AdaGrad step on entry (i, j, x); returns its cost.

    ``cost = f(x) (w_i . c_j + bw_i + bc_j - log x)^2 / 2`` with ``f(x) = min(1, (x/x_max)^alpha)``;
    as in the GloVe tool, each parameter moves by ``step / sqrt(1 + sum of its past squared
    steps)`` with ``step = lr * grad`` (the squares of the lr-scaled steps are accumulated, not of
    the raw gradients). ``grad_w``/``grad_c`` are scratch rows.
    """
    dim = w.shape[1]
    dot = np.float32(0.0)
    for k in range(dim):
        dot += w[i, k] * c[j, k]
    diff = dot + bw[i] + bc[j] - np.log(x)
    weight = 1.0 if x >= x_max else (x / x_max) ** alpha
    fdiff = weight * diff
    cost = 0.5 * fdiff * diff
    step = lr * fdiff
    step32 = np.float32(step)
    for k in range(dim):
        grad_w[k] = step32 * c[j, k]
        grad_c[k] = step32 * w[i, k]
    _adagrad_row(w[i], gw[i], grad_w)
    _adagrad_row(c[j], gc[j], grad_c)
    bw[i] -= step / np.sqrt(gbw[i])
    bc[j] -= step / np.sqrt(gbc[j])
    gbw[i] += step * step
    gbc[j] += step * step
    return cost


@njit(cache=True, nogil=True, error_model="numpy", fastmath=FAST)
def adagrad_epoch(w, c, bw, bc, gw, gc, gbw, gbc, rows, cols, values, order, start, stop,  # type: ignore[no-untyped-def]
                  x_max, alpha, lr):
    """Run :func:`adagrad_step` over ``order[start:stop]``; returns the summed cost."""
    grad_w = np.empty(w.shape[1], np.float32)
    grad_c = np.empty(w.shape[1], np.float32)
    cost = 0.0
    for t in range(start, stop):
        e = order[t]
        cost += adagrad_step(w, c, bw, bc, gw, gc, gbw, gbc, rows[e], cols[e], values[e],
                             x_max, alpha, lr, grad_w, grad_c)
    return cost
