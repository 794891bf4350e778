"""Plain numpy versions of the word2vec steps in ``_w2v_kernels``, for the agreement tests.

Only the sigmoid/log tables are shared with the kernels (they define the update).
"""

from __future__ import annotations

import numpy as np

from ._w2v_kernels import MAX_F, NLL_TABLE, SIGMOID_TABLE, TABLE_SIZE


def _sigmoid_nll(f: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The kernels' table lookups, vectorised."""
    f = np.asarray(f, dtype=np.float64)
    slot = np.clip(((f + MAX_F) * (TABLE_SIZE / (2 * MAX_F))).astype(np.int64), 0, TABLE_SIZE - 1)
    sig = np.where(f >= MAX_F, 1.0, np.where(f <= -MAX_F, 0.0, SIGMOID_TABLE[slot]))
    nll = np.where(f >= MAX_F, 0.0, np.where(f <= -MAX_F, -f, NLL_TABLE[slot]))
    return sig, nll


def batch_update_reference(
    w_in: np.ndarray, w_out: np.ndarray, inputs: np.ndarray, outputs: np.ndarray,
    labels: np.ndarray, alpha: float,
) -> float:
    """Skip-gram with shared outputs: G = alpha * (labels - sigmoid(W_in W_out^T))."""
    x = w_in[inputs]
    y = w_out[outputs]
    f = x @ y.T
    sig, nll = _sigmoid_nll(f)
    positive = labels.astype(bool)[None, :]
    loss = float(np.where(positive, nll, nll + f).sum())
    grad = (alpha * (labels[None, :] - sig)).astype(np.float32)
    err = grad @ y
    np.add.at(w_out, outputs, grad.T @ x)
    np.add.at(w_in, inputs, err)
    return loss


def predict_from_hidden_reference(
    w_out: np.ndarray, hidden: np.ndarray, outputs: np.ndarray, labels: np.ndarray, alpha: float,
    err: np.ndarray,
) -> float:
    """``hidden`` predicts each output in turn: err += g * w_out[o], then w_out[o] += g * hidden."""
    loss = 0.0
    for out, label in zip(outputs, labels, strict=True):
        f = float(hidden @ w_out[out])
        sig, nll = _sigmoid_nll(np.asarray(f))
        loss += float(nll) + (0.0 if label else f)
        g = np.float32(alpha * (label - sig))
        err += g * w_out[out]
        w_out[out] += g * hidden
    return loss


def mean_update_reference(
    w_in: np.ndarray, w_out: np.ndarray, inputs: np.ndarray, outputs: np.ndarray,
    labels: np.ndarray, alpha: float,
) -> float:
    """CBOW: h = mean(W_in[inputs]); outputs updated in turn; summed error added to each input."""
    hidden = w_in[inputs].mean(axis=0)
    err = np.zeros_like(hidden)
    loss = predict_from_hidden_reference(w_out, hidden, outputs, labels, alpha, err)
    np.add.at(w_in, inputs, np.broadcast_to(err, (len(inputs), len(err))))
    return loss
