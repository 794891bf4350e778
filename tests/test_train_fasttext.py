"""FastText: subword rows, OOV vectors, .bin interop with official fastText, errors."""

from __future__ import annotations

import numpy as np
import pytest

import embedlab
from embedlab import InvalidParameterError
from embedlab.subwords import FastTextSubwords
from embedlab.train import FastText


def topic_corpus(sentences: int = 300) -> list[list[str]]:
    rng = np.random.default_rng(0)
    topics = [["apple", "apples", "applesauce", "pear", "pears"], ["river", "rivers", "riverbank", "lake", "lakes"]]
    return [list(rng.choice(topics[s % 2], size=10)) for s in range(sentences)]


def small(**options: object) -> FastText:
    base: dict[str, object] = {"vector_size": 16, "window": 3, "min_count": 1, "epochs": 5, "workers": 1,
                               "progress": False, "sample": 0.0, "bucket": 5000, "learning_rate": 0.05}
    base.update(options)
    return FastText(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize("mode", ["skipgram", "cbow"])
def test_learns_and_builds_oov_vectors_from_ngrams(mode: str) -> None:
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


def test_deterministic_with_one_worker() -> None:
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
