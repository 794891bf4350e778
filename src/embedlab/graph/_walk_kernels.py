"""numba kernels for random walks on a CSR graph. Imported only when walks are generated.

Randomness is counter-based: walk number ``w`` draws from its own splitmix64 stream seeded by
``mix(seed, w)``, so a walk's nodes depend on the seed and its number only, never on which
thread ran it or how many threads there were.

First-order steps (DeepWalk, and the proposal of the second-order sampler) use Walker's alias
method: one float64 and one int32 per arc, O(1) per draw. Second-order steps (node2vec) use
rejection sampling as KnightKing and PecanPy's SparseOTF do: propose ``x`` from the first-order
distribution of the current node ``v``, accept with probability ``alpha(t, x) / max(alpha)``
where ``alpha`` is ``1/p`` to return to ``t``, ``1`` when ``x`` is a neighbour of ``t`` and
``1/q`` otherwise. Accepted draws follow ``w(v, x) * alpha(t, x)`` normalised — the exact node2vec
transition — with no per-(t, v) table, so memory stays linear in the number of arcs. When
``1/p`` is the largest bias the return arc is handled as an outlier region (KnightKing's
trick) so that small ``p`` does not make most proposals fail.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

__all__ = ["build_alias", "walk_state", "walks_kernel"]

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_INV53 = 1.0 / 9007199254740992.0  # 2 ** -53


@njit(cache=True, inline="always")
def _mix(z: np.uint64) -> np.uint64:
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)  # type: ignore[no-any-return]  # numpy's stubs type uint64 ops as Any


@njit(cache=True)
def walk_state(seed: np.uint64, walk: np.int64) -> np.uint64:
    """The starting state of walk number ``walk``'s random stream."""
    return _mix(_mix(seed + _GOLDEN) ^ (np.uint64(walk) * _GOLDEN + np.uint64(1)))


@njit(cache=True, inline="always")
def _uniform(state: np.uint64) -> tuple[np.uint64, float]:
    state = state + _GOLDEN
    return state, float(_mix(state) >> _S11) * _INV53


@njit(cache=True, inline="always")
def _draw(
    state: np.uint64, node: np.int64, indptr: np.ndarray, alias_prob: np.ndarray,
    alias_index: np.ndarray, weighted: bool,
) -> tuple[np.uint64, np.int64]:
    """One first-order draw from ``node``'s arcs: the arc number (an offset into its row)."""
    start = indptr[node]
    degree = indptr[node + 1] - start
    state, u = _uniform(state)
    scaled = u * degree
    k = min(np.int64(scaled), degree - 1)
    if not weighted:
        return state, k
    # One uniform serves both choices: its integer part picks the column, its fraction the coin.
    if scaled - k < alias_prob[start + k]:
        return state, k
    return state, np.int64(alias_index[start + k])


@njit(cache=True)
def build_alias(indptr: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vose's alias tables for every node's out-arcs, stored per arc (offsets within the row)."""
    prob = np.ones(weights.shape[0], dtype=np.float64)
    alias = np.zeros(weights.shape[0], dtype=np.int32)
    n = indptr.shape[0] - 1
    for node in range(n):
        start, end = indptr[node], indptr[node + 1]
        degree = end - start
        if degree == 0:
            continue
        total = 0.0
        for a in range(start, end):
            total += weights[a]
        scaled = np.empty(degree, dtype=np.float64)
        small = np.empty(degree, dtype=np.int64)
        large = np.empty(degree, dtype=np.int64)
        ns = nl = 0
        for k in range(degree):
            scaled[k] = weights[start + k] * degree / total
            if scaled[k] < 1.0:
                small[ns] = k
                ns += 1
            else:
                large[nl] = k
                nl += 1
        while ns > 0 and nl > 0:
            ns -= 1
            s = small[ns]
            g = large[nl - 1]
            prob[start + s] = scaled[s]
            alias[start + s] = g
            scaled[g] = scaled[g] + scaled[s] - 1.0
            if scaled[g] < 1.0:
                nl -= 1
                small[ns] = g
                ns += 1
        # Leftovers are 1 up to rounding: they keep prob 1 (set above).
    return prob, alias


@njit(cache=True, inline="always")
def _arc(indptr: np.ndarray, indices: np.ndarray, t: np.int64, x: np.int64) -> np.int64:
    """The position of arc ``t -> x`` (a binary search in ``t``'s sorted row), or -1."""
    lo, hi = indptr[t], indptr[t + 1]
    while lo < hi:
        mid = (lo + hi) >> 1
        if indices[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    if lo < indptr[t + 1] and indices[lo] == x:
        return np.int64(lo)  # type: ignore[no-any-return]
    return np.int64(-1)  # type: ignore[no-any-return]


@njit(cache=True, parallel=True)
def walks_kernel(
    indptr: np.ndarray, indices: np.ndarray, weights: np.ndarray, out_weight: np.ndarray,
    alias_prob: np.ndarray, alias_index: np.ndarray, weighted: bool, starts: np.ndarray,
    first_walk: np.int64, walk_length: np.int64, inv_p: float, inv_q: float,
    second_order: bool, seed: np.uint64, out: np.ndarray,
) -> np.ndarray:
    """Fill ``out[i]`` with the walk from ``starts[i]`` (walk number ``first_walk + i``).

    Walks that reach a node without out-arcs stop early and are padded with -1; the returned
    array gives each walk's length. ``out_weight`` (each node's total out-weight) is only read
    when ``1/p`` is the largest bias (see below); otherwise it may be empty.
    """
    n_walks = starts.shape[0]
    lengths = np.empty(n_walks, dtype=np.int32)
    # When returning is the most favoured move (1/p > max(1, 1/q)) a plain envelope of 1/p
    # would reject most proposals. Instead the return arc is an "outlier" (KnightKing): the
    # envelope of the other arcs is max(1, 1/q), and the return gets its missing mass
    # w(v, t) * (1/p - envelope) as a separate region that is always accepted.
    outlier = second_order and inv_p > max(1.0, inv_q)
    envelope = max(1.0, inv_q) if outlier else max(inv_p, 1.0, inv_q)
    for i in prange(n_walks):
        state = walk_state(seed, first_walk + i)
        current = np.int64(starts[i])
        previous = np.int64(-1)
        out[i, 0] = current
        length = 1
        while length < walk_length:
            if indptr[current + 1] == indptr[current]:
                break
            extra = 0.0
            if outlier and previous >= 0:
                back = _arc(indptr, indices, current, previous)
                if back >= 0:
                    extra = weights[back] * (inv_p - envelope)
            while True:
                if extra > 0.0:
                    state, u = _uniform(state)
                    if u * (envelope * out_weight[current] + extra) < extra:
                        candidate = previous
                        break
                state, k = _draw(state, current, indptr, alias_prob, alias_index, weighted)
                candidate = np.int64(indices[indptr[current] + k])
                if not second_order or previous < 0:
                    break
                if candidate == previous:
                    alpha = min(inv_p, envelope)
                elif _arc(indptr, indices, previous, candidate) >= 0:
                    alpha = 1.0
                else:
                    alpha = inv_q
                state, u = _uniform(state)
                if u * envelope < alpha:
                    break
            previous = current
            current = candidate
            out[i, length] = current
            length += 1
        for j in range(length, walk_length):
            out[i, j] = -1
        lengths[i] = length
    return lengths
