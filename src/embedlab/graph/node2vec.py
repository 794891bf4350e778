"""``Node2Vec``: node vectors from random walks fed to embedlab's word2vec (skip-gram) trainer.

DeepWalk (Perozzi et al. 2014) is the case ``p = q = 1``: first-order walks, the fast path.
node2vec (Grover & Leskovec 2016) biases each step by where the walk came from: ``p`` controls
returning to the previous node, ``q`` moving away from it (``q < 1``: outward, DFS-like;
``q > 1``: stay local, BFS-like). Walks are sampled by rejection, so memory stays linear in
the number of edges (see :mod:`embedlab.graph._walk_kernels`).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from .._params import PROGRESS, SEED, WORKERS, Boolean, ConstraintSpec, Interval, validate_params
from ..errors import DataError, FormatError
from ..vectors import Vectors
from ._graph import Graph, as_graph
from .walks import Walks, random_walks


class Node2Vec:
    """Learn one vector per node: walks, then skip-gram with negative sampling.

    Args:
        p: node2vec's return parameter (> 0); ``p = q = 1`` is DeepWalk.
        q: node2vec's in-out parameter (> 0).
        walk_length: The most nodes in a walk (a walk that reaches a node with no out-edges
            stops there).
        walks_per_node: How many walks each node starts.
        vector_size: Passed to :class:`embedlab.train.Word2Vec` (skip-gram, ``min_count=1``),
            as are ``window``, ``negative``, ``sample``, ``epochs`` and ``learning_rate``.
        window: The context window of the skip-gram.
        negative: Negative samples per positive one.
        sample: Frequent-word subsampling threshold; defaults to 0 (none): on the karate club
            and the connectome it scored higher than word2vec's 1e-3 (see docs/graph.md).
        epochs: Passes over the walks.
        learning_rate: The starting learning rate.
        workers: Threads for the walks (whose result never depends on it) and, unless
            ``deterministic``, for training.
        seed: Fixes the walks and the training.
        deterministic: Train word2vec on one thread, so a given seed gives bit-identical
            vectors run to run (Hogwild training on several threads does not). Walks are
            parallel either way.
        progress: Show a progress bar while training.
    """

    def __init__(
        self,
        p: float = 1.0,
        q: float = 1.0,
        walk_length: int = 80,
        walks_per_node: int = 10,
        vector_size: int = 128,
        window: int = 10,
        negative: int = 5,
        sample: float = 0.0,
        epochs: int = 1,
        learning_rate: float = 0.025,
        workers: int = 2,
        seed: int = 0,
        deterministic: bool = True,
        progress: bool = True,
    ) -> None:
        self.p = p
        self.q = q
        self.walk_length = walk_length
        self.walks_per_node = walks_per_node
        self.vector_size = vector_size
        self.window = window
        self.negative = negative
        self.sample = sample
        self.epochs = epochs
        self.learning_rate = learning_rate
        self.workers = workers
        self.seed = seed
        self.deterministic = deterministic
        self.progress = progress
        self.timings: dict[str, float] = {}
        self.walks_: Walks | None = None

    # Every parameter, declared once; walks() and fit() check them (see embedlab._params).
    _parameter_constraints: ClassVar[dict[str, list[ConstraintSpec]]] = {
        "p": [Interval(float, 0, None, closed="right")],
        "q": [Interval(float, 0, None, closed="right")],
        "walk_length": [Interval(int, 1, None)],
        "walks_per_node": [Interval(int, 1, None)],
        "vector_size": [Interval(int, 1, None)],
        "window": [Interval(int, 1, None)],
        "negative": [Interval(int, 1, None)],
        "sample": [Interval(float, 0, None)],
        "epochs": [Interval(int, 1, None)],
        "learning_rate": [Interval(float, 0, None, closed="right")],
        "workers": WORKERS,
        "seed": SEED,
        "deterministic": [Boolean()],
        "progress": PROGRESS,
    }
    _owner = "Node2Vec"

    def _validate(self) -> None:
        validate_params(self, self._owner)

    def walks(self, graph: Any) -> Walks:
        """The walks ``fit`` trains on (node indices; iterate for lists of node ids).

        Args:
            graph: A :class:`Graph`, a networkx graph, a scipy sparse adjacency matrix or the
                path of an (undirected) edge list.

        Returns:
            The walks.

        Raises:
            InvalidParameterError: A parameter is out of range.
            FormatError: ``graph`` is a path to no file, or a malformed edge list.
            DataError: The graph has no nodes, or cannot be made from ``graph``.
        """
        self._validate()
        graph = _check_graph(graph)
        return random_walks(graph, self.p, self.q, self.walk_length, self.walks_per_node,
                            int(self.seed), int(self.workers))

    def fit(self, graph: Any) -> Vectors:
        """Walk, train, and return vectors keyed by node id, in the graph's node order
        (with a ``label`` metadata column when the graph has labels).

        ``graph``: a :class:`Graph`, a networkx graph, a scipy sparse adjacency matrix or the
        path of an (undirected) edge list.

        Args:
            graph: The graph to learn node vectors for, as said above.

        Returns:
            One vector per node, keyed by node id, in the graph's node order.

        Raises:
            InvalidParameterError: A parameter is out of range.
            FormatError: ``graph`` is a path to no file, or a malformed edge list.
            DataError: The graph has no nodes, or cannot be made from ``graph``.
        """
        from ..train import Word2Vec, _ranks

        self._validate()
        graph = _check_graph(graph)
        started = time.perf_counter()
        rank, ranks = _ranks.world()  # under torchrun each rank walks and trains on its share
        walks = random_walks(graph, self.p, self.q, self.walk_length, self.walks_per_node,
                             int(self.seed), int(self.workers), rank=rank, ranks=ranks)
        self.walks_ = walks
        self.timings = {"walks": time.perf_counter() - started}
        trainer = Word2Vec(
            mode="skipgram", vector_size=self.vector_size, window=self.window,
            negative=self.negative, min_count=1, sample=self.sample,
            learning_rate=self.learning_rate,
            epochs=self.epochs, workers=1 if self.deterministic else int(self.workers),
            seed=int(self.seed), progress=self.progress,
        )
        started = time.perf_counter()
        learnt = trainer.fit(walks)
        self.timings["train"] = time.perf_counter() - started
        # Every node starts walks, so every node is in the vocabulary: put rows in graph order.
        rows = np.asarray([learnt.index_of(node) for node in graph.ids], dtype=np.int64)
        metadata: dict[str, Any] = {"label": graph.labels} if graph.labels is not None else {}
        counts = None if learnt.counts is None else learnt.counts[rows]
        return Vectors(graph.ids, np.asarray(learnt.matrix)[rows], counts=counts,
                       metadata=metadata)


class DeepWalk(Node2Vec):
    """:class:`Node2Vec` with ``p = q = 1`` (first-order walks): the same parameters, less p and q."""

    _parameter_constraints: ClassVar[dict[str, list[ConstraintSpec]]] = {
        name: spec for name, spec in Node2Vec._parameter_constraints.items() if name not in ("p", "q")
    }
    _owner = "DeepWalk"

    def __init__(
        self,
        walk_length: int = 80,
        walks_per_node: int = 10,
        vector_size: int = 128,
        window: int = 10,
        negative: int = 5,
        sample: float = 0.0,
        epochs: int = 1,
        learning_rate: float = 0.025,
        workers: int = 2,
        seed: int = 0,
        deterministic: bool = True,
        progress: bool = True,
    ) -> None:
        """Set the parameters, as :class:`Node2Vec` takes them (``p = q = 1``).

        Args:
            walk_length: The most nodes in a walk.
            walks_per_node: How many walks each node starts.
            vector_size: The dimension of the vectors.
            window: The context window of the skip-gram.
            negative: Negative samples per positive one.
            sample: Frequent-word subsampling threshold (0: none).
            epochs: Passes over the walks.
            learning_rate: The starting learning rate.
            workers: Threads for the walks and, unless ``deterministic``, for training.
            seed: Fixes the walks and the training.
            deterministic: Train on one thread, for bit-identical vectors run to run.
            progress: Show a progress bar while training.
        """
        super().__init__(
            p=1.0, q=1.0, walk_length=walk_length, walks_per_node=walks_per_node,
            vector_size=vector_size, window=window, negative=negative, sample=sample,
            epochs=epochs, learning_rate=learning_rate, workers=workers, seed=seed,
            deterministic=deterministic, progress=progress,
        )


def _check_graph(graph: object) -> Graph:
    if isinstance(graph, str | os.PathLike) and not Path(graph).is_file():
        what = "a folder, not an edge-list file" if Path(graph).is_dir() else "no such file"
        raise FormatError(f"{what} (fit takes an edge-list path, a Graph, a networkx graph "
                          "or a scipy sparse matrix)", graph)
    converted = as_graph(graph)
    if converted.n_nodes == 0:
        raise DataError("the graph has no nodes")
    return converted
