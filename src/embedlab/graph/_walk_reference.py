"""Plain-Python references for the walk kernels: the exact node2vec transition probabilities.

Slow and obvious on purpose: tests compare the kernels' alias tables and the frequencies of
their walks against these numbers.
"""

from __future__ import annotations

import random

import numpy as np

from ._graph import Graph


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
