"""Random walks on a :class:`Graph`: DeepWalk (first order) and node2vec (second order).

The numba kernels live in :mod:`embedlab.graph._walk_kernels` and load on first use.

Walk ``i`` starts at ``start_nodes(...)[i]`` and draws from its own random stream (a function
of ``seed`` and ``i`` alone), so any contiguous range of walks can be generated apart from the
rest: ``random_walks(..., rank=r, ranks=n)`` gives rank ``r`` the walks
``len * r // n .. len * (r + 1) // n - 1``, and the shares of ranks ``0 .. n-1`` end to end are
exactly the walks of one process, in the same order.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from .._params import ConstraintSpec, Interval, validate_arguments
from ._graph import Graph


@dataclass
class Walks:
    """Walks as node indices: row ``i`` holds ``lengths[i]`` nodes, then -1 padding."""

    nodes: np.ndarray
    lengths: np.ndarray
    graph: Graph
    first_walk: int = 0  # the number of this share's first walk among all ranks' walks
    ranks: int = 1  # how many ranks share the walks (a trainer then splits them no further)

    @property
    def rank_share(self) -> bool:
        """Whether these are one rank's share of the walks (see the module's text)."""
        return self.ranks > 1

    def __len__(self) -> int:
        return int(self.nodes.shape[0])

    @property
    def n_steps(self) -> int:
        """Nodes visited over all walks (the corpus size in tokens)."""
        return int(self.lengths.sum())

    def __iter__(self) -> Iterator[list[str]]:
        """Each walk as a list of node ids: the token lists a word2vec trainer reads."""
        ids = self.graph.ids
        for row, length in zip(self.nodes, self.lengths, strict=True):
            yield [ids[i] for i in row[:length]]


# The walk parameters, declared once for random_walks (Node2Vec declares its own table).
_WALK_CONSTRAINTS: dict[str, list[ConstraintSpec]] = {
    "p": [Interval(float, 0, None, closed="right")],
    "q": [Interval(float, 0, None, closed="right")],
    "walk_length": [Interval(int, 1, None)],
    "walks_per_node": [Interval(int, 1, None)],
    "workers": [None, Interval(int, 1, None)],
    "seed": [Interval(int, 0, None)],
    "rank": [Interval(int, 0, None)],
    "ranks": [Interval(int, 1, None)],
}


def start_nodes(n_nodes: int, walks_per_node: int, seed: int) -> np.ndarray:
    """Walk ``i`` starts at ``starts[i]``: every node once per round, rounds shuffled apart.

    Args:
        n_nodes: The number of nodes.
        walks_per_node: The number of rounds.
        seed: The seed of the shuffles.

    Returns:
        The start nodes, int32, ``n_nodes * walks_per_node`` of them.
    """
    rng = np.random.default_rng(seed)
    return np.concatenate(
        [rng.permutation(n_nodes).astype(np.int32) for _ in range(walks_per_node)]
    ) if n_nodes else np.zeros(0, np.int32)


def random_walks(
    graph: Graph,
    p: float = 1.0,
    q: float = 1.0,
    walk_length: int = 80,
    walks_per_node: int = 10,
    seed: int = 0,
    workers: int | None = None,
    rank: int = 0,
    ranks: int = 1,
) -> Walks:
    """``walks_per_node`` walks of up to ``walk_length`` nodes from every node.

    ``p = q = 1`` gives DeepWalk's first-order walks (the fast path: no acceptance test).
    Walks are identical for a given seed whatever ``workers`` is (``None``: all cores).
    ``rank``/``ranks``: only rank ``rank``'s share of the walks, for training on several
    processes (see the module's text); its shares together are the walks of ``ranks=1``.

    Args:
        graph: The graph to walk.
        p: The return parameter (node2vec): higher makes stepping back less likely.
        q: The in-out parameter (node2vec): higher keeps walks near their start.
        walk_length: The most nodes in a walk.
        walks_per_node: How many walks start at each node.
        seed: The seed of the walks.
        workers: The threads to walk on; None uses all cores.
        rank: Which share of the walks to make, from 0.
        ranks: How many shares the walks are split into.

    Returns:
        The walks (this rank's share of them).

    Raises:
        InvalidParameterError: A parameter is out of range, or ``rank >= ranks``.
    """
    validate_arguments("random_walks", _WALK_CONSTRAINTS, {
        "p": p, "q": q, "walk_length": walk_length, "walks_per_node": walks_per_node,
        "workers": workers, "seed": seed, "rank": rank, "ranks": ranks,
    })
    if rank >= ranks:
        from ..errors import InvalidParameterError

        raise InvalidParameterError(
            f"The 'rank' parameter of random_walks must be < ranks ({ranks}). Got {rank} instead.")
    import numba

    from . import _walk_kernels as kernels

    weighted = graph.weighted
    if weighted:
        prob, alias = kernels.build_alias(graph.indptr, graph.weights)
    else:
        prob, alias = np.ones(0, np.float64), np.zeros(0, np.int32)
    starts = start_nodes(graph.n_nodes, walks_per_node, seed)
    first_walk = len(starts) * rank // ranks
    starts = starts[first_walk:len(starts) * (rank + 1) // ranks]
    out = np.empty((starts.size, walk_length), dtype=np.int32)
    second_order = not (p == 1.0 and q == 1.0)
    if second_order and 1.0 / p > max(1.0, 1.0 / q):
        rows = np.repeat(np.arange(graph.n_nodes), graph.degrees())
        out_weight = np.bincount(rows, weights=graph.weights, minlength=graph.n_nodes)
    else:
        out_weight = np.zeros(0, np.float64)
    before = numba.get_num_threads()
    most = int(numba.config.NUMBA_NUM_THREADS)  # type: ignore[attr-defined]
    threads = min(workers or most, most)
    numba.set_num_threads(threads)
    try:
        lengths = kernels.walks_kernel(
            graph.indptr, graph.indices, graph.weights, out_weight, prob, alias, weighted,
            starts, np.int64(first_walk),
            np.int64(walk_length), 1.0 / p, 1.0 / q, second_order,
            np.uint64(seed % (1 << 64)), out,
        )
    finally:
        numba.set_num_threads(before)
    return Walks(out, lengths, graph, first_walk, ranks)
