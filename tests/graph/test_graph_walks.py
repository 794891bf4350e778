"""The walk kernels against the exact node2vec transition probabilities, and determinism."""

from __future__ import annotations

import random
from collections import Counter, defaultdict

import numpy as np
import pytest

from embedlab.graph import Graph, random_walks
from embedlab.graph import _walk_kernels as K
from embedlab.graph import _walk_reference as R
from embedlab.graph._walk_reference import (
    alias_distribution,
    first_order_probabilities,
    reference_walk,
    transition_probabilities,
)
from kernel_impls import implementations

# Tests that take ``walker`` run on the numba kernels, then on the reference standing in for them.
walker = implementations("embedlab.graph._walk_kernels")

# A small weighted graph with a triangle (0, 1, 2), a bridge and a second triangle (3, 4, 5):
# every kind of node2vec step (return, stay at distance 1, move out) happens.
EDGES = [(0, 1, 1.0), (0, 2, 2.0), (1, 2, 1.0), (2, 3, 3.0), (3, 4, 1.0), (3, 5, 2.0),
         (4, 5, 1.0), (1, 3, 0.5)]


def _graph(directed: bool = False) -> Graph:
    s, t, w = zip(*EDGES, strict=True)
    return Graph.from_edges(s, t, w, directed=directed, nodes=range(6))


def test_reference_probabilities_by_hand():
    g = _graph()
    a, b = g.index_of(0), g.index_of(2)
    # From 0 to 2; 2's neighbours are 0 (w 2, return: 1/p), 1 (w 1, also next to 0: 1),
    # 3 (w 3, not next to 0: 1/q). With p = 0.5, q = 2: 4, 1, 1.5 -> /6.5.
    probs = transition_probabilities(g, a, b, p=0.5, q=2.0)
    assert probs == pytest.approx({a: 4 / 6.5, g.index_of(1): 1 / 6.5, g.index_of(3): 1.5 / 6.5})
    assert first_order_probabilities(g, b) == pytest.approx(
        {a: 2 / 6, g.index_of(1): 1 / 6, g.index_of(3): 3 / 6})


def test_alias_tables_encode_the_weights_exactly(walker):
    rng = np.random.default_rng(3)
    g = Graph.from_edges(rng.integers(0, 30, 300), rng.integers(0, 30, 300),
                         rng.random(300) * 10, directed=True, self_loops="drop")
    prob, alias = walker.build_alias(g.indptr, g.weights)
    for node in range(g.n_nodes):
        start, end = int(g.indptr[node]), int(g.indptr[node + 1])
        if end > start:
            expected = g.weights[start:end] / g.weights[start:end].sum()
            np.testing.assert_allclose(alias_distribution(prob, alias, start, end), expected,
                                       atol=1e-12)


def _transition_counts(walks) -> dict[tuple[int, int], Counter]:
    counts: dict[tuple[int, int], Counter] = defaultdict(Counter)
    for row, length in zip(walks.nodes, walks.lengths, strict=True):
        for k in range(2, int(length)):
            counts[(int(row[k - 2]), int(row[k - 1]))][int(row[k])] += 1
    return counts


@pytest.mark.parametrize(("p", "q", "directed"), [(0.5, 2.0, False), (4.0, 0.25, False),
                                                   (1.0, 1.0, False), (0.3, 3.0, True),
                                                   (0.25, 0.5, False), (2.0, 0.5, True)])
def test_kernel_transition_frequencies_match_node2vec(walker, p, q, directed):
    """Chi-square test of every (previous, current) context against the exact probabilities."""
    from scipy.stats import chisquare

    if walker is R and (p, q) != (0.5, 2.0):
        pytest.skip("4,800 walks per setting take seconds in Python; the reference draws the kernel's "
                    "very walks (test_reference_draws_the_kernels_walks)")
    g = _graph(directed)
    walks = random_walks(g, p=p, q=q, walk_length=30, walks_per_node=800, seed=7)
    counts = _transition_counts(walks)
    tested = 0
    for (previous, current), seen in counts.items():
        exact = transition_probabilities(g, previous, current, p, q)
        total = sum(seen.values())
        assert set(seen) <= set(exact)
        nodes = sorted(exact)
        observed = np.array([seen[x] for x in nodes], dtype=float)
        expected = np.array([exact[x] * total for x in nodes])
        if len(nodes) > 1 and total >= 200:
            assert chisquare(observed, expected).pvalue > 1e-4, (previous, current, seen, exact)
            tested += 1
    assert tested >= (3 if directed else 8)


def test_first_step_is_first_order_and_walks_stop_at_dead_ends(walker):
    g = Graph.from_edges(["a", "b"], ["b", "c"], directed=True)  # a -> b -> c, c has no out-arcs
    walks = random_walks(g, p=0.5, q=2.0, walk_length=5, walks_per_node=2, seed=0)
    by_start = {int(row[0]): (row, int(n)) for row, n in zip(walks.nodes, walks.lengths,
                                                             strict=True)}
    a, b, c = (g.index_of(x) for x in "abc")
    assert list(by_start[a][0]) == [a, b, c, -1, -1] and by_start[a][1] == 3
    assert list(by_start[c][0]) == [c, -1, -1, -1, -1]
    assert [w for w in walks if w[0] == "b"] == [["b", "c"], ["b", "c"]]


def test_walks_depend_on_the_seed_only_not_on_threads(walker):
    g = _graph()
    one = random_walks(g, p=0.5, q=2.0, walk_length=20, walks_per_node=50, seed=11, workers=1)
    two = random_walks(g, p=0.5, q=2.0, walk_length=20, walks_per_node=50, seed=11, workers=2)
    again = random_walks(g, p=0.5, q=2.0, walk_length=20, walks_per_node=50, seed=11)
    other = random_walks(g, p=0.5, q=2.0, walk_length=20, walks_per_node=50, seed=12)
    np.testing.assert_array_equal(one.nodes, two.nodes)
    np.testing.assert_array_equal(one.nodes, again.nodes)
    assert not np.array_equal(one.nodes, other.nodes)
    # Every node starts walks_per_node walks.
    assert np.bincount(one.nodes[:, 0], minlength=6).tolist() == [50] * 6


def test_reference_walk_agrees_in_distribution():
    """The plain-Python walker and the kernel visit nodes equally often (long-run frequencies)."""
    g = _graph()
    rng = random.Random(0)
    ref = Counter(x for s in range(6) for _ in range(300)
                  for x in reference_walk(g, s, 20, 0.5, 2.0, rng))
    walks = random_walks(g, p=0.5, q=2.0, walk_length=20, walks_per_node=300, seed=0)
    kernel = np.bincount(walks.nodes[walks.nodes >= 0], minlength=6)
    ref_share = np.array([ref[i] for i in range(6)]) / sum(ref.values())
    np.testing.assert_allclose(kernel / kernel.sum(), ref_share, atol=0.01)


@pytest.mark.parametrize(("p", "q", "weighted", "directed"), [
    (1.0, 1.0, False, False), (1.0, 1.0, True, True), (0.5, 2.0, True, False),
    (0.25, 0.5, True, False), (4.0, 0.25, False, True),
])
def test_reference_draws_the_kernels_walks(p, q, weighted, directed):
    """Same random streams: the reference's walks are the kernel's, node for node."""
    s, t, w = zip(*EDGES, strict=True)
    g = Graph.from_edges(s, t, w if weighted else None, directed=directed, nodes=range(6))
    out_weight = np.bincount(np.repeat(np.arange(6), g.degrees()), weights=g.weights, minlength=6)
    starts = np.repeat(np.arange(6, dtype=np.int32), 20)
    walks = []
    for impl in (K, R):
        prob, alias = impl.build_alias(g.indptr, g.weights)
        out = np.zeros((len(starts), 12), np.int32)
        lengths = impl.walks_kernel(g.indptr, g.indices, g.weights, out_weight, prob, alias,
                                    weighted, starts, np.int64(5), np.int64(12), 1 / p, 1 / q,
                                    (p, q) != (1.0, 1.0), np.uint64(99), out)
        walks.append((prob, alias, out, lengths))
    for got, want in zip(*walks, strict=True):
        np.testing.assert_array_equal(got, want)
    assert K.walk_state(np.uint64(99), np.int64(3)) == R.walk_state(99, 3)
