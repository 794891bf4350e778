"""GloVe's AdaGrad step in plain numpy (float64 inside), for the agreement test."""

from __future__ import annotations

import numpy as np


def adagrad_step_reference(
    w: np.ndarray, c: np.ndarray, bw: np.ndarray, bc: np.ndarray, gw: np.ndarray, gc: np.ndarray,
    gbw: np.ndarray, gbc: np.ndarray, i: int, j: int, x: float, x_max: float, alpha: float, lr: float,
) -> float:
    diff = float(w[i] @ c[j]) + bw[i] + bc[j] - np.log(x)
    fdiff = min(1.0, (x / x_max) ** alpha) * diff
    cost = float(0.5 * fdiff * diff)
    step = lr * fdiff  # the GloVe tool accumulates squares of lr-scaled steps
    grad_w, grad_c = step * c[j], step * w[i]
    w[i] -= grad_w / np.sqrt(gw[i])
    c[j] -= grad_c / np.sqrt(gc[j])
    gw[i] += grad_w**2
    gc[j] += grad_c**2
    bw[i] -= step / np.sqrt(gbw[i])
    bc[j] -= step / np.sqrt(gbc[j])
    gbw[i] += step**2
    gbc[j] += step**2
    return cost
