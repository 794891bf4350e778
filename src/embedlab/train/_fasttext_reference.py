"""fastText's training kernel of ``_fasttext_kernels`` in plain Python and numpy: the same
signature and the same random draws, so it can train a model in the kernel's place (slowly)."""

from __future__ import annotations

import numpy as np

from ._w2v_reference import draw_negative, mean_update, predict_from_hidden, subsample, window_span

__all__ = ["train_chunk_subwords"]


def train_chunk_subwords(w_in: np.ndarray, w_out: np.ndarray, ids: np.ndarray,
                         bounds: np.ndarray, first: int, last: int, keep_prob: np.ndarray,
                         alias_prob: np.ndarray, alias_index: np.ndarray, offsets: np.ndarray,
                         rows: np.ndarray, cbow: bool, negative: int, window: int,
                         alpha_start: float, alpha_end: float,
                         seed: int) -> tuple[float, int, int]:
    """Train on sentences ``first .. last-1``; returns (loss, predictions, words trained).

    Word ``w``'s input rows are ``rows[offsets[w]:offsets[w+1]]``. Skip-gram: the centre's mean
    row predicts each context word against fresh negatives, and the window's summed error goes
    to the centre's rows once. CBOW: the mean of every context word's rows predicts the centre.
    """
    dim = w_in.shape[1]
    sentence = np.empty(max(1, int(np.diff(bounds[first : last + 1]).max(initial=0))), np.int32)
    outputs = np.empty(negative + 1, np.int32)
    labels = np.zeros(negative + 1, np.int8)
    labels[0] = 1
    hidden = np.empty(dim, np.float32)
    err = np.empty(dim, np.float32)
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
            if hi - lo <= 1:
                continue
            centre = int(sentence[pos])
            if cbow:
                bag = np.concatenate([rows[offsets[w] : offsets[w + 1]]
                                      for q, w in enumerate(sentence[lo:hi], lo) if q != pos])
                outputs[0], n_out = centre, 1
                for _ in range(negative):
                    state, slot = draw_negative(state, alias_prob, alias_index)
                    if slot != centre:
                        outputs[n_out] = slot
                        n_out += 1
                loss += mean_update(w_in, w_out, bag, len(bag), outputs, labels, n_out, alpha,
                                    hidden, err)
                predictions += 1
                continue
            own = rows[offsets[centre] : offsets[centre + 1]]
            hidden[:] = w_in[own].sum(axis=0) * np.float32(1.0 / len(own))
            err[:] = 0.0
            for q in range(lo, hi):
                if q == pos:
                    continue
                target = int(sentence[q])
                outputs[0], n_out = target, 1
                for _ in range(negative):
                    state, slot = draw_negative(state, alias_prob, alias_index)
                    if slot != target:
                        outputs[n_out] = slot
                        n_out += 1
                loss += predict_from_hidden(w_out, hidden, outputs, labels, n_out, alpha, err)
                predictions += 1
            np.add.at(w_in, own, np.broadcast_to(err, (len(own), dim)))
    return loss, predictions, trained
