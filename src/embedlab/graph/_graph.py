"""``Graph``: a compressed sparse row (CSR) graph with contiguous node indices and the original ids.

Every input (an edge-list file, a networkx graph, a scipy sparse matrix, plain arrays) becomes
the same three arrays: ``indptr`` (n + 1 offsets), ``indices`` (the targets, sorted within each
row, so "is x a neighbour of t" is a binary search) and ``weights``. An undirected edge is
stored as two arcs. That is all the walkers need: memory is linear in the number of edges.

Policies, the same for every input:

- self-loops raise :class:`~embedlab.errors.DataError` (``self_loops="error"``, the default) or
  are dropped (``self_loops="drop"``);
- negative, NaN or infinite weights raise ``DataError``; a weight of exactly 0 is no edge;
- an edge given twice keeps the last weight given (as networkx does).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import Any, Literal

import numpy as np

from .._io import open_text
from ..errors import DataError, FormatError, UnknownKeyError, check_param, require

SelfLoops = Literal["error", "drop"]


class Graph:
    """A graph in CSR form: node ``i`` has id ``ids[i]`` and out-arcs
    ``indices[indptr[i]:indptr[i + 1]]`` with ``weights`` alongside.

    Build one with :meth:`from_edges`, :meth:`from_edgelist`, :meth:`from_networkx` or
    :meth:`from_scipy` rather than by hand. ``labels``, when known, hold one class label per
    node (cell type, club) for node classification.
    """

    def __init__(
        self,
        indptr: np.ndarray,
        indices: np.ndarray,
        weights: np.ndarray,
        ids: Sequence[str],
        directed: bool,
        labels: Sequence[str] | None = None,
        name: str = "",
    ) -> None:
        """Wrap CSR arrays as they are (the builders below make them).

        Args:
            indptr: Where each node's arcs start in ``indices``, ``n + 1`` entries.
            indices: The target node of each arc, sorted within each node.
            weights: The weight of each arc.
            ids: The node ids, one per node, unique.
            directed: Whether the arcs are edges of a directed graph.
            labels: One class label per node, or None.
            name: A name shown by ``repr``.

        Raises:
            DataError: The arrays are inconsistent, the ids are not unique, or there is not
                one label per node.
        """
        self.indptr = np.ascontiguousarray(indptr, dtype=np.int64)
        self.indices = np.ascontiguousarray(indices, dtype=np.int32)
        self.weights = np.ascontiguousarray(weights, dtype=np.float64)
        self.ids = [str(i) for i in ids]
        self.directed = bool(directed)
        self.name = name
        n = len(self.ids)
        if self.indptr.shape != (n + 1,) or self.indices.shape != self.weights.shape:
            raise DataError("inconsistent CSR arrays: indptr needs n+1 entries, weights one per arc")
        self._index = {node: i for i, node in enumerate(self.ids)}
        if len(self._index) != n:
            raise DataError("node ids must be unique")
        self.labels: list[str] | None = None
        if labels is not None:
            self.labels = [str(label) for label in labels]
            if len(self.labels) != n:
                raise DataError(f"{len(self.labels)} labels for {n} nodes; give one per node")

    # ------------------------------------------------------------------ facts
    @property
    def n_nodes(self) -> int:
        return len(self.ids)

    @property
    def n_arcs(self) -> int:
        """Stored arcs: an undirected edge counts twice."""
        return int(self.indices.shape[0])

    @property
    def n_edges(self) -> int:
        """Edges as the user gave them: arcs, or arcs / 2 for an undirected graph."""
        return self.n_arcs if self.directed else self.n_arcs // 2

    @property
    def weighted(self) -> bool:
        """False when every weight is equal (walks then draw neighbours uniformly)."""
        return bool(self.weights.size) and bool(np.any(self.weights != self.weights[0]))

    def degrees(self) -> np.ndarray:
        """Out-degree of every node (arcs leaving it).

        Returns:
            The degrees, int64, one per node.
        """
        return np.diff(self.indptr)

    def index_of(self, node: object) -> int:
        """The index of ``node``.

        Args:
            node: A node id (compared as ``str``).

        Returns:
            The node's index, in ``ids``.

        Raises:
            UnknownKeyError: The graph has no such node (close ids are suggested).
        """
        try:
            return self._index[str(node)]
        except KeyError:
            import difflib

            close = difflib.get_close_matches(str(node), self.ids, n=3)
            raise UnknownKeyError(node, close, what="node") from None

    def neighbors(self, node: object) -> list[str]:
        """Ids of the nodes ``node`` has an arc to.

        Args:
            node: A node id.

        Returns:
            The ids of its neighbours.

        Raises:
            UnknownKeyError: The graph has no such node.
        """
        i = self.index_of(node)
        return [self.ids[j] for j in self.indices[self.indptr[i] : self.indptr[i + 1]]]

    def has_edge(self, u: object, v: object) -> bool:
        """Whether there is an arc from ``u`` to ``v`` (either way when undirected).

        Args:
            u: A node id.
            v: A node id.

        Returns:
            Whether the edge is in the graph.

        Raises:
            UnknownKeyError: The graph has no such node.
        """
        i, j = self.index_of(u), self.index_of(v)
        row = self.indices[self.indptr[i] : self.indptr[i + 1]]
        k = int(np.searchsorted(row, j))
        return k < row.size and int(row[k]) == j

    def edges(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Edges as index arrays ``(sources, targets, weights)``; undirected ones once (u < v).

        Returns:
            The source indices, the target indices and the weights, one entry per edge.
        """
        sources = np.repeat(np.arange(self.n_nodes, dtype=np.int32), self.degrees())
        targets, weights = self.indices, self.weights
        if not self.directed:
            keep = sources < targets
            return sources[keep], targets[keep], weights[keep]
        return sources, targets.copy(), weights.copy()

    def __repr__(self) -> str:
        kind = "directed" if self.directed else "undirected"
        weighted = "weighted" if self.weighted else "unweighted"
        name = f" {self.name!r}" if self.name else ""
        return f"<Graph{name}: {self.n_nodes} nodes, {self.n_edges} {kind} {weighted} edges>"

    def to_scipy(self) -> Any:
        """The weighted adjacency as a ``scipy.sparse.csr_matrix`` (both arcs when undirected).

        Returns:
            The ``n_nodes x n_nodes`` sparse matrix.

        Raises:
            MissingExtraError: scipy (the ``graph`` extra) is not installed.
        """
        sparse = require("scipy.sparse", "graph")
        return sparse.csr_matrix(
            (self.weights, self.indices, self.indptr), shape=(self.n_nodes, self.n_nodes)
        )

    def without_edges(self, sources: np.ndarray, targets: np.ndarray) -> Graph:
        """A copy with the given edges (index arrays) removed; nodes and labels are kept.

        Args:
            sources: The source node indices of the edges to remove.
            targets: The target node indices, alongside.

        Returns:
            The new graph.
        """
        s, t, w = self.edges()
        n = np.int64(self.n_nodes)
        drop = np.asarray(sources, np.int64) * n + np.asarray(targets, np.int64)
        if not self.directed:
            drop = np.concatenate([drop, np.asarray(targets, np.int64) * n + sources])
        keep = ~np.isin(s.astype(np.int64) * n + t, drop)
        return Graph.from_edges(
            s[keep], t[keep], w[keep], directed=self.directed, nodes=self.ids,
            labels=self.labels, name=self.name, _indices=True,
        )

    # ------------------------------------------------------------------ builders
    @classmethod
    def from_edges(
        cls,
        sources: Iterable[Any],
        targets: Iterable[Any],
        weights: Iterable[float] | None = None,
        *,
        directed: bool = False,
        nodes: Sequence[object] | None = None,
        labels: Sequence[str] | None = None,
        self_loops: SelfLoops = "error",
        name: str = "",
        _indices: bool = False,
    ) -> Graph:
        """Build from parallel sequences of node ids (any hashable; stored as ``str``).

        ``nodes`` fixes the node order and may add isolated nodes; otherwise nodes are numbered
        in order of first appearance.

        Args:
            sources: The source node of each edge.
            targets: The target node of each edge.
            weights: The weight of each edge (finite, >= 0); None gives every edge weight 1.
            directed: Whether the edges are directed.
            nodes: The node ids in order; None numbers them as they appear.
        self_loops: ``"error"`` refuses an edge from a node to itself, ``"drop"`` drops it.
            labels: One class label per node, or None.
            name: A name shown by ``repr``.

        Returns:
            The graph.

        Raises:
            InvalidParameterError: ``self_loops`` is not ``"error"`` or ``"drop"``.
            DataError: The sequences differ in length, a weight is negative or not finite,
                there is a self-loop with ``self_loops="error"``, ``nodes`` repeats an id, or
                the labels are not one per node.
            UnknownKeyError: An endpoint is not in ``nodes``.
        """
        check_param(self_loops in ("error", "drop"), "self_loops", "Graph", "'error' or 'drop'",
                    self_loops)
        if _indices:
            ids = [str(n) for n in (nodes or [])]
            src = np.asarray(sources, dtype=np.int64)
            dst = np.asarray(targets, dtype=np.int64)
        else:
            ids, src, dst = _number_nodes(sources, targets, nodes)
        if src.shape != dst.shape:
            raise DataError(f"{src.size} sources but {dst.size} targets; give one of each per edge")
        w = (np.ones(src.shape, dtype=np.float64) if weights is None
             else np.asarray(list(weights) if not isinstance(weights, np.ndarray) else weights,
                             dtype=np.float64))
        if w.shape != src.shape:
            raise DataError(f"{w.size} weights for {src.size} edges; give one weight per edge")
        _check_weights(w, lambda k: f"edge {ids[src[k]]!r} -> {ids[dst[k]]!r}")
        loops = src == dst
        if loops.any():
            if self_loops == "error":
                k = int(np.argmax(loops))
                raise DataError(
                    f"self-loop on node {ids[src[k]]!r}: node2vec walks are defined without them; "
                    "remove it or pass self_loops='drop'"
                )
            src, dst, w = src[~loops], dst[~loops], w[~loops]
        return cls._from_arcs(src, dst, w, ids, directed, labels, name)

    @classmethod
    def _from_arcs(
        cls, src: np.ndarray, dst: np.ndarray, w: np.ndarray, ids: list[str], directed: bool,
        labels: Sequence[str] | None, name: str,
    ) -> Graph:
        nonzero = w != 0
        src, dst, w = src[nonzero], dst[nonzero], w[nonzero]
        if not directed:
            src, dst = np.concatenate([src, dst]), np.concatenate([dst, src])
            w = np.concatenate([w, w])
        n = len(ids)
        # A stable sort by (source, target): the last duplicate of an arc is the one kept.
        order = np.lexsort((dst, src))
        src, dst, w = src[order], dst[order], w[order]
        if src.size:
            last = np.ones(src.size, dtype=bool)
            last[:-1] = (src[1:] != src[:-1]) | (dst[1:] != dst[:-1])
            src, dst, w = src[last], dst[last], w[last]
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
        return cls(indptr, dst, w, ids, directed, labels, name)

    @classmethod
    def from_edgelist(
        cls,
        path: str | os.PathLike[str],
        *,
        directed: bool = False,
        self_loops: SelfLoops = "error",
        delimiter: str | None = None,
    ) -> Graph:
        """Read ``u v [w]`` lines (whitespace-separated unless ``delimiter``); ``#`` starts a
        comment; a line with a single id declares a node, isolated or not. gzip/bz2/xz work.

        Args:
            path: The edge-list file.
            directed: Whether the edges are directed.
        self_loops: ``"error"`` refuses an edge from a node to itself, ``"drop"`` drops it.
            delimiter: The field separator; None splits on whitespace.

        Returns:
            The graph, named after the file.

        Raises:
            FormatError: A line has more than three fields, a weight that is not a finite
                number >= 0, or a self-loop with ``self_loops="error"``.
            DataError: The file holds no edges and no nodes.
        """
        sources: list[str] = []
        targets: list[str] = []
        weights: list[float] = []
        nodes: dict[str, None] = {}
        lines: list[int] = []
        with open_text(path) as handle:
            for number, raw in enumerate(handle, start=1):
                line = raw.split("#", 1)[0].strip()
                if not line:
                    continue
                fields = line.split(delimiter)
                if len(fields) == 1:
                    nodes.setdefault(fields[0].strip(), None)
                    continue
                if len(fields) > 3:
                    raise FormatError(
                        f"expected 'source target [weight]', found {len(fields)} fields", path, number
                    )
                u, v = fields[0].strip(), fields[1].strip()
                nodes.setdefault(u, None)
                nodes.setdefault(v, None)
                try:
                    weight = float(fields[2]) if len(fields) == 3 else 1.0
                except ValueError:
                    raise FormatError(f"the weight {fields[2]!r} is not a number", path,
                                      number) from None
                if not np.isfinite(weight) or weight < 0:
                    raise FormatError(
                        f"the weight {fields[2]!r} must be a finite number >= 0", path, number
                    )
                if u == v and self_loops == "error":
                    raise FormatError(
                        f"self-loop on node {u!r}: node2vec walks are defined without them; "
                        "remove the line or pass self_loops='drop'", path, number,
                    )
                sources.append(u)
                targets.append(v)
                weights.append(weight)
                lines.append(number)
        if not nodes:
            raise DataError(f"{path}: no edges and no nodes in the file")
        return cls.from_edges(sources, targets, weights, directed=directed, nodes=list(nodes),
                              self_loops=self_loops, name=os.path.basename(str(path)))

    @classmethod
    def from_networkx(
        cls, graph: Any, *, weight: str | None = "weight", label: str | None = None,
        self_loops: SelfLoops = "error", name: str = "",
    ) -> Graph:
        """Take nodes (in the graph's order), edges and the ``weight`` attribute (default 1;
        ``weight=None`` ignores weights); ``label`` names a node attribute to keep as labels.
        Parallel edges of a multigraph add up.

        Args:
            graph: A networkx graph (directed or not, multigraphs too).
            weight: The edge attribute holding the weight; None ignores weights.
            label: The node attribute to keep as labels; None keeps none.
        self_loops: ``"error"`` refuses an edge from a node to itself, ``"drop"`` drops it.
            name: A name shown by ``repr``.

        Returns:
            The graph.

        Raises:
            DataError: Two nodes have the same string form, a weight is negative or not
                finite, or there is a self-loop with ``self_loops="error"``.
        """
        nodes = list(graph.nodes)
        names = [str(node) for node in nodes]
        if len(set(names)) != len(names):
            raise DataError("two nodes have the same string form (like 1 and '1'); rename them")
        position = {node: i for i, node in enumerate(nodes)}
        src, dst, w = [], [], []
        for u, v, data in graph.edges(data=True):
            src.append(position[u])
            dst.append(position[v])
            w.append(1.0 if weight is None else float(data.get(weight, 1.0)))
        s = np.asarray(src, dtype=np.int64)
        t = np.asarray(dst, dtype=np.int64)
        weights = np.asarray(w, dtype=np.float64)
        if graph.is_multigraph() and s.size:
            if not graph.is_directed():
                s, t = np.minimum(s, t), np.maximum(s, t)
            keys = s * len(nodes) + t
            unique, inverse = np.unique(keys, return_inverse=True)
            weights = np.bincount(inverse, weights=weights).astype(np.float64)
            s, t = unique // len(nodes), unique % len(nodes)
        labels = None
        if label is not None:
            labels = [str(graph.nodes[node].get(label, "")) for node in nodes]
        return cls.from_edges(s, t, weights, directed=graph.is_directed(), nodes=names,
                              labels=labels, self_loops=self_loops, name=name, _indices=True)

    @classmethod
    def from_scipy(
        cls, matrix: Any, *, ids: Sequence[object] | None = None, directed: bool | None = None,
        self_loops: SelfLoops = "error", labels: Sequence[str] | None = None, name: str = "",
    ) -> Graph:
        """An adjacency matrix (any scipy sparse format, or a dense array): entry ``[u, v]`` is the
        weight of ``u -> v``. ``directed=None`` means: directed unless the matrix is symmetric.

        Args:
            matrix: A square scipy sparse matrix or dense array.
            ids: The node ids, one per row; None numbers the nodes from 0.
            directed: Whether the graph is directed; None decides from the symmetry.
        self_loops: ``"error"`` refuses an edge from a node to itself, ``"drop"`` drops it.
            labels: One class label per node, or None.
            name: A name shown by ``repr``.

        Returns:
            The graph.

        Raises:
            MissingExtraError: scipy (the ``graph`` extra) is not installed.
            DataError: The matrix is not square, the ids are not one per row, a weight is
                negative or not finite, or there is a self-loop with ``self_loops="error"``.
        """
        sparse = require("scipy.sparse", "graph")
        coo = sparse.coo_matrix(matrix)
        if coo.shape[0] != coo.shape[1]:
            raise DataError(f"an adjacency matrix must be square; got shape {coo.shape}")
        n = coo.shape[0]
        names = [str(i) for i in (ids if ids is not None else range(n))]
        if len(names) != n:
            raise DataError(f"{len(names)} ids for a {n} x {n} matrix; give one id per row")
        csr = coo.tocsr()
        csr.sum_duplicates()
        if directed is None:
            directed = (csr != csr.T).nnz != 0
        coo = csr.tocoo() if directed else sparse.triu(csr, k=0).tocoo()
        return cls.from_edges(coo.row, coo.col, coo.data, directed=directed, nodes=names,
                              labels=labels, self_loops=self_loops, name=name, _indices=True)


def _number_nodes(
    sources: Iterable[Any], targets: Iterable[Any], nodes: Sequence[object] | None
) -> tuple[list[str], np.ndarray, np.ndarray]:
    index: dict[str, int] = {}
    if nodes is not None:
        for node in nodes:
            index.setdefault(str(node), len(index))
        if len(index) != len(nodes):
            raise DataError("the 'nodes' list holds the same id twice")
    fixed = nodes is not None

    def number(seq: Iterable[Any]) -> np.ndarray:
        out = []
        for node in seq:
            key = str(node)
            i = index.get(key)
            if i is None:
                if fixed and key not in index:
                    raise UnknownKeyError(key, what="edge endpoint (not in 'nodes')")
                i = index.setdefault(key, len(index))
            out.append(i)
        return np.asarray(out, dtype=np.int64)

    src = number(sources)
    dst = number(targets)
    return list(index), src, dst


def _check_weights(w: np.ndarray, where: Any) -> None:
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        k = int(np.argmax(bad))
        raise DataError(
            f"{where(k)} has weight {float(w[k])!r}; weights must be finite and >= 0 "
            "(walks move with probability proportional to them)"
        )


def as_graph(source: Any, *, directed: bool = False, self_loops: SelfLoops = "error") -> Graph:
    """A :class:`Graph` from a ``Graph``, a networkx graph, a scipy sparse matrix or an
    edge-list path (``directed`` applies to edge lists only; the others say it themselves).

    Args:
        source: A ``Graph``, a networkx graph, a scipy sparse matrix or an edge-list path.
        directed: Whether the edges of an edge list are directed.
        self_loops: ``"error"`` refuses an edge from a node to itself, ``"drop"`` drops it.

    Returns:
        The graph (``source`` itself when it is one).

    Raises:
        DataError: ``source`` is none of these, or (as the builders) holds bad data.
        FormatError: An edge-list file is malformed.
    """
    if isinstance(source, Graph):
        return source
    if isinstance(source, str | os.PathLike):
        return Graph.from_edgelist(source, directed=directed, self_loops=self_loops)
    if hasattr(source, "is_directed") and hasattr(source, "edges"):
        return Graph.from_networkx(source, self_loops=self_loops)
    if hasattr(source, "tocoo") or isinstance(source, np.ndarray):
        return Graph.from_scipy(source, self_loops=self_loops)
    raise DataError(
        f"cannot make a graph from {type(source).__name__}: give an edge-list path, a networkx "
        "graph, a scipy sparse matrix or an embedlab.graph.Graph"
    )
