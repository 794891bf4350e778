"""Hot loops of the recommenders, as numba kernels; ``_factor_reference`` holds each in numpy.

Both kernels walk a CSR matrix (``indptr``, ``indices``, ``values``) one row at a time and
solve a small ``d x d`` problem for that row:

- :func:`gibbs_rows`: draw each row's factor from its Gaussian conditional in Bayesian MF,
  ``N(A^-1 b, A^-1)`` with ``A = Lam + alpha sum_j v_j v_j^T`` and
  ``b = Lam mu + alpha sum_j r_j v_j``; the caller passes the standard normal noise, so the
  kernel and its reference draw the same sample.
- :func:`als_cg_rows`: a few conjugate-gradient steps on each row of weighted ALS for implicit
  feedback (Hu, Koren and Volinsky 2008; CG as in Takacs et al. 2011), solving
  ``(Y^T Y + lam I + sum_j (c_j - 1) y_j y_j^T) x = sum_j c_j y_j`` from the current ``x``
  without ever forming the matrix.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

__all__ = ["als_cg_rows", "gibbs_rows"]


@njit(cache=True)
def _cholesky_solve_sample(a: np.ndarray, b: np.ndarray, z: np.ndarray, out: np.ndarray) -> None:
    """out = A^-1 b + L^-T z where A = L L^T (in place on ``a``: its lower part becomes L)."""
    d = a.shape[0]
    for j in range(d):
        s = a[j, j]
        for k in range(j):
            s -= a[j, k] * a[j, k]
        a[j, j] = np.sqrt(s)
        for i in range(j + 1, d):
            s = a[i, j]
            for k in range(j):
                s -= a[i, k] * a[j, k]
            a[i, j] = s / a[j, j]
    y = np.empty(d)
    for i in range(d):  # L y = b
        s = b[i]
        for k in range(i):
            s -= a[i, k] * y[k]
        y[i] = s / a[i, i]
    for i in range(d - 1, -1, -1):  # L^T x = y + z  (mean plus noise with covariance A^-1)
        s = y[i] + z[i]
        for k in range(i + 1, d):
            s -= a[k, i] * out[k]
        out[i] = s / a[i, i]


@njit(cache=True, parallel=True)
def gibbs_rows(
    indptr: np.ndarray, indices: np.ndarray, values: np.ndarray, other: np.ndarray,
    mu: np.ndarray, lam: np.ndarray, alpha: float, noise: np.ndarray,
) -> np.ndarray:
    """One Gibbs draw of every row's factor, given the other side's factors ``other``."""
    n, d = noise.shape
    out = np.empty((n, d))
    lam_mu = lam @ mu
    for row in prange(n):
        a = lam.copy()
        b = lam_mu.copy()
        for p in range(indptr[row], indptr[row + 1]):
            v = other[indices[p]]
            r = values[p]
            for i in range(d):
                b[i] += alpha * r * v[i]
                for j in range(i + 1):
                    a[i, j] += alpha * v[i] * v[j]
        x = np.empty(d)
        _cholesky_solve_sample(a, b, noise[row], x)
        out[row] = x
    return out


@njit(cache=True)
def _apply(yty: np.ndarray, lam: float, indptr: np.ndarray, indices: np.ndarray,
           confidence: np.ndarray, y: np.ndarray, row: int, x: np.ndarray, out: np.ndarray) -> None:
    """out = (Y^T Y + lam I + sum_j (c_j - 1) y_j y_j^T) x, with loops and no temporaries."""
    d = x.shape[0]
    for i in range(d):
        s = lam * x[i]
        for j in range(d):
            s += yty[i, j] * x[j]
        out[i] = s
    for p in range(indptr[row], indptr[row + 1]):
        yj = y[indices[p]]
        dot = 0.0
        for i in range(d):
            dot += yj[i] * x[i]
        dot *= confidence[p] - 1.0
        for i in range(d):
            out[i] += dot * yj[i]


@njit(cache=True, parallel=True)
def als_cg_rows(
    indptr: np.ndarray, indices: np.ndarray, confidence: np.ndarray, x: np.ndarray,
    y: np.ndarray, yty: np.ndarray, lam: float, steps: int,
) -> None:
    """``steps`` conjugate-gradient steps on every row of ``x``, in place."""
    n, d = x.shape
    for row in prange(n):
        xr = x[row].copy()
        r = np.empty(d)
        ap = np.empty(d)
        _apply(yty, lam, indptr, indices, confidence, y, row, xr, ap)
        for i in range(d):  # r = b - A x, b = sum_j c_j y_j
            r[i] = -ap[i]
        for p in range(indptr[row], indptr[row + 1]):
            yj = y[indices[p]]
            c = confidence[p]
            for i in range(d):
                r[i] += c * yj[i]
        direction = r.copy()
        rs = 0.0
        for i in range(d):
            rs += r[i] * r[i]
        for _ in range(steps):
            if rs < 1e-20:
                break
            _apply(yty, lam, indptr, indices, confidence, y, row, direction, ap)
            denom = 0.0
            for i in range(d):
                denom += direction[i] * ap[i]
            step = rs / denom
            rs_new = 0.0
            for i in range(d):
                xr[i] += step * direction[i]
                r[i] -= step * ap[i]
                rs_new += r[i] * r[i]
            for i in range(d):
                direction[i] = r[i] + (rs_new / rs) * direction[i]
            rs = rs_new
        x[row] = xr
