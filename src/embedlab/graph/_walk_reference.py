"""Plain-Python references for the walk kernels.

:func:`build_alias`, :func:`walk_state` and :func:`walks_kernel` are the kernels of
``_walk_kernels`` with the same signatures and the same random streams: they draw the very same
walks, slowly. The other functions are the exact node2vec transition probabilities, slow and
obvious on purpose: tests compare the alias tables and the frequencies of walks against them.
"""

from __future__ import annotations

import random

import numpy as np

from ._graph import Graph

__all__ = ["build_alias", "walk_state", "walks_kernel"]

_MASK64 = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15


def _mix(z: int) -> int:
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
    return z ^ (z >> 31)


def walk_state(seed: int, walk: int) -> int:
    """The starting state of walk number ``walk``'s splitmix64 stream."""
    return _mix(_mix((int(seed) + _GOLDEN) & _MASK64) ^ ((int(walk) * _GOLDEN + 1) & _MASK64))


def _uniform(state: int) -> tuple[int, float]:
    state = (state + _GOLDEN) & _MASK64
    return state, (_mix(state) >> 11) / 9007199254740992.0


def build_alias(indptr: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vose's alias tables of every node's out-arcs, per arc (offsets within the row)."""
    prob = np.ones(len(weights), dtype=np.float64)
    alias = np.zeros(len(weights), dtype=np.int32)
    for node in range(len(indptr) - 1):
        start, end = int(indptr[node]), int(indptr[node + 1])
        degree = end - start
        if degree == 0:
            continue
        total = float(np.sum(weights[start:end]))
        scaled = [float(weights[start + k]) * degree / total for k in range(degree)]
        small = [k for k in range(degree) if scaled[k] < 1.0]
        large = [k for k in range(degree) if scaled[k] >= 1.0]
        while small and large:
            s = small.pop()
            g = large[-1]
            prob[start + s] = scaled[s]
            alias[start + s] = g
            scaled[g] = scaled[g] + scaled[s] - 1.0
            if scaled[g] < 1.0:
                large.pop()
                small.append(g)
    return prob, alias


def _arc(indptr: np.ndarray, indices: np.ndarray, t: int, x: int) -> int:
    """The position of arc ``t -> x`` in ``t``'s sorted row, or -1."""
    lo, hi = int(indptr[t]), int(indptr[t + 1])
    at = lo + int(np.searchsorted(indices[lo:hi], x))
    return at if at < hi and indices[at] == x else -1


def walks_kernel(indptr: np.ndarray, indices: np.ndarray, weights: np.ndarray,
                 out_weight: np.ndarray, alias_prob: np.ndarray, alias_index: np.ndarray,
                 weighted: bool, starts: np.ndarray, first_walk: int, walk_length: int,
                 inv_p: float, inv_q: float, second_order: bool, seed: int,
                 out: np.ndarray) -> np.ndarray:
    """Fill ``out[i]`` with the walk from ``starts[i]`` (walk number ``first_walk + i``), -1
    padded; returns the walks' lengths. Rejection sampling with KnightKing's outlier region for
    the return arc when ``1/p`` is the largest bias, as the kernel does."""
    lengths = np.empty(len(starts), dtype=np.int32)
    outlier = second_order and inv_p > max(1.0, inv_q)
    envelope = max(1.0, inv_q) if outlier else max(inv_p, 1.0, inv_q)
    for i in range(len(starts)):
        state = walk_state(seed, int(first_walk) + i)
        current, previous = int(starts[i]), -1
        walk = [current]
        while len(walk) < walk_length:
            row, degree = int(indptr[current]), int(indptr[current + 1] - indptr[current])
            if degree == 0:
                break
            extra = 0.0
            if outlier and previous >= 0:
                back = _arc(indptr, indices, current, previous)
                if back >= 0:
                    extra = float(weights[back]) * (inv_p - envelope)
            while True:
                if extra > 0.0:
                    state, u = _uniform(state)
                    if u * (envelope * out_weight[current] + extra) < extra:
                        candidate = previous
                        break
                state, u = _uniform(state)
                scaled = u * degree
                k = min(int(scaled), degree - 1)
                if weighted and not scaled - k < alias_prob[row + k]:
                    k = int(alias_index[row + k])
                candidate = int(indices[row + k])
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
            previous, current = current, candidate
            walk.append(current)
        out[i, : len(walk)] = walk
        out[i, len(walk) : walk_length] = -1
        lengths[i] = len(walk)
    return lengths


def first_order_probabilities(graph: Graph, current: int) -> dict[int, float]:
    """P(next = x | current): arc weight over the current node's total out-weight."""
    start, end = int(graph.indptr[current]), int(graph.indptr[current + 1])
    total = sum(float(w) for w in graph.weights[start:end])
    return {int(graph.indices[a]): float(graph.weights[a]) / total for a in range(start, end)}


def transition_probabilities(
    graph: Graph, previous: int, current: int, p: float, q: float
) -> dict[int, float]:
    """P(next = x | previous, current) for node2vec (Grover & Leskovec 2016, section 3.2.2).

    The unnormalised weight of ``x`` is ``w(current, x)`` times ``1/p`` when ``x`` is
    ``previous``, ``1`` when ``previous`` has an arc to ``x`` and ``1/q`` otherwise.
    """
    start, end = int(graph.indptr[current]), int(graph.indptr[current + 1])
    previous_row = set(int(x) for x in graph.indices[graph.indptr[previous] : graph.indptr[previous + 1]])
    biased = {}
    for a in range(start, end):
        x = int(graph.indices[a])
        if x == previous:
            alpha = 1.0 / p
        elif x in previous_row:
            alpha = 1.0
        else:
            alpha = 1.0 / q
        biased[x] = float(graph.weights[a]) * alpha
    total = sum(biased.values())
    return {x: b / total for x, b in biased.items()}


def alias_distribution(prob: np.ndarray, alias: np.ndarray, start: int, end: int) -> np.ndarray:
    """The distribution an alias table of one row encodes (to check a table against weights)."""
    degree = end - start
    out = np.zeros(degree)
    for k in range(degree):
        out[k] += prob[start + k] / degree
        out[int(alias[start + k])] += (1.0 - prob[start + k]) / degree
    return out


def reference_walk(
    graph: Graph, start: int, walk_length: int, p: float, q: float, rng: random.Random
) -> list[int]:
    """One node2vec walk drawn straight from :func:`transition_probabilities`."""
    walk = [start]
    while len(walk) < walk_length:
        current = walk[-1]
        if graph.indptr[current + 1] == graph.indptr[current]:
            break
        if len(walk) == 1:
            probs = first_order_probabilities(graph, current)
        else:
            probs = transition_probabilities(graph, walk[-2], current, p, q)
        nodes = list(probs)
        walk.append(rng.choices(nodes, weights=[probs[x] for x in nodes])[0])
    return walk
