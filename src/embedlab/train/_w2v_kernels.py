"""numba kernels of word2vec (skip-gram and CBOW, negative sampling and hierarchical softmax).

The seam is narrow: :func:`batch_update` (skip-gram) and :func:`mean_update` (CBOW) are one
training step on explicit rows; :func:`train_chunk` walks a slice of the encoded corpus,
subsamples, draws windows and negatives, and calls them.

Skip-gram shares one draw of negatives across a whole window (Ji et al. 2016, "Parallelizing
Word2Vec in Shared and Distributed Memory"): the context words of a centre word are predicted
against the same output rows [centre, neg_1 .. neg_k], so the update becomes three small matrix
products instead of ``2 * window`` separate per-pair updates, and each output row is read once
per window instead of once per pair.

The gradient and loss of one score are written once, in :func:`output_gradient`, inlined at
numba IR level (so compiled with each caller's ``fastmath`` flags) into :func:`batch_update`,
:func:`mean_update` and :func:`predict_from_hidden`; the last is the one per-output update that
fastText's skip-gram trains through. Some repetition stays on purpose, because sharing it cost
measurable speed on the news benchmark: :func:`mean_update` writes out
:func:`predict_from_hidden`'s loop (calling it cost CBOW about 8% of its words/s).

The random draws every trainer of the family makes are written once and shared with
``_fasttext_kernels``: :func:`subsample` (a sentence's surviving words), :func:`window_span`
(the shrunk window) and :func:`draw_negative` (one alias-table draw).

``_w2v_reference`` holds every function of ``__all__`` in plain Python and numpy, with the same
signature and the same random stream, so it can stand in for this module.

Every kernel releases the GIL (``nogil=True``) so Python threads run them in parallel on
disjoint slices of the corpus, updating the shared matrices without locks (Hogwild).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ._sampling import MAX_F, NLL_TABLE, SIGMOID_TABLE, TABLE_SIZE

__all__ = [
    "batch_update", "draw_examples", "draw_negative", "mean_update", "next_random",
    "output_gradient", "predict_from_hidden", "subsample", "train_chunk", "window_span",
]

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_LOW32 = np.uint64(0xFFFFFFFF)
# fastmath without "no NaNs": a diverging run must not turn a NaN into a table index.
# error_model="numpy": no zero-division checks inside loops, which would stop vectorisation.
FAST = {"nsz", "arcp", "contract", "afn", "reassoc"}


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def next_random(state: np.uint64) -> tuple[np.uint64, np.uint64]:
    """splitmix64: the new state and a well-mixed 64-bit value."""
    state = state + _GOLDEN
    z = state
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return state, z ^ (z >> np.uint64(31))


# The three random draws every trainer of the family makes, written once. Only subsample has a
# loop; it runs once per sentence and stays a call. The other two are inlined at numba IR
# level: they run once per centre word and once per negative.
@njit(cache=True, nogil=True, error_model="numpy")
def subsample(ids, start, stop, keep_prob, state, sentence):  # type: ignore[no-untyped-def]
    """Copy the words of ``ids[start:stop]`` that survive frequent-word subsampling to the front
    of ``sentence``; returns (state, how many). A word with ``keep_prob < 1`` draws once."""
    n = 0
    for p in range(start, stop):
        word = ids[p]
        keep = keep_prob[word]
        if keep < 1.0:
            state, z = next_random(state)
            if (z >> np.uint64(11)) * (1.0 / 9007199254740992.0) >= keep:
                continue
        sentence[n] = word
        n += 1
    return state, n


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def window_span(state, pos, n, window):  # type: ignore[no-untyped-def]
    """word2vec's shrunk window around ``pos`` in a sentence of ``n`` words: (state, lo, hi),
    positions ``lo .. hi-1`` (the centre included), a radius drawn uniformly from 1..window."""
    state, z = next_random(state)
    reduced = window - np.int64(z % np.uint64(window))
    return state, max(pos - reduced, 0), min(pos + reduced + 1, n)


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def draw_negative(state, alias_prob, alias_index):  # type: ignore[no-untyped-def]
    """One negative from the alias table: (state, word). The high 32 bits pick the slot, the
    low 32 bits the coin between the slot and its alias."""
    state, z = next_random(state)
    vocab = alias_prob.shape[0]
    slot = np.int64(((z >> np.uint64(32)) * np.uint64(vocab)) >> np.uint64(32))
    if (z & _LOW32) * (1.0 / 4294967296.0) >= alias_prob[slot]:
        slot = np.int64(alias_index[slot])
    return state, slot


# sigmoid(f) and log(1 + exp(-f)) are read from tables (see _sampling): exact exp/log per pair
# cost a third of skip-gram's time.
_TO_SLOT = TABLE_SIZE / (2 * MAX_F)


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _log_sigmoid_terms(f: float) -> tuple[float, float]:
    """sigmoid(f) and log(1 + exp(-f)) (= -log sigmoid(f)), from the tables."""
    if f > -MAX_F and f < MAX_F:
        slot = int((f + MAX_F) * _TO_SLOT)
        return SIGMOID_TABLE[slot], NLL_TABLE[slot]
    if f >= MAX_F:
        return 1.0, 0.0
    return 0.0, -f


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def output_gradient(f: float, label: int, alpha: float) -> tuple[np.float32, float]:
    """For the score ``f`` of an output with ``label`` (1 or 0): ``alpha * (label - sigmoid(f))``
    as float32, and the loss ``-log sigmoid(f)`` (label 1) or ``-log sigmoid(-f)`` (label 0)."""
    sig, nll = _log_sigmoid_terms(f)
    if label > 0:
        g = alpha * (1.0 - sig)
        loss = nll
    else:
        g = -alpha * sig
        loss = nll + f
    return np.float32(g), loss


@njit(cache=True, nogil=True, error_model="numpy", fastmath=FAST)
def batch_update(w_in, w_out, inputs, n_in, outputs, labels, n_out, alpha, grad, err):  # type: ignore[no-untyped-def]
    """Every input row predicts every output row (label 1 or 0); returns the summed loss.

    All gradients are computed from the old values, then ``w_out[outputs] += G.T @ W_in`` and
    ``w_in[inputs] += G @ W_out``, where ``G[c, o] = alpha * (label_o - sigmoid(in_c . out_o))``.
    """
    dim = w_in.shape[1]
    loss = 0.0
    for c in range(n_in):
        row_in = inputs[c]
        for o in range(n_out):
            row_out = outputs[o]
            f = np.float32(0.0)
            for k in range(dim):
                f += w_in[row_in, k] * w_out[row_out, k]
            g, pair_loss = output_gradient(f, labels[o], alpha)
            grad[c, o] = g
            loss += pair_loss
    for c in range(n_in):
        for k in range(dim):
            err[c, k] = 0.0
        for o in range(n_out):
            g = grad[c, o]
            row_out = outputs[o]
            for k in range(dim):
                err[c, k] += g * w_out[row_out, k]
    for o in range(n_out):
        row_out = outputs[o]
        for c in range(n_in):
            g = grad[c, o]
            row_in = inputs[c]
            for k in range(dim):
                w_out[row_out, k] += g * w_in[row_in, k]
    for c in range(n_in):
        row_in = inputs[c]
        for k in range(dim):
            w_in[row_in, k] += err[c, k]
    return loss


@njit(cache=True, nogil=True, error_model="numpy", fastmath=FAST)
def predict_from_hidden(w_out, hidden, outputs, labels, n_out, alpha, err):  # type: ignore[no-untyped-def]
    """``hidden`` predicts each output row in turn (word2vec's per-pair update); returns the loss.

    For each output: ``err += g * w_out[o]`` and ``w_out[o] += g * hidden`` (``err`` from the
    row as it was), with ``g`` from :func:`output_gradient`. ``err`` accumulates on top of what
    it holds. fastText's skip-gram trains through this; :func:`mean_update` repeats the loop
    (see the module docstring).
    """
    dim = hidden.shape[0]
    loss = 0.0
    for o in range(n_out):
        row = outputs[o]
        f = np.float32(0.0)
        for k in range(dim):
            f += hidden[k] * w_out[row, k]
        g, pair_loss = output_gradient(f, labels[o], alpha)
        loss += pair_loss
        for k in range(dim):  # one pass over the row: 11% of CBOW's time against two passes
            out_k = w_out[row, k]
            err[k] += g * out_k
            w_out[row, k] = out_k + g * hidden[k]
    return loss


@njit(cache=True, nogil=True, error_model="numpy", fastmath=FAST)
def mean_update(w_in, w_out, inputs, n_in, outputs, labels, n_out, alpha, hidden, err):  # type: ignore[no-untyped-def]
    """CBOW: the mean of the input rows predicts each output row; returns the summed loss.

    Output rows are updated one after another (as word2vec does); the accumulated error is
    then added, undivided, to every input row (word2vec's and gensim's ``cbow_mean=1``).
    """
    dim = w_in.shape[1]
    for k in range(dim):
        hidden[k] = 0.0
        err[k] = 0.0
    for c in range(n_in):
        row_in = inputs[c]
        for k in range(dim):
            hidden[k] += w_in[row_in, k]
    scale = np.float32(1.0 / n_in)
    for k in range(dim):
        hidden[k] *= scale
    # predict_from_hidden's loop, written out: calling it from here costs CBOW about 8% of its
    # words/s (numba compiles each function apart, and LLVM does not inline it back).
    loss = 0.0
    for o in range(n_out):
        row = outputs[o]
        f = np.float32(0.0)
        for k in range(dim):
            f += hidden[k] * w_out[row, k]
        g, pair_loss = output_gradient(f, labels[o], alpha)
        loss += pair_loss
        for k in range(dim):  # one pass over the row: 11% of CBOW's time against two passes
            out_k = w_out[row, k]
            err[k] += g * out_k
            w_out[row, k] = out_k + g * hidden[k]
    for c in range(n_in):
        row_in = inputs[c]
        for k in range(dim):
            w_in[row_in, k] += err[k]
    return loss


@njit(cache=True, nogil=True, error_model="numpy")
def train_chunk(  # type: ignore[no-untyped-def]
    w_in, w_out_ns, w_out_hs, ids, bounds, first, last, keep_prob, alias_prob, alias_index,
    points, codes, code_lengths, cbow, negative, window, alpha_start, alpha_end, seed,
):
    """Train on sentences ``first .. last-1``; returns (loss, predictions, words trained).

    ``alpha`` falls linearly from ``alpha_start`` to ``alpha_end`` across the chunk's words.
    ``negative == 0`` turns negative sampling off; ``w_out_hs.shape[0] == 0`` turns
    hierarchical softmax off. Random numbers come from ``seed`` alone, so one thread running
    the chunks in order gives identical results every run.
    """
    dim = w_in.shape[1]
    use_hs = w_out_hs.shape[0] > 0
    max_len = 1
    for s in range(first, last):
        max_len = max(max_len, bounds[s + 1] - bounds[s])
    sentence = np.empty(max_len, np.int32)
    span = 2 * window
    context = np.empty(span, np.int32)
    max_out = max(negative + 1, points.shape[1])
    outputs = np.empty(max_out, np.int32)
    labels = np.empty(max_out, np.int8)
    hs_labels = np.empty(points.shape[1], np.int8)
    grad = np.empty((span, max_out), np.float32)
    err = np.empty((span, dim), np.float32)
    hidden = np.empty(dim, np.float32)
    err_vec = np.empty(dim, np.float32)
    one = np.empty(1, np.int32)
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
            n_ctx = 0
            for q in range(lo, hi):
                if q != pos:
                    context[n_ctx] = sentence[q]
                    n_ctx += 1
            if n_ctx == 0:
                continue
            centre = sentence[pos]
            if negative > 0:
                outputs[0] = centre
                labels[0] = 1
                n_out = 1
                for _ in range(negative):
                    state, slot = draw_negative(state, alias_prob, alias_index)
                    if slot != centre:
                        outputs[n_out] = slot
                        labels[n_out] = 0
                        n_out += 1
                if cbow:
                    loss += mean_update(w_in, w_out_ns, context, n_ctx, outputs, labels, n_out,
                                        alpha, hidden, err_vec)
                    predictions += 1
                else:
                    loss += batch_update(w_in, w_out_ns, context, n_ctx, outputs, labels, n_out,
                                         alpha, grad, err)
                    predictions += n_ctx
            if use_hs:
                length = code_lengths[centre]
                for j in range(length):
                    hs_labels[j] = 1 - codes[centre, j]
                if cbow:
                    loss += mean_update(w_in, w_out_hs, context, n_ctx, points[centre], hs_labels,
                                        length, alpha, hidden, err_vec)
                    predictions += 1
                else:
                    # Hierarchical softmax has no shared samples: word2vec's per-pair updates.
                    for c in range(n_ctx):
                        one[0] = context[c]
                        loss += batch_update(w_in, w_out_hs, one, 1, points[centre], hs_labels,
                                             length, alpha, grad, err)
                    predictions += n_ctx
    return loss, predictions, trained


@njit(cache=True, nogil=True, error_model="numpy")
def draw_examples(  # type: ignore[no-untyped-def]
    ids, bounds, first, last, keep_prob, alias_prob, alias_index, negative, window,
    alpha_start, alpha_end, seed,
):
    """The examples :func:`train_chunk` would train on, with the same random draws, as arrays.

    Returns centres (M), contexts (M x 2*window, -1 padded), negatives (M x negative, -1 where
    a draw hit the centre) and each example's learning rate: the batched torch path trains on
    these, so that with batches of one it makes exactly the kernel's updates.
    """
    total = bounds[last] - bounds[first]
    centres = np.empty(total, np.int32)
    contexts = np.full((total, 2 * window), -1, np.int32)
    negatives = np.full((total, max(negative, 1)), -1, np.int32)
    alphas = np.empty(total, np.float32)
    max_len = 1
    for s in range(first, last):
        max_len = max(max_len, bounds[s + 1] - bounds[s])
    sentence = np.empty(max_len, np.int32)
    state = np.uint64(seed)
    m = 0
    chunk_start = bounds[first]
    chunk_words = max(total, 1)
    for s in range(first, last):
        alpha = alpha_start + (alpha_end - alpha_start) * (bounds[s] - chunk_start) / chunk_words
        state, n = subsample(ids, bounds[s], bounds[s + 1], keep_prob, state, sentence)
        for pos in range(n):
            state, lo, hi = window_span(state, pos, n, window)
            n_ctx = 0
            for q in range(lo, hi):
                if q != pos:
                    contexts[m, n_ctx] = sentence[q]
                    n_ctx += 1
            if n_ctx == 0:
                continue
            centre = sentence[pos]
            for d in range(negative):
                state, slot = draw_negative(state, alias_prob, alias_index)
                if slot != centre:
                    negatives[m, d] = slot
            centres[m] = centre
            alphas[m] = alpha
            m += 1
    return centres[:m], contexts[:m], negatives[:m], alphas[:m]
