"""The recommenders' kernels of ``_factor_kernels`` in numpy: the same names and signatures,
so either module can fit a model (the Gibbs draws are vectorised over rows, the conjugate
gradient runs one row at a time)."""

from __future__ import annotations

import numpy as np

__all__ = ["als_cg_rows", "gibbs_rows"]


def gibbs_rows(
    indptr: np.ndarray, indices: np.ndarray, values: np.ndarray, other: np.ndarray,
    mu: np.ndarray, lam: np.ndarray, alpha: float, noise: np.ndarray,
) -> np.ndarray:
    """The same draws as the kernel, vectorised over rows with numpy."""
    n, d = noise.shape
    counts = np.diff(indptr)
    rows = np.repeat(np.arange(n), counts)
    v = other[indices]
    prec = np.zeros((n, d, d))
    np.add.at(prec, rows, v[:, :, None] * v[:, None, :])
    lin = np.zeros((n, d))
    np.add.at(lin, rows, v * values[:, None])
    prec = alpha * prec + lam
    lin = alpha * lin + lam @ mu
    chol = np.linalg.cholesky(prec)
    mean = np.linalg.solve(prec, lin[..., None])[..., 0]
    spread = np.linalg.solve(np.swapaxes(chol, 1, 2), noise[..., None])[..., 0]
    return mean + spread


def als_cg_rows(
    indptr: np.ndarray, indices: np.ndarray, confidence: np.ndarray, x: np.ndarray,
    y: np.ndarray, yty: np.ndarray, lam: float, steps: int,
) -> None:
    """The same conjugate-gradient updates as the kernel, one row at a time in numpy."""
    d = x.shape[1]
    for row in range(x.shape[0]):
        ys = y[indices[indptr[row]:indptr[row + 1]]]
        c = confidence[indptr[row]:indptr[row + 1]]
        a = yty + lam * np.eye(d) + (ys * (c - 1.0)[:, None]).T @ ys
        b = (ys * c[:, None]).sum(axis=0)
        xr = x[row].astype(np.float64)
        r = b - a @ xr
        direction = r.copy()
        rs = r @ r
        for _ in range(steps):
            if rs < 1e-20:
                break
            ap = a @ direction
            step = rs / (direction @ ap)
            xr = xr + step * direction
            r = r - step * ap
            rs_new = r @ r
            direction = r + (rs_new / rs) * direction
            rs = rs_new
        x[row] = xr
