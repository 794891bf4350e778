"""Graphs in, node vectors out: building graphs, Node2Vec, evaluation, named graphs, the CLI."""

from __future__ import annotations

import gzip

import networkx as nx
import numpy as np
import pytest
from scipy import sparse
from typer.testing import CliRunner

from embedlab import DataError, DatasetError, FormatError, InvalidParameterError, UnknownKeyError
from embedlab import load as load_vectors
from embedlab.cli import app
from embedlab.graph import (
    DeepWalk,
    Graph,
    Node2Vec,
    as_graph,
    link_prediction,
    load_graph,
    node_classification,
    random_walks,
    split_edges,
)

SMALL = dict(walk_length=20, walks_per_node=5, vector_size=16, window=5, progress=False)


# ---------------------------------------------------------------------- building graphs
def test_edgelist_weighted_undirected_with_comments_and_isolated_nodes(tmp_path):
    path = tmp_path / "edges.txt"
    path.write_text("# a comment\nalice bob 2.5\nbob carol  # trailing comment\n\nzoe\n")
    g = Graph.from_edgelist(path)
    assert g.ids == ["alice", "bob", "carol", "zoe"]
    assert (g.n_nodes, g.n_edges, g.n_arcs, g.directed) == (4, 2, 4, False)
    assert g.neighbors("bob") == ["alice", "carol"] and g.neighbors("zoe") == []
    assert g.has_edge("carol", "bob") and not g.has_edge("alice", "carol")
    assert g.weights[g.indptr[0]] == 2.5 and g.weighted
    assert g.degrees().tolist() == [1, 2, 1, 0]


def test_edgelist_directed_compressed_and_duplicates_keep_last_weight(tmp_path):
    path = tmp_path / "edges.txt.gz"
    with gzip.open(path, "wt") as handle:
        handle.write("1 2 1\n2 3 4\n1 2 7\n")
    g = Graph.from_edgelist(path, directed=True)
    assert g.n_edges == 2 and g.neighbors("1") == ["2"] and g.neighbors("3") == []
    assert g.weights.tolist() == [7.0, 4.0]


def test_networkx_and_scipy_inputs_give_the_same_csr():
    nxg = nx.Graph()
    nxg.add_weighted_edges_from([("a", "b", 1.0), ("b", "c", 2.0)])
    nxg.add_node("d")
    from_nx = Graph.from_networkx(nxg)
    matrix = sparse.csr_matrix(np.array([[0, 1, 0, 0], [1, 0, 2, 0], [0, 2, 0, 0], [0, 0, 0, 0.]]))
    from_sp = Graph.from_scipy(matrix, ids=["a", "b", "c", "d"])
    assert not from_sp.directed  # symmetric matrix
    for field in ("indptr", "indices", "weights"):
        np.testing.assert_array_equal(getattr(from_nx, field), getattr(from_sp, field))
    assert as_graph(nxg).ids == ["a", "b", "c", "d"]
    assert Graph.from_networkx(nx.DiGraph([(1, 2)])).directed
    assert (from_nx.to_scipy() != matrix).nnz == 0


def test_bad_input_is_a_clear_error(tmp_path):
    with pytest.raises(DataError, match="self-loop on node 'a'.*self_loops='drop'"):
        Graph.from_edges(["a", "b"], ["a", "c"])
    assert Graph.from_edges(["a", "b"], ["a", "c"], self_loops="drop").n_edges == 1
    with pytest.raises(DataError, match=r"edge 'a' -> 'b' has weight -1.0"):
        Graph.from_edges(["a"], ["b"], [-1.0])
    with pytest.raises(DataError, match="weights must be finite"):
        Graph.from_scipy(np.array([[0, np.nan], [1, 0]]))
    path = tmp_path / "bad.txt"
    path.write_text("a b\nc c\n")
    with pytest.raises(FormatError, match=r"bad.txt:2: self-loop on node 'c'"):
        Graph.from_edgelist(path)
    path.write_text("a b x\n")
    with pytest.raises(FormatError, match=r"bad.txt:1: the weight 'x' is not a number"):
        Graph.from_edgelist(path)
    path.write_text("a b -2\n")
    with pytest.raises(FormatError, match=r"bad.txt:1: the weight '-2' must be"):
        Graph.from_edgelist(path)
    path.write_text("a b 1 2\n")
    with pytest.raises(FormatError, match="found 4 fields"):
        Graph.from_edgelist(path)
    path.write_text("# nothing\n")
    with pytest.raises(DataError, match="no edges and no nodes"):
        Graph.from_edgelist(path)
    g = Graph.from_edges(["alice"], ["bob"])
    with pytest.raises(UnknownKeyError, match="'alise'.*did you mean 'alice'"):
        g.neighbors("alise")
    for bad in ({"p": 0}, {"q": -1.0}, {"p": float("nan")}, {"walk_length": 0},
                {"walks_per_node": 1.5}, {"workers": 0}):
        with pytest.raises(InvalidParameterError, match=f"The '{next(iter(bad))}' parameter of "
                                                        "Node2Vec must be"):
            Node2Vec(**bad).fit(g)
    with pytest.raises(InvalidParameterError, match="'seed' parameter of random_walks"):
        random_walks(g, seed=-1)
    with pytest.raises(TypeError, match="unexpected keyword argument 'p'"):  # p = q = 1: no such argument
        DeepWalk(p=2.0)  # type: ignore[call-arg]
    with pytest.raises(DataError, match="cannot make a graph from int"):
        Node2Vec().fit(3)
    with pytest.raises(DatasetError, match="unknown graph 'karate-clb'.*did you mean"):
        load_graph("karate-clb")


# ---------------------------------------------------------------------- Node2Vec
def test_vectors_are_keyed_by_node_and_identical_for_a_seed():
    g = Graph.from_edges(["a", "b", "c", "c"], ["b", "c", "a", "d"], nodes=["a", "b", "c", "d",
                                                                          "lonely"])
    first = Node2Vec(p=0.5, q=2.0, seed=3, workers=1, **SMALL).fit(g)
    second = Node2Vec(p=0.5, q=2.0, seed=3, workers=2, **SMALL).fit(g)
    other = Node2Vec(p=0.5, q=2.0, seed=4, **SMALL).fit(g)
    assert first.keys == ["a", "b", "c", "d", "lonely"] and first.dim == 16
    np.testing.assert_array_equal(first.matrix, second.matrix)
    assert not np.array_equal(first.matrix, other.matrix)
    # The isolated node gets a vector (never trained: it has no context) that is finite.
    assert np.isfinite(first["lonely"]).all()


def test_karate_club_classification_and_link_prediction_sanity():
    g = load_graph("karate")
    assert (g.n_nodes, g.n_edges, sorted(set(g.labels))) == (34, 78, ["Mr. Hi", "Officer"])
    vectors = Node2Vec(vector_size=32, seed=0, progress=False).fit(g)
    assert vectors.metadata["label"] == g.labels
    scores = node_classification(vectors, g)
    assert scores.micro_f1 >= 0.85 and scores.macro_f1 >= 0.85
    assert len(scores.folds_micro_f1) == 5 and scores.n_classes == 2
    # The two club leaders (nodes 0 and 33) are further apart than 0 and a loyal friend (1).
    assert vectors.similarity("0", "1") > vectors.similarity("0", "33")
    # The same scores from labels given as a mapping, or from the vectors' metadata.
    assert node_classification(vectors, dict(zip(g.ids, g.labels, strict=True))) == scores
    assert node_classification(vectors) == scores
    lesmis = load_graph("les-miserables")
    auc = link_prediction(Node2Vec(vector_size=32, seed=0, progress=False), lesmis, seed=0)
    assert auc.auc > 0.75 and auc.n_test_edges == 25


def test_edge_split_holds_out_without_disconnecting():
    g = load_graph("les-miserables")
    split = split_edges(g, test_fraction=0.2, seed=1)
    assert split.train_graph.n_edges == g.n_edges - len(split.test_edges)
    assert (split.train_graph.degrees() > 0).all()
    held = {tuple(sorted(e)) for e in split.test_edges.tolist()}
    fake = {tuple(sorted(e)) for e in split.test_non_edges.tolist()}
    assert not held & fake and len(fake) == len(held)
    assert all(not g.has_edge(g.ids[u], g.ids[v]) for u, v in split.test_non_edges.tolist())
    assert all(not split.train_graph.has_edge(g.ids[u], g.ids[v]) for u, v in held)


def test_classification_errors():
    g = load_graph("karate")
    vectors = Node2Vec(vector_size=8, walks_per_node=2, walk_length=10, progress=False).fit(g)
    with pytest.raises(DataError, match="2 labels for 34 vectors"):
        node_classification(vectors, ["a", "b"])
    with pytest.raises(DataError, match="rarest class has 1 nodes"):
        node_classification(vectors, ["x"] + ["y"] * 33)
    with pytest.raises(InvalidParameterError, match="'folds' parameter"):
        node_classification(vectors, g, folds=1)


@pytest.mark.network
def test_drosophila_connectome_from_the_registry():
    g = load_graph("drosophila-left")
    assert (g.n_nodes, g.n_edges, g.directed, g.weighted) == (209, 7425, True, True)
    assert sorted(set(g.labels)) == ["I", "K", "O", "P"]


# ---------------------------------------------------------------------- CLI
def test_cli_embed_and_evaluate(tmp_path):
    karate = load_graph("karate")
    edges = tmp_path / "karate.txt"
    s, t, _ = karate.edges()
    edges.write_text("".join(f"n{a} n{b}\n" for a, b in zip(s.tolist(), t.tolist(), strict=True)))
    labels = tmp_path / "labels.txt"
    labels.write_text("".join(f"n{i}\t{lab}\n" for i, lab in enumerate(karate.labels)))
    out = tmp_path / "nodes.vec"
    runner = CliRunner()
    result = runner.invoke(app, ["graph", "embed", str(edges), "-o", str(out), "--dim", "32",
                                 "--q", "0.5", "--seed", "1"])
    assert result.exit_code == 0, result.output
    assert "34 nodes, 78 undirected unweighted edges" in result.output
    vectors = load_vectors(out)
    assert len(vectors) == 34 and vectors.dim == 32 and "n33" in vectors
    result = runner.invoke(app, ["graph", "evaluate", str(out), "--labels", str(labels)])
    assert result.exit_code == 0, result.output
    assert "micro-F1" in result.output and "2 classes" in result.output
    result = runner.invoke(app, ["graph", "evaluate", str(out)])
    assert isinstance(result.exception, InvalidParameterError)
    bad = tmp_path / "loops.txt"
    bad.write_text("a b\nb b\n")
    result = runner.invoke(app, ["graph", "embed", str(bad), "-o", str(tmp_path / "x.vec")])
    assert isinstance(result.exception, FormatError) and not (tmp_path / "x.vec").exists()
    result = runner.invoke(app, ["graph", "embed", "--help"])
    assert result.exit_code == 0 and "Example: embedlab graph embed" in result.output


def test_multigraph_weights_add_up_and_directed_matrices_stay_directed():
    multi = nx.MultiGraph()
    multi.add_edge("a", "b", weight=1.0)
    multi.add_edge("b", "a", weight=2.0)
    g = Graph.from_networkx(multi)
    assert g.n_edges == 1 and g.weights.tolist() == [3.0, 3.0]
    d = Graph.from_scipy(sparse.csr_matrix(np.array([[0, 2.0], [0, 0]])), ids=["x", "y"])
    assert d.directed and d.neighbors("x") == ["y"] and d.neighbors("y") == []
    kept = load_graph("karate").without_edges(np.array([0]), np.array([1]))
    assert kept.n_edges == 77 and not kept.has_edge("1", "0") and kept.labels is not None
