"""Vectors: lookups and queries checked against hand-computed values and gensim."""

from __future__ import annotations

import numpy as np
import pytest

from embedlab import DataError, InvalidParameterError, UnknownKeyError, Vectors

KEYS = ["king", "queen", "man", "woman", "apple"]
MATRIX = np.array(
    [[1.0, 1.0, 0.0], [1.0, -1.0, 0.0], [0.0, 1.0, 0.0], [0.0, -1.0, 0.0], [0.0, 0.0, 3.0]],
    dtype=np.float32,
)


@pytest.fixture
def v() -> Vectors:
    return Vectors(KEYS, MATRIX, counts=[50, 40, 30, 20, 10])


def test_container_basics(v: Vectors) -> None:
    assert len(v) == 5 and v.dim == 3 and "king" in v and "pear" not in v
    assert v.keys == KEYS and v.index_of("man") == 2
    np.testing.assert_array_equal(v["apple"], [0, 0, 3])
    assert v[["man", "woman"]].shape == (2, 3)
    assert v.counts.tolist() == [50, 40, 30, 20, 10]


def test_integer_keys_are_strings() -> None:
    items = Vectors([10, 20], np.eye(2))
    assert 10 in items and "20" in items
    np.testing.assert_array_equal(items[20], items["20"])


def test_similarity_by_hand(v: Vectors) -> None:
    # cos(king, man) = (1*0 + 1*1) / (sqrt 2 * 1)
    assert v.similarity("king", "man") == pytest.approx(1 / np.sqrt(2), abs=1e-6)
    assert v.similarity("man", "woman") == pytest.approx(-1.0)
    assert v.similarity("apple", "king") == 0.0


def test_analogy_king_man_woman(v: Vectors) -> None:
    # king - man + woman = (1, -1, 0) = queen
    assert v.analogy("man", "king", "woman") == "queen"
    top = v.most_similar(positive=["king", "woman"], negative=["man"], topn=2)
    assert top[0][0] == "queen"
    assert {k for k, _ in top}.isdisjoint({"king", "woman", "man"})


def test_doesnt_match(v: Vectors) -> None:
    assert v.doesnt_match(["king", "man", "apple"]) == "apple"


def test_restrict_vocab_and_batch(v: Vectors) -> None:
    assert [k for k, _ in v.most_similar("man", topn=10, restrict_vocab=2)] == ["king", "queen"]
    batch = v.most_similar_batch(["man", "king"], topn=1)
    assert [b[0][0] for b in batch] == ["king", "man"]
    assert batch[1][0][1] == pytest.approx(v.most_similar("king", topn=1)[0][1])


def test_matches_gensim() -> None:
    gensim = pytest.importorskip("gensim")
    rng = np.random.default_rng(0)
    keys = [f"w{i}" for i in range(300)]
    matrix = rng.standard_normal((300, 20)).astype(np.float32)
    ours = Vectors(keys, matrix)
    kv = gensim.models.KeyedVectors(20)
    kv.add_vectors(keys, matrix)
    for got, want in [
        (ours.most_similar(positive=["w1", "w2"], negative=["w3"], topn=5),
         kv.most_similar(positive=["w1", "w2"], negative=["w3"], topn=5)),
        (ours.most_similar_cosmul(positive=["w1", "w2"], negative=["w3"], topn=5),
         kv.most_similar_cosmul(positive=["w1", "w2"], negative=["w3"], topn=5)),
        (ours.most_similar("w7", topn=5, restrict_vocab=100),
         kv.most_similar("w7", topn=5, restrict_vocab=100)),
    ]:
        assert [k for k, _ in got] == [k for k, _ in want]
        np.testing.assert_allclose([s for _, s in got], [s for _, s in want], rtol=1e-5)
    words = ["w1", "w2", "w3", "w4"]
    assert ours.doesnt_match(words) == kv.doesnt_match(words)


def test_unknown_key_suggests_close_keys(v: Vectors) -> None:
    with pytest.raises(UnknownKeyError, match="'quen' is not in the vocabulary; did you mean 'queen'"):
        v["quen"]
    with pytest.raises(UnknownKeyError, match="did you mean 'king'"):
        v.most_similar("King")


def test_matrix_is_protected_and_norms_cached(v: Vectors) -> None:
    with pytest.raises(ValueError):
        v.matrix[0, 0] = 5.0
    with pytest.raises(ValueError):
        v["king"][0] = 5.0
    assert v.unit is v.unit
    np.testing.assert_allclose(np.linalg.norm(v.unit, axis=1), 1.0, rtol=1e-6)
    changed = v.with_matrix(MATRIX * 2)
    assert changed.similarity("king", "man") == pytest.approx(v.similarity("king", "man"))


def test_subset_top_and_torch(v: Vectors) -> None:
    sub = v.subset(["woman", "king"])
    assert sub.keys == ["woman", "king"] and sub.counts.tolist() == [20, 50]
    assert v.top(2).keys == ["king", "queen"]
    tensor = v.to_torch()
    assert tuple(tensor.shape) == (5, 3)


def test_bad_construction() -> None:
    with pytest.raises(DataError, match="2 keys but the matrix has 3 rows"):
        Vectors(["a", "b"], np.zeros((3, 2)))
    with pytest.raises(DataError, match="duplicate key 'a' at rows 0 and 2"):
        Vectors(["a", "b", "a"], np.zeros((3, 2)))
    with pytest.raises(DataError, match="'b' .row 1. holds NaN"):
        Vectors(["a", "b"], np.array([[0.0, 1.0], [np.nan, 1.0]]))
    assert len(Vectors(["a"], np.array([[np.inf, 0.0]]), allow_nonfinite=True)) == 1
    with pytest.raises(InvalidParameterError, match="The 'topn' parameter of most_similar"):
        Vectors(["a", "b"], np.eye(2)).most_similar("a", topn=-1)  # topn=0 is [] (gensim)


def test_subword_fallback() -> None:
    class Constant:
        def vector(self, key: str) -> np.ndarray | None:
            return np.ones(2, np.float32) if key.startswith("x") else None

    v = Vectors(["a"], np.eye(1, 2), subwords=Constant())
    np.testing.assert_array_equal(v["xyz"], [1, 1])
    with pytest.raises(UnknownKeyError):
        v["zzz"]


def test_import_embedlab_stays_light() -> None:
    import subprocess
    import sys

    code = (
        "import sys, embedlab; heavy = [m for m in ('torch', 'matplotlib', 'fastapi', 'faiss', "
        "'numba', 'sklearn', 'openTSNE', 'umap') if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
