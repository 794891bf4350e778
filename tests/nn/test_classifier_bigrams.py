"""TextClassifier's hashed word bigrams (``bigram_buckets``): ids, word order, save/load."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from embedlab import InvalidParameterError
from embedlab.nn import TextClassifier
from embedlab.nn.classifier import _bigram_ids

WORDS = ["apple", "bread", "cheese", "dates"]
# Every ordered pair of two different words, labelled by whether the pair is in alphabetical
# order: "apple bread" and "bread apple" hold the same words, so only their order tells them apart.
PAIRS = list(itertools.permutations(WORDS, 2))
TEXTS = [f"{a} {b}" for a, b in PAIRS]
LABELS = ["up" if a < b else "down" for a, b in PAIRS]


def test_bigram_ids_hash_each_pair_of_neighbours_and_skip_padding() -> None:
    ids = np.array([[2, 3, 4, 0], [5, 0, 0, 0]])
    # (2 * 1000003 + 3) % 10 + 1 = 10, (3 * 1000003 + 4) % 10 + 1 = 4; pairs with padding: 0
    np.testing.assert_array_equal(_bigram_ids(ids, 10, pad=0), [[10, 4, 0], [0, 0, 0]])


def _fit(buckets: int) -> TextClassifier:
    model = TextClassifier(embedding_dim=8, input_length=2, hidden=16, learning_rate=0.05,
                           bigram_buckets=buckets)
    model.fit(TEXTS, LABELS, epochs=150, batch_size=12, progress=False)
    return model


def test_bigrams_learn_word_order_that_an_average_of_words_cannot() -> None:
    # Without bigrams a pair and its reverse get the same vector, so exactly one of the two is
    # right: 50%. With them every pair has its own row.
    assert _fit(0).evaluate(TEXTS, LABELS)["accuracy"] == 0.5
    assert _fit(1000).evaluate(TEXTS, LABELS)["accuracy"] == 1.0


def test_a_saved_bigram_classifier_predicts_the_same_after_load(tmp_path: Path) -> None:
    model = _fit(1000)
    model.save(tmp_path / "m")
    loaded = TextClassifier.load(tmp_path / "m")
    assert loaded.bigram_buckets == 1000
    np.testing.assert_array_equal(loaded.predict_proba(TEXTS), model.predict_proba(TEXTS))


def test_summary_counts_the_bigram_rows() -> None:
    model = TextClassifier(vocab_size=10, embedding_dim=4, input_length=5, bigram_buckets=99)
    table = model.summary(print_fn=None)
    assert "bigram_embedding (Embedding)" in table and "(None, 4, 4)" in table
    assert model.count_params() == 10 * 4 + 100 * 4 + (4 * 64 + 64) + (64 + 1)


def test_negative_buckets_are_refused() -> None:
    with pytest.raises(InvalidParameterError, match="'bigram_buckets' parameter of TextClassifier"):
        TextClassifier(bigram_buckets=-1).fit(["a b", "b a"], ["x", "y"], epochs=1, progress=False)
