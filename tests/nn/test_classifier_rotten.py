"""The article's classifier on real data: Rotten Tomatoes critics, fresh vs rotten."""

from __future__ import annotations

import pytest

from embedlab.nn import TextClassifier

MAJORITY = 0.578  # "fresh" is 57.8% of the held-out reviews


@pytest.mark.network
def test_rotten_tomatoes_beats_the_majority_by_10_points() -> None:
    from embedlab import datasets

    reviews = datasets.load("rotten-tomatoes")
    train, test = reviews.split(test_size=0.2, seed=0)
    fresh = test.labels.count("fresh") / len(test.labels)
    assert fresh == pytest.approx(MAJORITY, abs=0.001)
    # A random (not pretrained) embedding: three epochs over 10,246 reviews take seconds.
    model = TextClassifier(vocab_size=10000, embedding_dim=50, input_length=40, learning_rate=3e-3)
    history = model.fit(train.texts, train.labels, epochs=3, batch_size=64, seed=0, progress=False)
    accuracy = model.evaluate(test.texts, test.labels)["accuracy"]
    assert accuracy >= MAJORITY + 0.10, f"test accuracy {accuracy:.3f}"
    assert history["accuracy"][-1] > history["accuracy"][0]
    assert model.classes == ["fresh", "rotten"]
