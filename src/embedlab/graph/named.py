"""Named real graphs: Zachary's karate club, Les Misérables, the Drosophila larva connectome.

The first two ship with networkx. The connectome (left hemisphere of the larval Drosophila
mushroom body, Eichler et al. 2017: 209 neurons, 7,425 weighted directed edges — synapse
counts —, 4 cell types) is fetched once from the graspologic wheel on PyPI by
:mod:`embedlab.datasets` and read from the cache afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..errors import DatasetError, require
from ._graph import Graph


def _karate() -> Graph:
    nx = require("networkx", "graph")
    # Zachary's binary friendship graph; the club each member joined after the split is the label.
    return Graph.from_networkx(nx.karate_club_graph(), weight=None, label="club", name="karate")


def _les_miserables() -> Graph:
    nx = require("networkx", "graph")
    return Graph.from_networkx(nx.les_miserables_graph(), name="les-miserables")


def _drosophila() -> Graph:
    from .. import datasets

    graph: Graph = datasets.load("drosophila-left")
    return graph


def read_connectome(folder: Path) -> Graph:
    """The graspologic files: a whitespace-separated 209 x 209 synapse-count matrix (row ->
    column) and one cell-type letter per line (K Kenyon, P projection, O output, I input)."""
    adjacency = np.loadtxt(folder / "left_adjacency.csv", dtype=np.float64)
    labels = np.loadtxt(folder / "left_cell_labels.csv", dtype=str).tolist()
    return Graph.from_scipy(adjacency, directed=True, labels=labels, name="drosophila-left")


_NAMED: dict[str, Callable[[], Graph]] = {
    "karate": _karate,
    "les-miserables": _les_miserables,
    "drosophila-left": _drosophila,
}
_ALIASES = {"karate-club": "karate", "lesmis": "les-miserables", "drosophila": "drosophila-left"}


def graph_names() -> list[str]:
    return sorted(_NAMED)


def load_graph(name: str) -> Graph:
    """A named graph: ``karate`` (34 nodes, labels: club), ``les-miserables`` (77 nodes,
    weighted, no labels) or ``drosophila-left`` (209 neurons, directed, weighted, labels:
    cell type; fetched once into ``$EMBEDLAB_HOME``)."""
    key = _ALIASES.get(name, name)
    if key not in _NAMED:
        import difflib

        close = difflib.get_close_matches(name, list(_NAMED) + list(_ALIASES), n=3, cutoff=0.4)
        hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
        raise DatasetError(f"unknown graph {name!r}{hint} (named graphs: "
                           f"{', '.join(graph_names())})")
    return _NAMED[key]()
