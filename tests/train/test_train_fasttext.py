"""FastText: subword rows, OOV vectors, .bin interop with official fastText, errors."""

from __future__ import annotations

import numpy as np
import pytest

import embedlab
from embedlab import InvalidParameterError
from embedlab.subwords import FastTextSubwords
from embedlab.train import FastText
from embedlab.train import _fasttext_kernels as K
from embedlab.train import _fasttext_reference as R
from embedlab.train._sampling import alias_table, keep_probabilities
from kernel_impls import implementations

# Tests that take ``ft`` run on the numba kernel, then on the plain reference standing in for it.
ft = implementations("embedlab.train._fasttext_kernels")


def topic_corpus(sentences: int = 300) -> list[list[str]]:
    rng = np.random.default_rng(0)
    topics = [["apple", "apples", "applesauce", "pear", "pears"], ["river", "rivers", "riverbank", "lake", "lakes"]]
    return [list(rng.choice(topics[s % 2], size=10)) for s in range(sentences)]


def small(**options: object) -> FastText:
    base: dict[str, object] = {"vector_size": 16, "window": 3, "min_count": 1, "epochs": 5, "workers": 1,
                               "progress": False, "sample": 0.0, "bucket": 5000, "learning_rate": 0.05}
    base.update(options)
    return FastText(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize("cbow", [False, True])
def test_train_chunk_subwords_matches_the_reference(cbow: bool) -> None:
    """Same random draws on both sides: same counts, matrices equal up to float rounding."""
    rng = np.random.default_rng(0)
    counts = rng.integers(1, 40, 12)
    ids = rng.integers(0, 12, 240).astype(np.int32)
    bounds = np.arange(0, 241, 12, dtype=np.int64)
    # word w: its own row w, then 0 to 3 n-gram rows among 30 bucket rows
    rows_of = [[w, *(12 + rng.integers(0, 30, rng.integers(0, 4)))] for w in range(12)]
    offsets = np.cumsum([0, *map(len, rows_of)]).astype(np.int64)
    rows = np.concatenate(rows_of).astype(np.int32)
    alias_prob, alias_index = alias_table(counts, 0.75)
    start = [rng.normal(0, 0.1, (42, 8)).astype(np.float32), rng.normal(0, 0.1, (12, 8)).astype(np.float32)]
    results = []
    for impl in (K, R):
        w_in, w_out = (m.copy() for m in start)
        out = impl.train_chunk_subwords(w_in, w_out, ids, bounds, 0, 20, keep_probabilities(counts, 0.02),
                                        alias_prob, alias_index, offsets, rows, cbow, 4, 3, 0.05, 0.01,
                                        np.uint64(11))
        results.append((out, w_in, w_out))
    ((loss, predictions, trained), *got), ((ref_loss, *ref_counts), *want) = results
    assert [predictions, trained] == ref_counts
    assert 0 < trained < 240
    assert loss == pytest.approx(ref_loss, rel=1e-5)
    for a, b in zip(got, want, strict=True):
        np.testing.assert_allclose(a, b, atol=1e-4)
    assert not np.array_equal(got[0], start[0])


@pytest.mark.parametrize("mode", ["skipgram", "cbow"])
def test_learns_and_builds_oov_vectors_from_ngrams(ft, mode: str) -> None:  # type: ignore[no-untyped-def]
    model = small(mode=mode)
    vectors = model.fit(topic_corpus())
    assert vectors.similarity("apple", "pear") > vectors.similarity("apple", "river")
    unseen = vectors["riverbanks"]  # not in the corpus: built from its n-grams
    assert vectors.similarity(unseen, "riverbank") > vectors.similarity(unseen, "pear")
    assert model.losses[-1] < model.losses[0]


def test_word_vector_is_the_mean_of_its_rows() -> None:
    vectors = small(epochs=1).fit(topic_corpus(50))
    sub = vectors.subwords
    assert isinstance(sub, FastTextSubwords)
    rows = sub.rows_of("apples")
    assert rows[0] == vectors.index_of("apples") and len(rows) > 1
    np.testing.assert_allclose(vectors["apples"], sub.input_matrix[rows].mean(axis=0), rtol=1e-5, atol=1e-7)


def test_maxn_zero_is_plain_word2vec_rows() -> None:
    vectors = small(maxn=0, epochs=1).fit(topic_corpus(50))
    sub = vectors.subwords
    assert isinstance(sub, FastTextSubwords)
    assert sub.input_matrix.shape[0] == len(vectors)
    np.testing.assert_array_equal(vectors.matrix, sub.input_matrix)


def test_deterministic_with_one_worker(ft) -> None:  # type: ignore[no-untyped-def]
    a = small(seed=3).fit(topic_corpus(100)).matrix
    b = small(seed=3).fit(topic_corpus(100)).matrix
    assert np.array_equal(a, b)


def test_bin_opens_in_official_fasttext_with_the_same_vectors(tmp_path) -> None:  # type: ignore[no-untyped-def]
    fasttext = pytest.importorskip("fasttext")
    vectors = small().fit(topic_corpus())
    path = tmp_path / "model.bin"
    embedlab.save(vectors, path, format="fasttext-bin")
    official = fasttext.load_model(str(path))
    assert official.get_words() == vectors.keys
    for word in ("apple", "riverbank", "riverbanks", "pearsauce"):
        np.testing.assert_allclose(official.get_word_vector(word), vectors[word], atol=1e-6)
    again = embedlab.load(path)
    np.testing.assert_allclose(again.matrix, vectors.matrix, atol=1e-6)


@pytest.mark.parametrize("options,message", [
    ({"minn": 5, "maxn": 3}, "The 'minn' parameter of FastText must be <= maxn (3). Got 5 instead."),
    ({"bucket": -1}, "The 'bucket' parameter of FastText must be an int >= 0. Got -1 instead."),
    ({"negative": 0}, "needs negative > 0"),
    ({"window": 0}, "The 'window' parameter of FastText must be an int >= 1. Got 0 instead."),
])
def test_bad_parameters(options: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidParameterError) as info:
        small(**options).fit([["a", "b"]])
    assert message in str(info.value)
