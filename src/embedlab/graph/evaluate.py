"""How good are node vectors? Node classification and link prediction, as pure functions.

Both follow the node2vec paper's protocols: one-vs-rest logistic regression on the vectors
scored by micro and macro F1 over stratified folds; and link prediction where a fraction of
edges is held out, the embedding is learnt on the rest, and a logistic regression on Hadamard
(element-wise) products of endpoint vectors separates held-out edges from sampled non-edges,
scored by ROC AUC. scikit-learn is needed (``pip install 'embedlab[graph]'``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import DataError, check_param, require
from ..vectors import Vectors
from ._graph import Graph


@dataclass
class ClassificationScores:
    """Micro and macro F1, the mean over folds, with every fold's score kept."""

    micro_f1: float
    macro_f1: float
    folds_micro_f1: list[float] = field(default_factory=list)
    folds_macro_f1: list[float] = field(default_factory=list)
    n_nodes: int = 0
    n_classes: int = 0

    def __str__(self) -> str:
        return (f"micro-F1 {self.micro_f1:.3f}  macro-F1 {self.macro_f1:.3f}  "
                f"({len(self.folds_micro_f1)} folds, {self.n_nodes} nodes, "
                f"{self.n_classes} classes)")


def _aligned_labels(
    vectors: Vectors, labels: Mapping[str, Any] | Sequence[Any] | Graph | None
) -> tuple[list[str], list[str]]:
    """(node ids, labels) for the nodes that have both a vector and a label."""
    if isinstance(labels, Graph):
        if labels.labels is None:
            raise DataError(f"the graph {labels.name or ''} has no node labels")
        labels = dict(zip(labels.ids, labels.labels, strict=True))
    if labels is None:
        column = vectors.metadata.get("label")
        if column is None:
            raise DataError("no labels given and the vectors have no 'label' metadata column")
        labels = list(column)
    if isinstance(labels, Mapping):
        pairs = [(str(k), str(v)) for k, v in labels.items() if str(k) in vectors]
        if not pairs:
            raise DataError("none of the labelled nodes has a vector; are the ids the same?")
    else:
        values = list(labels)
        if len(values) != len(vectors):
            raise DataError(f"{len(values)} labels for {len(vectors)} vectors; give one per "
                            "vector, or a mapping from node id to label")
        pairs = [(k, str(v)) for k, v in zip(vectors.keys, values, strict=True)]
    pairs = [(k, v) for k, v in pairs if v != ""]
    return [k for k, _ in pairs], [v for _, v in pairs]


def node_classification(
    vectors: Vectors,
    labels: Mapping[str, Any] | Sequence[Any] | Graph | None = None,
    folds: int = 5,
    seed: int = 0,
    max_iter: int = 1000,
) -> ClassificationScores:
    """Micro and macro F1 of one-vs-rest logistic regression over ``folds`` stratified folds.

    ``labels``: a mapping from node id to label, one label per vector (in order), a labelled
    :class:`Graph`, or ``None`` to use the vectors' ``label`` metadata. Nodes labelled ``""``
    are left out. The folds are shuffled with ``seed``.

    Args:
        vectors: The node vectors.
        labels: The node labels, as said above; None uses the ``label`` metadata.
        folds: The number of stratified folds, at least 2.
        seed: The seed of the folds' shuffle.
        max_iter: The most iterations of each logistic regression.

    Returns:
        The micro and macro F1, averaged over the folds and per fold.

    Raises:
        InvalidParameterError: ``folds`` is not an int >= 2.
        MissingExtraError: scikit-learn (the ``graph`` extra) is not installed.
        DataError: There are no labels, fewer than two classes, a class with fewer nodes than
            ``folds``, labels that do not match the vectors, or no labelled node with a vector.
    """
    check_param(isinstance(folds, int) and folds >= 2, "folds", "node_classification",
                "an int >= 2", folds)
    require("sklearn", "graph")
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold
    from sklearn.multiclass import OneVsRestClassifier

    nodes, names = _aligned_labels(vectors, labels)
    classes, y = np.unique(np.asarray(names), return_inverse=True)
    if classes.size < 2:
        raise DataError("node classification needs at least two classes")
    smallest = int(np.bincount(y).min())
    if smallest < folds:
        raise DataError(f"the rarest class has {smallest} nodes, fewer than folds={folds}; "
                        "lower folds or drop the class")
    x = np.asarray(vectors.matrix)[[vectors.index_of(n) for n in nodes]].astype(np.float64)
    micro, macro = [], []
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train, test in splitter.split(x, y):
        model = OneVsRestClassifier(LogisticRegression(max_iter=max_iter))
        model.fit(x[train], y[train])
        predicted = model.predict(x[test])
        micro.append(float(f1_score(y[test], predicted, average="micro")))
        macro.append(float(f1_score(y[test], predicted, average="macro")))
    return ClassificationScores(float(np.mean(micro)), float(np.mean(macro)), micro, macro,
                                len(nodes), int(classes.size))


# ---------------------------------------------------------------------- link prediction
@dataclass
class EdgeSplit:
    """A graph with some edges held out, and the pairs to train and test a link classifier.

    Pairs are node-index arrays of shape (k, 2); ``train_graph`` keeps every node.
    """

    train_graph: Graph
    train_edges: np.ndarray
    train_non_edges: np.ndarray
    test_edges: np.ndarray
    test_non_edges: np.ndarray


def split_edges(graph: Graph, test_fraction: float = 0.1, seed: int = 0) -> EdgeSplit:
    """Hold out ``test_fraction`` of the edges, never one that a random spanning forest needs
    (so no node loses all its edges and no component falls apart), and sample as many
    non-edges for testing, and again as many for training, all distinct.

    Args:
        graph: The graph to split.
        test_fraction: The share of the edges to hold out, between 0 and 1.
        seed: The seed of the split and of the sampled non-edges.

    Returns:
        The training graph and the training and test pairs.

    Raises:
        InvalidParameterError: ``test_fraction`` is not between 0 and 1.
        DataError: The edges cannot be held out without disconnecting the graph, or the graph
            has too few non-edges to sample.
    """
    check_param(isinstance(test_fraction, float | int) and 0 < test_fraction < 1,
                "test_fraction", "split_edges", "a number between 0 and 1", test_fraction)
    rng = np.random.default_rng(seed)
    sources, targets, _ = graph.edges()
    m = sources.size
    order = rng.permutation(m)
    # Kruskal on a random order: the forest's edges stay in the training graph.
    parent = np.arange(graph.n_nodes)

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = int(parent[a])
        return a

    in_forest = np.zeros(m, dtype=bool)
    for e in order:
        a, b = find(int(sources[e])), find(int(targets[e]))
        if a != b:
            parent[a] = b
            in_forest[e] = True
    candidates = order[~in_forest[order]]
    n_test = int(round(m * test_fraction))
    if n_test < 1 or candidates.size < n_test:
        raise DataError(f"cannot hold out {n_test} of {m} edges without disconnecting the graph; "
                        "lower test_fraction or use a denser graph")
    test = candidates[:n_test]
    keep = np.ones(m, dtype=bool)
    keep[test] = False
    test_edges = np.stack([sources[test], targets[test]], axis=1)
    train_edges = np.stack([sources[keep], targets[keep]], axis=1)
    non_edges = _sample_non_edges(graph, 2 * n_test + train_edges.shape[0], rng)
    return EdgeSplit(
        graph.without_edges(test_edges[:, 0], test_edges[:, 1]),
        train_edges,
        non_edges[2 * n_test :],
        test_edges,
        non_edges[:n_test],
    )


def _sample_non_edges(graph: Graph, count: int, rng: np.random.Generator) -> np.ndarray:
    n = graph.n_nodes
    possible = n * (n - 1) // (1 if graph.directed else 2) - graph.n_edges
    if possible < count:
        raise DataError(f"the graph has only {possible} non-edges; {count} are needed")
    s, t, _ = graph.edges()
    taken = set((s.astype(np.int64) * n + t).tolist())
    if not graph.directed:
        taken |= set((t.astype(np.int64) * n + s).tolist())
    found: list[tuple[int, int]] = []
    while len(found) < count:
        a = rng.integers(0, n, size=2 * (count - len(found)) + 16)
        b = rng.integers(0, n, size=a.size)
        for u, v in zip(a.tolist(), b.tolist(), strict=True):
            if u == v:
                continue
            if not graph.directed and u > v:
                u, v = v, u
            key = u * n + v
            if key in taken:
                continue
            taken.add(key)
            if not graph.directed:
                taken.add(v * n + u)
            found.append((u, v))
            if len(found) == count:
                break
    return np.asarray(found, dtype=np.int64).reshape(-1, 2)


@dataclass
class LinkPredictionScores:
    """ROC AUC on held-out edges against sampled non-edges."""

    auc: float
    n_test_edges: int
    n_train_edges: int

    def __str__(self) -> str:
        return (f"ROC AUC {self.auc:.3f}  ({self.n_test_edges} held-out edges, "
                f"{self.n_train_edges} training edges)")


def hadamard(vectors: Vectors, ids: Sequence[str], pairs: np.ndarray) -> np.ndarray:
    """Element-wise products of the two endpoints' vectors, one row per pair.

    Args:
        vectors: The node vectors.
        ids: The node ids, by node index.
        pairs: Node-index pairs, shape (k, 2).

    Returns:
        The features, float64, shape (k, dim).

    Raises:
        UnknownKeyError: A node has no vector.
    """
    matrix = np.asarray(vectors.matrix, dtype=np.float64)
    rows = np.asarray([vectors.index_of(node) for node in ids], dtype=np.int64)
    features: np.ndarray = matrix[rows[pairs[:, 0]]] * matrix[rows[pairs[:, 1]]]
    return features


def score_links(vectors: Vectors, split: EdgeSplit, seed: int = 0) -> LinkPredictionScores:
    """Train the Hadamard + logistic-regression link classifier and report its test ROC AUC.

    ``vectors`` must have been learnt on ``split.train_graph``.

    Args:
        vectors: The node vectors learnt on ``split.train_graph``.
        split: The split from :func:`split_edges`.
        seed: The seed of the logistic regression.

    Returns:
        The test ROC AUC and the numbers of test and training edges.

    Raises:
        MissingExtraError: scikit-learn (the ``graph`` extra) is not installed.
        UnknownKeyError: A node has no vector.
    """
    require("sklearn", "graph")
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    ids = split.train_graph.ids
    x_train = np.concatenate([hadamard(vectors, ids, split.train_edges),
                              hadamard(vectors, ids, split.train_non_edges)])
    y_train = np.r_[np.ones(len(split.train_edges)), np.zeros(len(split.train_non_edges))]
    x_test = np.concatenate([hadamard(vectors, ids, split.test_edges),
                             hadamard(vectors, ids, split.test_non_edges)])
    y_test = np.r_[np.ones(len(split.test_edges)), np.zeros(len(split.test_non_edges))]
    model = LogisticRegression(max_iter=1000, random_state=seed).fit(x_train, y_train)
    auc = float(roc_auc_score(y_test, model.predict_proba(x_test)[:, 1]))
    return LinkPredictionScores(auc, len(split.test_edges), len(split.train_edges))


def link_prediction(
    embed: Callable[[Graph], Vectors] | Any,
    graph: Graph,
    test_fraction: float = 0.1,
    seed: int = 0,
) -> LinkPredictionScores:
    """Hold out edges, learn vectors on the rest with ``embed`` (a :class:`Node2Vec`, or any
    function from a graph to vectors), and score the held-out edges by ROC AUC.

    Args:
        embed: A model with a ``fit(graph)`` method, or a function from a graph to vectors.
        graph: The graph.
        test_fraction: The share of the edges to hold out, between 0 and 1.
        seed: The seed of the split and of the classifier.

    Returns:
        The test ROC AUC and the numbers of test and training edges.

    Raises:
        InvalidParameterError: ``test_fraction`` is not between 0 and 1.
        DataError: The edges cannot be held out (see :func:`split_edges`).
        MissingExtraError: scikit-learn (the ``graph`` extra) is not installed.
    """
    split = split_edges(graph, test_fraction, seed)
    fit = embed.fit if hasattr(embed, "fit") else embed
    return score_links(fit(split.train_graph), split, seed)
