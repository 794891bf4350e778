"""Node embeddings for graphs: DeepWalk and node2vec walks fed to the word2vec trainer,
node classification and link prediction, and a few named real graphs.

>>> from embedlab.graph import Node2Vec, load_graph, node_classification
>>> graph = load_graph("karate")                                   # doctest: +SKIP
>>> vectors = Node2Vec(q=0.5, vector_size=32).fit(graph)           # doctest: +SKIP
>>> print(node_classification(vectors, graph))                     # doctest: +SKIP

Importing this package loads numpy only; the numba walk kernels, networkx and scikit-learn
load when first used.
"""

from __future__ import annotations

from ._graph import Graph, as_graph
from .evaluate import (
    ClassificationScores,
    EdgeSplit,
    LinkPredictionScores,
    link_prediction,
    node_classification,
    score_links,
    split_edges,
)
from .labels import read_labels
from .named import graph_names, load_graph
from .node2vec import DeepWalk, Node2Vec
from .walks import Walks, random_walks

__all__ = [
    "ClassificationScores",
    "DeepWalk",
    "EdgeSplit",
    "Graph",
    "LinkPredictionScores",
    "Node2Vec",
    "Walks",
    "as_graph",
    "graph_names",
    "link_prediction",
    "load_graph",
    "node_classification",
    "random_walks",
    "read_labels",
    "score_links",
    "split_edges",
]
