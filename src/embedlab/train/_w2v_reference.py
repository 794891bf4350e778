"""The word2vec kernels of ``_w2v_kernels`` in plain Python and numpy: same names, same
signatures, same random draws, so either module can train a model (slowly, here).

Random numbers are the kernels' splitmix64 stream, computed on Python ints; the sigmoid/log
tables live in ``_sampling`` (they define the update, so the two sides share them).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._sampling import MAX_F, NLL_TABLE, SIGMOID_TABLE, TABLE_SIZE

__all__ = [
    "batch_update", "draw_examples", "draw_negative", "mean_update", "next_random",
    "output_gradient", "predict_from_hidden", "subsample", "train_chunk", "window_span",
]

_MASK64 = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_MIX1 = 0xBF58476D1CE4E5B9
_MIX2 = 0x94D049BB133111EB


def next_random(state: int) -> tuple[int, int]:
    """splitmix64: the new state and a well-mixed 64-bit value."""
    state = (int(state) + _GOLDEN) & _MASK64
    z = ((state ^ (state >> 30)) * _MIX1) & _MASK64
    z = ((z ^ (z >> 27)) * _MIX2) & _MASK64
    return state, z ^ (z >> 31)


def subsample(ids: np.ndarray, start: int, stop: int, keep_prob: np.ndarray, state: int,
              sentence: np.ndarray) -> tuple[int, int]:
    """The words of ``ids[start:stop]`` kept by subsampling, copied to the front of ``sentence``."""
    n = 0
    for word in ids[start:stop]:
        keep = keep_prob[word]
        if keep < 1.0:
            state, z = next_random(state)
            if (z >> 11) / 9007199254740992.0 >= keep:
                continue
        sentence[n] = word
        n += 1
    return state, n


def window_span(state: int, pos: int, n: int, window: int) -> tuple[int, int, int]:
    """The shrunk window around ``pos``: (state, lo, hi), a radius drawn from 1..window."""
    state, z = next_random(state)
    reduced = window - z % window
    return state, max(pos - reduced, 0), min(pos + reduced + 1, n)


def draw_negative(state: int, alias_prob: np.ndarray, alias_index: np.ndarray) -> tuple[int, int]:
    """One negative from the alias table: high 32 bits pick the slot, low 32 bits the coin."""
    state, z = next_random(state)
    slot = ((z >> 32) * len(alias_prob)) >> 32
    if (z & 0xFFFFFFFF) / 4294967296.0 >= alias_prob[slot]:
        slot = int(alias_index[slot])
    return state, slot


def _sigmoid_nll(f: Any) -> tuple[np.ndarray, np.ndarray]:
    """The kernels' table lookups, vectorised: sigmoid(f) and log(1 + exp(-f))."""
    f = np.asarray(f, dtype=np.float64)
    slot = np.clip(((f + MAX_F) * (TABLE_SIZE / (2 * MAX_F))).astype(np.int64), 0, TABLE_SIZE - 1)
    sig = np.where(f >= MAX_F, 1.0, np.where(f <= -MAX_F, 0.0, SIGMOID_TABLE[slot]))
    nll = np.where(f >= MAX_F, 0.0, np.where(f <= -MAX_F, -f, NLL_TABLE[slot]))
    return sig, nll


def output_gradient(f: float, label: int, alpha: float) -> tuple[np.float32, float]:
    """``alpha * (label - sigmoid(f))`` as float32, and the loss of the score ``f``: the kernel's
    table lookup, one score at a time."""
    f = float(f)
    if -MAX_F < f < MAX_F:
        slot = int((f + MAX_F) * (TABLE_SIZE / (2 * MAX_F)))
        sig, nll = float(SIGMOID_TABLE[slot]), float(NLL_TABLE[slot])
    elif f >= MAX_F:
        sig, nll = 1.0, 0.0
    else:
        sig, nll = 0.0, -f
    if label > 0:
        return np.float32(alpha * (1.0 - sig)), nll
    return np.float32(-alpha * sig), nll + f


def batch_update(w_in: np.ndarray, w_out: np.ndarray, inputs: np.ndarray, n_in: int,
                 outputs: np.ndarray, labels: np.ndarray, n_out: int, alpha: float,
                 grad: np.ndarray, err: np.ndarray) -> float:
    """Every input row predicts every output row: G = alpha * (labels - sigmoid(X Y^T)), all
    from the old values, then ``w_out[outputs] += G^T X`` and ``w_in[inputs] += G Y``."""
    inputs, outputs, labels = inputs[:n_in], outputs[:n_out], labels[:n_out]
    x = w_in[inputs]
    y = w_out[outputs]
    f = x @ y.T
    sig, nll = _sigmoid_nll(f)
    positive = labels.astype(bool)[None, :]
    loss = float(np.where(positive, nll, nll + f).sum())
    g = (alpha * (labels[None, :] - sig)).astype(np.float32)
    grad[:n_in, :n_out] = g
    err[:n_in] = g @ y
    np.add.at(w_out, outputs, g.T @ x)
    np.add.at(w_in, inputs, err[:n_in])
    return loss


def predict_from_hidden(w_out: np.ndarray, hidden: np.ndarray, outputs: np.ndarray,
                        labels: np.ndarray, n_out: int, alpha: float, err: np.ndarray) -> float:
    """``hidden`` predicts each output in turn: err += g * w_out[o], then w_out[o] += g * hidden."""
    loss = 0.0
    for o in range(n_out):
        row = outputs[o]
        g, pair_loss = output_gradient(float(hidden @ w_out[row]), int(labels[o]), alpha)
        loss += pair_loss
        err += g * w_out[row]
        w_out[row] += g * hidden
    return loss


def mean_update(w_in: np.ndarray, w_out: np.ndarray, inputs: np.ndarray, n_in: int,
                outputs: np.ndarray, labels: np.ndarray, n_out: int, alpha: float,
                hidden: np.ndarray, err: np.ndarray) -> float:
    """CBOW: h = mean(W_in[inputs]); outputs updated in turn; the summed error added, undivided,
    to each input row."""
    inputs = inputs[:n_in]
    hidden[:] = w_in[inputs].sum(axis=0) * np.float32(1.0 / n_in)
    err[:] = 0.0
    loss = predict_from_hidden(w_out, hidden, outputs, labels, n_out, alpha, err)
    np.add.at(w_in, inputs, np.broadcast_to(err, (n_in, len(err))))
    return loss


def _longest(bounds: np.ndarray, first: int, last: int) -> int:
    return max(1, int(np.diff(bounds[first : last + 1]).max(initial=0)))


def train_chunk(w_in: np.ndarray, w_out_ns: np.ndarray, w_out_hs: np.ndarray, ids: np.ndarray,
                bounds: np.ndarray, first: int, last: int, keep_prob: np.ndarray,
                alias_prob: np.ndarray, alias_index: np.ndarray, points: np.ndarray,
                codes: np.ndarray, code_lengths: np.ndarray, cbow: bool, negative: int,
                window: int, alpha_start: float, alpha_end: float,
                seed: int) -> tuple[float, int, int]:
    """Train on sentences ``first .. last-1``; returns (loss, predictions, words trained)."""
    dim = w_in.shape[1]
    sentence = np.empty(_longest(bounds, first, last), np.int32)
    max_out = max(negative + 1, points.shape[1])
    outputs = np.empty(max_out, np.int32)
    labels = np.empty(max_out, np.int8)
    grad = np.empty((2 * window, max_out), np.float32)
    err = np.empty((2 * window, dim), np.float32)
    hidden = np.empty(dim, np.float32)
    err_vec = np.empty(dim, np.float32)
    state = int(seed)
    loss, predictions, trained = 0.0, 0, 0
    chunk_start = int(bounds[first])
    chunk_words = max(int(bounds[last]) - chunk_start, 1)
    for s in range(first, last):
        alpha = alpha_start + (alpha_end - alpha_start) * (int(bounds[s]) - chunk_start) / chunk_words
        state, n = subsample(ids, int(bounds[s]), int(bounds[s + 1]), keep_prob, state, sentence)
        trained += n
        for pos in range(n):
            state, lo, hi = window_span(state, pos, n, window)
            context = np.array([sentence[q] for q in range(lo, hi) if q != pos], np.int32)
            n_ctx = len(context)
            if n_ctx == 0:
                continue
            centre = int(sentence[pos])
            if negative > 0:
                outputs[0], labels[0], n_out = centre, 1, 1
                for _ in range(negative):
                    state, slot = draw_negative(state, alias_prob, alias_index)
                    if slot != centre:
                        outputs[n_out], labels[n_out] = slot, 0
                        n_out += 1
                if cbow:
                    loss += mean_update(w_in, w_out_ns, context, n_ctx, outputs, labels, n_out,
                                        alpha, hidden, err_vec)
                    predictions += 1
                else:
                    loss += batch_update(w_in, w_out_ns, context, n_ctx, outputs, labels, n_out,
                                         alpha, grad, err)
                    predictions += n_ctx
            if w_out_hs.shape[0] > 0:
                length = int(code_lengths[centre])
                hs_labels = (1 - codes[centre, :length]).astype(np.int8)
                if cbow:
                    loss += mean_update(w_in, w_out_hs, context, n_ctx, points[centre], hs_labels,
                                        length, alpha, hidden, err_vec)
                    predictions += 1
                else:
                    for c in range(n_ctx):
                        loss += batch_update(w_in, w_out_hs, context[c : c + 1], 1, points[centre],
                                             hs_labels, length, alpha, grad, err)
                    predictions += n_ctx
    return loss, predictions, trained


def draw_examples(ids: np.ndarray, bounds: np.ndarray, first: int, last: int,
                  keep_prob: np.ndarray, alias_prob: np.ndarray, alias_index: np.ndarray,
                  negative: int, window: int, alpha_start: float, alpha_end: float,
                  seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The examples :func:`train_chunk` trains on, with its random draws: centres, contexts
    (-1 padded), negatives (-1 where a draw hit the centre) and learning rates."""
    sentence = np.empty(_longest(bounds, first, last), np.int32)
    centres: list[int] = []
    contexts: list[list[int]] = []
    negatives: list[list[int]] = []
    alphas: list[float] = []
    state = int(seed)
    chunk_start = int(bounds[first])
    chunk_words = max(int(bounds[last]) - chunk_start, 1)
    for s in range(first, last):
        alpha = alpha_start + (alpha_end - alpha_start) * (int(bounds[s]) - chunk_start) / chunk_words
        state, n = subsample(ids, int(bounds[s]), int(bounds[s + 1]), keep_prob, state, sentence)
        for pos in range(n):
            state, lo, hi = window_span(state, pos, n, window)
            context = [int(sentence[q]) for q in range(lo, hi) if q != pos]
            if not context:
                continue
            centre = int(sentence[pos])
            drawn = [-1] * max(negative, 1)
            for d in range(negative):
                state, slot = draw_negative(state, alias_prob, alias_index)
                if slot != centre:
                    drawn[d] = slot
            centres.append(centre)
            contexts.append(context + [-1] * (2 * window - len(context)))
            negatives.append(drawn)
            alphas.append(alpha)
    return (np.array(centres, np.int32),
            np.array(contexts, np.int32).reshape(-1, 2 * window),
            np.array(negatives, np.int32).reshape(-1, max(negative, 1)),
            np.array(alphas, np.float32))
