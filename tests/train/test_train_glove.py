"""GloVe: co-occurrence counts by hand, spilling, kernel vs reference, learning, errors."""

from __future__ import annotations

import numpy as np
import pytest

from embedlab import DataError, InvalidParameterError
from embedlab.train import GloVe
from embedlab.train import _glove_kernels as K
from embedlab.train import _glove_reference as R
from embedlab.train._cooccur import PairCounter, reduce_sorted
from kernel_impls import implementations

# Tests that take ``glove`` run on the numba kernels, then on the reference standing in for them.
glove = implementations("embedlab.train._glove_kernels")


def as_dict(words, rows, cols, values):  # type: ignore[no-untyped-def]
    return {(words[r], words[c]): float(v) for r, c, v in zip(rows, cols, values, strict=True)}


def test_cooccurrence_counts_by_hand(glove) -> None:  # type: ignore[no-untyped-def]
    words, counts, rows, cols, values = GloVe(window=2, min_count=1, progress=False).count(
        [["a", "b", "c", "a"], ["b", "b"]]
    )
    x = as_dict(words, rows, cols, values)
    # pairs within 2: (a0,b1)=1, (a0,c2)=1/2, (b1,c2)=1, (b1,a3)=1/2, (c2,a3)=1; second line (b,b)=1
    assert x[("a", "b")] == x[("b", "a")] == pytest.approx(1.5)
    assert x[("a", "c")] == x[("c", "a")] == pytest.approx(1.5)
    assert x[("b", "c")] == x[("c", "b")] == pytest.approx(1.0)
    assert x[("b", "b")] == pytest.approx(2.0)  # a word next to itself is seen from both ends
    assert ("a", "a") not in x  # 3 apart: outside the window
    assert words == ["b", "a", "c"] and counts.tolist() == [3, 2, 1]


def test_spilled_counting_equals_in_memory_counting() -> None:
    rng = np.random.default_rng(0)
    keys = rng.integers(0, 500, 20_000)
    weights = rng.random(20_000)
    whole_k, whole_w = reduce_sorted(keys, weights)
    counter = PairCounter(max_entries=300)
    for start in range(0, 20_000, 1000):
        counter.add(keys[start : start + 1000], weights[start : start + 1000])
    assert counter.spilled > 1
    got_k, got_w = counter.finish()
    counter.close()
    np.testing.assert_array_equal(got_k, whole_k)
    np.testing.assert_allclose(got_w, whole_w, rtol=1e-12)


def test_glove_with_tiny_memory_gives_the_same_counts(glove) -> None:  # type: ignore[no-untyped-def]
    corpus = [list(s) for s in ["abcdefg", "gfedcba", "aabbccdd", "abcabc"] * 20]
    big = GloVe(window=3, min_count=1, progress=False).count(corpus)
    small = GloVe(window=3, min_count=1, progress=False, max_memory_entries=50).count(corpus)
    assert big[0] == small[0]
    assert as_dict(*[big[0], *big[2:]]) == pytest.approx(as_dict(*[small[0], *small[2:]]))


def test_adagrad_step_matches_numpy_reference() -> None:
    rng = np.random.default_rng(1)
    state = [rng.normal(0, 0.2, (5, 6)).astype(np.float32), rng.normal(0, 0.2, (5, 6)).astype(np.float32),
             rng.normal(0, 0.1, 5), rng.normal(0, 0.1, 5),
             (1 + rng.random((5, 6))).astype(np.float32), (1 + rng.random((5, 6))).astype(np.float32),
             1 + rng.random(5), 1 + rng.random(5)]
    a = [s.copy() for s in state]
    b = [s.copy() for s in state]
    for x in (3.0, 250.0):  # below and above x_max
        cost = K.adagrad_step(*a, 1, 3, x, 100.0, 0.75, 0.05, np.empty(6, np.float32), np.empty(6, np.float32))
        ref = R.adagrad_step(*b, 1, 3, x, 100.0, 0.75, 0.05, np.empty(6, np.float32), np.empty(6, np.float32))
        assert cost == pytest.approx(ref, rel=1e-5)
    for got, want in zip(a, b, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)
    assert not np.array_equal(a[0], state[0])


def test_window_pairs_and_epoch_match_the_reference() -> None:
    ids = np.array([0, 1, 2, 0, 1, 1, 3], np.int32)
    bounds = np.array([0, 4, 7], np.int64)
    got = [np.zeros(21, np.int64), np.zeros(21)]
    want = [np.zeros(21, np.int64), np.zeros(21)]
    n = K.window_pairs(ids, bounds, 0, 2, 3, 4, *got)
    assert n == R.window_pairs(ids, bounds, 0, 2, 3, 4, *want) == 3 + 2 + 1 + 2 + 1
    assert got[0][:n].tolist() == want[0][:n].tolist()
    np.testing.assert_array_equal(got[1][:n], want[1][:n])
    rng = np.random.default_rng(2)
    state = [rng.normal(0, 0.2, (4, 5)).astype(np.float32), rng.normal(0, 0.2, (4, 5)).astype(np.float32),
             np.zeros(4), np.zeros(4), np.ones((4, 5), np.float32), np.ones((4, 5), np.float32),
             np.ones(4), np.ones(4)]
    a = [m.copy() for m in state]
    b = [m.copy() for m in state]
    entries = (np.array([0, 1, 3, 2]), np.array([1, 1, 2, 0]), np.array([2.0, 0.5, 150.0, 1.0]))
    order = np.array([3, 0, 2, 1, 0])
    cost = K.adagrad_epoch(*a, *entries, order, 1, 5, 100.0, 0.75, 0.05)
    assert cost == pytest.approx(R.adagrad_epoch(*b, *entries, order, 1, 5, 100.0, 0.75, 0.05), rel=1e-5)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_allclose(x, y, rtol=1e-5, atol=1e-7)
    assert a[0][2].tolist() == state[0][2].tolist()  # entry 3 (row 2) is order[0], outside 1:5


def topic_corpus(sentences: int = 300) -> list[list[str]]:
    rng = np.random.default_rng(0)
    topics = [[f"a{i}" for i in range(8)], [f"b{i}" for i in range(8)]]
    return [list(rng.choice(topics[s % 2], size=10)) for s in range(sentences)]


def test_glove_learns_topics_deterministically(glove) -> None:  # type: ignore[no-untyped-def]
    options = {"vector_size": 12, "window": 4, "min_count": 1, "epochs": 30, "workers": 1,
               "progress": False, "seed": 5}
    model = GloVe(**options)  # type: ignore[arg-type]
    vectors = model.fit(topic_corpus())
    assert vectors.similarity("a0", "a1") > vectors.similarity("a0", "b1") + 0.3
    assert model.losses[-1] < model.losses[0]
    again = GloVe(**options).fit(topic_corpus())  # type: ignore[arg-type]
    assert np.array_equal(vectors.matrix, again.matrix)
    two = GloVe(**{**options, "workers": 2}).fit(topic_corpus())  # type: ignore[arg-type]
    assert np.isfinite(two.matrix).all()


@pytest.mark.parametrize("options,message", [
    ({"window": 0}, "The 'window' parameter of GloVe must be an int >= 1. Got 0 instead."),
    ({"x_max": 0}, "The 'x_max' parameter of GloVe must be a number > 0. Got 0 instead."),
    ({"vector_size": 0}, "The 'vector_size' parameter of GloVe must be an int >= 1. Got 0 instead."),
])
def test_bad_parameters(options: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidParameterError) as info:
        GloVe(**options).fit([["a", "b"]])  # type: ignore[arg-type]
    assert str(info.value) == message


def test_bad_corpora() -> None:
    with pytest.raises(DataError, match="empty"):
        GloVe(progress=False).fit([])
    with pytest.raises(DataError, match="share a window"):
        GloVe(min_count=1, progress=False).fit([["lonely"], ["words"]])
