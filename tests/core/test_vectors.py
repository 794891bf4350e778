"""Vectors: lookups and queries checked against hand-computed values and gensim."""

from __future__ import annotations

import re

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


# ---------------------------------------------------------------------- gensim as the oracle
# The cases of gensim 4.4's own tests (gensim/test/test_keyedvectors.py), same file, same inputs,
# same expected values; then every query against KeyedVectors itself on that file.


@pytest.fixture(scope="module")
def euclidean() -> tuple[Vectors, object]:
    gensim = pytest.importorskip("gensim")
    from gensim.test.utils import datapath

    import embedlab

    path = datapath("euclidean_vectors.bin")
    return embedlab.load(path), gensim.models.KeyedVectors.load_word2vec_format(path, binary=True)


def test_gensim_cases_most_similar(euclidean) -> None:
    v, _ = euclidean
    expected = ["conflict", "administration", "terrorism", "call", "israel"]
    assert [k for k, _ in v.most_similar("war", topn=5)] == expected
    assert [k for k, _ in v.most_similar([v["war"]], topn=5)] == ["war", *expected[:4]]
    assert v.most_similar(positive=v.matrix[0:5]) is not None
    for method in (v.most_similar, v.most_similar_cosmul):
        by_position = method("war", "peace", topn=5)
        assert by_position == method(["war"], ["peace"], topn=5)
        assert by_position == method(positive="war", negative="peace", topn=5)
        assert by_position == method(positive=["war"], negative=["peace"], topn=5)
    assert len(v.most_similar("war", topn=10)) == 10
    assert {k for k, _ in v.most_similar("war", topn=5, restrict_vocab=5)} == set(v.keys[:5])
    with pytest.raises(KeyError):
        v.most_similar("not_in_vocab")


def test_gensim_cases_topn_none_and_zero(euclidean) -> None:
    v, kv = euclidean
    every = v.most_similar("war", topn=None)
    assert isinstance(every, np.ndarray) and every.dtype == np.float32 and len(every) == len(v)
    np.testing.assert_allclose(every, kv.most_similar("war", topn=None), atol=1e-6)
    assert every[v.index_of("war")] == pytest.approx(1.0)  # the query key is not left out
    assert len(v.most_similar("war", topn=None, restrict_vocab=100)) == 100
    np.testing.assert_allclose(v.most_similar_cosmul("war", "peace", topn=None),
                               kv.most_similar_cosmul("war", "peace", topn=None), atol=1e-5)
    assert v.most_similar("war", topn=0) == [] and v.most_similar("war", topn=np.uint8(0)) == []
    assert v.most_similar_cosmul("war", topn=0) == []


def test_gensim_cases_distance_similarity_closer_than_rank(euclidean) -> None:
    v, _ = euclidean
    assert v.distance("war", "conflict") == pytest.approx(0.06694602, abs=1e-8)
    assert v.distance("war", "war") == 0
    assert v.similarity("war", "war") == pytest.approx(1)
    assert v.similarity("war", "conflict") == pytest.approx(0.93305397, abs=1e-8)
    assert v.closer_than("war", "war") == []
    assert set(v.closer_than("war", "terrorism")) == {"conflict", "administration"}
    assert v.rank("war", "war") == 1
    assert v.rank("war", "terrorism") == 3


def test_gensim_cases_get_mean_vector(euclidean) -> None:
    v, _ = euclidean
    keys = ["conflict", "administration", "terrorism", "call", "an out-of-vocabulary word"]
    expected_1 = [0.02000151, -0.12685453, 0.09196121, 0.25514853, 0.25740655,
                  -0.11134843, -0.0502661, -0.19278568, -0.83346179, -0.12068878]
    expected_2 = [-0.0145228, -0.11530358, 0.1169825, 0.22537769, 0.29353586,
                  -0.10458107, -0.05272481, -0.17547795, -0.84245106, -0.10356515]
    expected_3 = [0.01343237, -0.47651053, 0.45645328, 0.98304356, 1.1840123,
                  -0.51647933, -0.25308795, -0.77931081, -3.55954733, -0.55429711]
    np.testing.assert_allclose(v.get_mean_vector(keys), expected_1, atol=1e-7)
    np.testing.assert_allclose(v.get_mean_vector(keys, [1, 2, 3, 1, 2]), expected_2, atol=1e-7)
    np.testing.assert_allclose(v.get_mean_vector(keys, pre_normalize=False), expected_3, atol=1e-6)


def test_queries_agree_with_keyed_vectors(euclidean) -> None:
    v, kv = euclidean
    keys = ["conflict", "administration", "terrorism", "call", "an out-of-vocabulary word"]
    for options in ({}, {"weights": [1, 2, 3, 1, 2]}, {"pre_normalize": False},
                    {"post_normalize": True}, {"weights": np.array([1, -1, 0.5, 2, 3])}):
        got = v.get_mean_vector(keys, **options)
        assert got.dtype == np.float32
        want = kv.get_mean_vector(keys, **options).astype(np.float32)  # float64 weights: float64
        assert got.tobytes() == want.tobytes(), options
    mixed = [v["war"], "peace", "an out-of-vocabulary word"]
    assert v.get_mean_vector(mixed).tobytes() == kv.get_mean_vector(mixed).tobytes()
    with pytest.raises(KeyError):
        kv.get_mean_vector(keys, ignore_missing=False)
    with pytest.raises(UnknownKeyError, match="'an out-of-vocabulary word' is not in the vocab"):
        v.get_mean_vector(keys, ignore_missing=False)
    with pytest.raises(InvalidParameterError, match="one weight per key"):
        v.get_mean_vector(keys, weights=[1, 2])
    with pytest.raises(InvalidParameterError, match="at least one key"):
        v.get_mean_vector([])
    rng = np.random.default_rng(0)
    for _ in range(50):
        a, b = (str(w) for w in rng.choice(v.keys, 2, replace=False))
        assert v.distance(a, b) == kv.distance(a, b)
        assert v.rank(a, b) == kv.rank(a, b)
        assert v.closer_than(a, b) == kv.closer_than(a, b)
    assert v.distances("war").tobytes() == kv.distances("war").tobytes()
    others = ["peace", "conflict", "the"]
    assert v.distances(v["war"], others).tobytes() == kv.distances(kv["war"], others).tobytes()
    sets = (["war", "peace", "an out-of-vocabulary word"], ["conflict", "call"])
    assert v.n_similarity(*sets) == pytest.approx(float(kv.n_similarity(*sets)), abs=1e-7)
    with pytest.raises(InvalidParameterError, match="at least one key in each"):
        v.n_similarity([], ["war"])


def test_pairwise_numbers_by_hand(v: Vectors) -> None:
    # king (1,1,0) . man (0,1,0): cos 1/sqrt 2, so distance 1 - 1/sqrt 2.
    assert v.distance("king", "man") == pytest.approx(1 - 1 / np.sqrt(2), abs=1e-7)
    np.testing.assert_allclose(v.distances("man", ["woman", "king"]), [2, 1 - 1 / np.sqrt(2)],
                               atol=1e-7)
    # From man: king and queen? cos(man, king) = 0.71, cos(man, queen) = -0.71, apple 0.
    assert v.closer_than("man", "apple") == ["king"]
    assert v.rank("man", "woman") == 4
    np.testing.assert_allclose(v.get_mean_vector(["king", "apple"], pre_normalize=False),
                               [0.5, 0.5, 1.5])
    np.testing.assert_allclose(v.get_mean_vector(["king", "apple"], post_normalize=True),
                               np.array([1, 1, np.sqrt(2)]) / 2, atol=1e-7)
    assert v.n_similarity(["king", "queen"], ["man", "woman", "nope"]) == 0.0  # (2,0,0).(0,0,0)


@pytest.mark.parametrize("keys,matrix,what", [
    (None, np.ones((1, 2)), "The 'keys' parameter of Vectors must be a sequence of keys"),
    (["a"], None, "The 'matrix' parameter of Vectors must be a 2-D array of real numbers"),
    (["a"], np.ones((1, 2), np.complex64), "must hold real numbers. Got complex values"),
    (["a"], np.array([["1", "2"]]), "must hold real numbers. Got string values"),
    (["a"], np.zeros((1, 0)), "must have at least one column"),
])
def test_what_cannot_be_vectors_is_refused_by_the_constructor(keys, matrix, what) -> None:
    with pytest.raises(InvalidParameterError, match=re.escape(what)):
        Vectors(keys, matrix)
