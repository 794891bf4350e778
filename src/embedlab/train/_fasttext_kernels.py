"""numba kernel of fastText's unsupervised training: words as bags of character n-grams.

A word's input vector is the mean of its rows (its own row, then its hashed n-gram rows:
``rows[offsets[w]:offsets[w+1]]``). Skip-gram: the centre word's mean predicts each context
word against ``negative`` fresh negatives (as fastText draws them); the input error of the
whole window is summed and added to the centre's rows once, instead of after every context
word, so the mean is computed once per centre. CBOW: the mean of every row of every context
word predicts the centre, through :func:`_w2v_kernels.mean_update`. Skip-gram's update is
:func:`_w2v_kernels.predict_from_hidden`, shared with word2vec, as are the random draws
(subsampling, windows, negatives). ``_fasttext_reference`` is its plain-Python stand-in.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ._w2v_kernels import draw_negative, mean_update, predict_from_hidden, subsample, window_span

__all__ = ["train_chunk_subwords"]


@njit(cache=True, nogil=True, error_model="numpy")
def train_chunk_subwords(  # type: ignore[no-untyped-def]
    w_in, w_out, ids, bounds, first, last, keep_prob, alias_prob, alias_index, offsets, rows,
    cbow, negative, window, alpha_start, alpha_end, seed,
):
    """Train on sentences ``first .. last-1``; returns (loss, predictions, words trained)."""
    dim = w_in.shape[1]
    vocab = alias_prob.shape[0]
    max_len = 1
    max_rows = 1
    for s in range(first, last):
        max_len = max(max_len, bounds[s + 1] - bounds[s])
    for w in range(vocab):
        max_rows = max(max_rows, offsets[w + 1] - offsets[w])
    sentence = np.empty(max_len, np.int32)
    bag = np.empty(2 * window * max_rows, np.int32)
    outputs = np.empty(negative + 1, np.int32)
    labels = np.zeros(negative + 1, np.int8)
    labels[0] = 1
    hidden = np.empty(dim, np.float32)
    err = np.empty(dim, np.float32)
    state = np.uint64(seed)
    loss = 0.0
    predictions = 0
    trained = 0
    chunk_start = bounds[first]
    chunk_words = max(bounds[last] - chunk_start, 1)
    for s in range(first, last):
        alpha = alpha_start + (alpha_end - alpha_start) * (bounds[s] - chunk_start) / chunk_words
        state, n = subsample(ids, bounds[s], bounds[s + 1], keep_prob, state, sentence)
        trained += n
        for pos in range(n):
            state, lo, hi = window_span(state, pos, n, window)
            if hi - lo <= 1:
                continue
            centre = sentence[pos]
            if cbow:
                n_bag = 0
                for q in range(lo, hi):
                    if q != pos:
                        w = sentence[q]
                        for r in range(offsets[w], offsets[w + 1]):
                            bag[n_bag] = rows[r]
                            n_bag += 1
                outputs[0] = centre
                n_out = 1
                for _ in range(negative):
                    state, slot = draw_negative(state, alias_prob, alias_index)
                    if slot != centre:
                        outputs[n_out] = slot
                        n_out += 1
                loss += mean_update(w_in, w_out, bag, n_bag, outputs, labels, n_out, alpha,
                                    hidden, err)
                predictions += 1
                continue
            first_row, last_row = offsets[centre], offsets[centre + 1]
            scale = np.float32(1.0 / (last_row - first_row))
            for k in range(dim):
                hidden[k] = 0.0
                err[k] = 0.0
            for r in range(first_row, last_row):
                for k in range(dim):
                    hidden[k] += w_in[rows[r], k]
            for k in range(dim):
                hidden[k] *= scale
            for q in range(lo, hi):
                if q == pos:
                    continue
                target = sentence[q]
                outputs[0] = target
                n_out = 1
                for _ in range(negative):
                    state, slot = draw_negative(state, alias_prob, alias_index)
                    if slot != target:
                        outputs[n_out] = slot
                        n_out += 1
                loss += predict_from_hidden(w_out, hidden, outputs, labels, n_out, alpha, err)
                predictions += 1
            for r in range(first_row, last_row):
                for k in range(dim):
                    w_in[rows[r], k] += err[k]
    return loss, predictions, trained
