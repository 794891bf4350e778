"""The neighbour index: exact blocked search against brute force, faiss recall."""

from __future__ import annotations

import numpy as np
import pytest

from embedlab import DataError, InvalidParameterError, Vectors
from embedlab.neighbors import build_index, recall_at_k


@pytest.fixture(scope="module")
def vectors() -> Vectors:
    rng = np.random.default_rng(0)
    return Vectors([f"k{i}" for i in range(3000)], rng.standard_normal((3000, 16)))


def test_exact_blocks_match_brute_force(vectors: Vectors) -> None:
    index = build_index(vectors, block_size=700)  # several blocks, a ragged last one
    queries = np.asarray(vectors.matrix[:20])
    rows, scores = index.search(queries, k=7)
    brute = vectors.unit[:20] @ vectors.unit.T
    want = np.argsort(-brute, axis=1, kind="stable")[:, :7]
    np.testing.assert_array_equal(rows, want)
    np.testing.assert_allclose(scores, np.take_along_axis(brute, want, axis=1), rtol=1e-5)
    assert rows[0, 0] == 0  # a vector is its own best match


def test_neighbors_by_key_match_most_similar(vectors: Vectors) -> None:
    index = build_index(vectors)
    got = index.neighbors("k5", k=4)
    want = vectors.most_similar("k5", topn=4)
    assert [k for k, _ in got] == [k for k, _ in want]


def test_dot_metric_uses_raw_vectors() -> None:
    v = Vectors(["a", "b", "c"], np.array([[1, 0], [10, 0], [0, 1]], np.float32))
    rows, scores = build_index(v, metric="dot").search(np.array([[1.0, 0.0]]), k=2)
    assert rows[0].tolist() == [1, 0] and scores[0].tolist() == [10.0, 1.0]


def test_faiss_recall_is_measurable(vectors: Vectors) -> None:
    pytest.importorskip("faiss")
    exact = build_index(vectors).search(np.asarray(vectors.matrix[:100]), k=10)[0]
    approx = build_index(vectors, method="faiss").search(np.asarray(vectors.matrix[:100]), k=10)[0]
    assert recall_at_k(approx, exact) > 0.9
    assert recall_at_k(exact, exact) == 1.0


def test_errors(vectors: Vectors) -> None:
    with pytest.raises(InvalidParameterError, match="The 'method' parameter of NeighborIndex"):
        build_index(vectors, method="annoy")  # type: ignore[arg-type]
    with pytest.raises(DataError, match="16 columns"):
        build_index(vectors).search(np.zeros((1, 3)), k=1)
    with pytest.raises(InvalidParameterError, match="The 'k' parameter"):
        build_index(vectors).search(["k1"], k=0)
