"""The Embedding layer and the article's classifier."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from embedlab import DataError, FormatError, InvalidParameterError, Vectors, Vocab
from embedlab.nn import Embedding, TextClassifier

ARTICLE_TABLE = """\
Model: "TextClassifier"
_____________________________________________________________________________________
 Layer (type)                                      Output Shape               Param #
=====================================================================================
 embedding (Embedding)                             (None, 100, 128)         1,280,000
_____________________________________________________________________________________
 global_average_pooling1d (GlobalAveragePooling1D) (None, 128)                      0
_____________________________________________________________________________________
 dense (Dense)                                     (None, 64)                   8,256
_____________________________________________________________________________________
 dense_1 (Dense)                                   (None, 1)                       65
=====================================================================================
Total params: 1,288,321
Trainable params: 1,288,321
Non-trainable params: 0
_____________________________________________________________________________________"""


def test_article_summary_exactly() -> None:
    model = TextClassifier(vocab_size=10000, embedding_dim=128, input_length=100)
    assert model.summary(print_fn=None) == ARTICLE_TABLE
    assert model.count_params() == 1_288_321


def test_frozen_summary() -> None:
    text = TextClassifier(vocab_size=10000, embedding_dim=128, input_length=100, freeze=True).summary(
        print_fn=None
    )
    assert "Trainable params: 8,321" in text and "Non-trainable params: 1,280,000" in text


def test_multiclass_head_is_softmax_sized() -> None:
    text = TextClassifier(vocab_size=100, embedding_dim=8, input_length=5, num_classes=4).summary(
        print_fn=None
    )
    assert "(None, 4)" in text and f"{64 * 4 + 4:,}" in text.split("dense_1 (Dense)")[1]


def test_embedding_shapes_and_padding() -> None:
    layer = Embedding(10, 4, padding_idx=0)
    assert layer.num_parameters == 40
    ids = torch.tensor([[0, 3, 3], [1, 0, 9]])
    out = layer(ids)
    assert tuple(out.shape) == (2, 3, 4)
    assert torch.equal(out[0, 0], torch.zeros(4))
    out.sum().backward()
    assert torch.equal(layer.weight.grad[0], torch.zeros(4))
    # Row 3 appears twice, so its gradient of a sum is 2 in every coordinate.
    assert torch.equal(layer.weight.grad[3], torch.full((4,), 2.0))


def test_sparse_gradients_and_max_norm() -> None:
    layer = Embedding(10, 4, sparse=True)
    layer(torch.tensor([1, 2])).sum().backward()
    assert layer.weight.grad.is_sparse
    capped = Embedding(10, 4, max_norm=1.0)
    with torch.no_grad():
        capped.weight.mul_(10)
    assert float(capped(torch.tensor([5])).detach().norm()) <= 1.0 + 1e-5


def test_embedding_errors() -> None:
    with pytest.raises(InvalidParameterError, match="The 'padding_idx' parameter of Embedding must be"):
        Embedding(5, 2, padding_idx=5)
    with pytest.raises(DataError, match=r"ids must lie in 0 .. 4; found 0 .. 7"):
        Embedding(5, 2)(torch.tensor([0, 7]))
    with pytest.raises(DataError, match="integer ids"):
        Embedding(5, 2)(torch.tensor([0.5]))


def test_from_vectors_alignment_and_coverage() -> None:
    vectors = Vectors(["cat", "Dog", "dog", "fish"], np.arange(8, dtype=np.float32).reshape(4, 2))
    vocab = Vocab(["<pad>", "<unk>", "cat", "dog", "Fish", "zebra"])
    layer = Embedding.from_vectors(vectors, vocab, oov="zero")
    weight = layer.weight.detach().numpy()
    np.testing.assert_array_equal(weight[0], [0, 0])  # padding
    np.testing.assert_array_equal(weight[2], [0, 1])  # cat
    np.testing.assert_array_equal(weight[3], [4, 5])  # dog, exact case before lower-casing
    np.testing.assert_array_equal(weight[4], [6, 7])  # Fish found as fish
    np.testing.assert_array_equal(weight[5], [0, 0])  # zebra: oov="zero"
    assert (layer.coverage.found, layer.coverage.total, layer.coverage.found_lowercase) == (3, 4, 1)
    assert not layer.weight.requires_grad and layer.padding_idx == 0
    mean = Embedding.from_vectors(vectors, vocab, oov="mean", freeze=False)
    np.testing.assert_allclose(mean.weight.detach().numpy()[5], [3, 4])
    assert mean.weight.requires_grad
    rand = Embedding.from_vectors(vectors, vocab, oov="random", seed=1)
    again = Embedding.from_vectors(vectors, vocab, oov="random", seed=1)
    assert torch.equal(rand.weight, again.weight)
    back = layer.to_vectors(vocab)
    np.testing.assert_array_equal(back["cat"], [0, 1])
    with pytest.raises(InvalidParameterError, match="'padding_idx'"):
        Embedding.from_vectors(vectors, vocab, padding_idx=17)


SEPARABLE = (
    ["good great fine", "great good", "fine good nice", "nice great", "good", "great nice fine"],
    ["bad awful poor", "awful bad", "poor bad terrible", "terrible awful", "bad", "awful poor"],
)


def _toy() -> tuple[list[str], list[str]]:
    texts = SEPARABLE[0] + SEPARABLE[1]
    return texts, ["pos"] * 6 + ["neg"] * 6


def test_classifier_reaches_100_percent_on_separable_toy() -> None:
    texts, labels = _toy()
    model = TextClassifier(vocab_size=50, embedding_dim=8, input_length=6, learning_rate=0.05)
    history = model.fit(texts, labels, epochs=40, batch_size=4, progress=False)
    assert model.evaluate(texts, labels)["accuracy"] == 1.0
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert model.predict(["good nice", "awful terrible"]) == ["pos", "neg"]
    proba = model.predict_proba(["good nice"])
    assert proba.shape == (1, 2) and proba[0].sum() == pytest.approx(1.0)
    assert model.classes == ["neg", "pos"]


def test_three_classes_softmax() -> None:
    texts = ["red red", "red", "blue blue", "blue", "green green", "green"] * 3
    labels = ["r", "r", "b", "b", "g", "g"] * 3
    model = TextClassifier(vocab_size=20, embedding_dim=6, input_length=3, learning_rate=0.05)
    model.fit(texts, labels, epochs=60, batch_size=6, progress=False)
    assert model.predict(["green", "red", "blue"]) == ["g", "r", "b"]
    assert model.predict_proba(["green"]).shape == (1, 3)


def test_padding_is_ignored_by_pooling() -> None:
    texts, labels = _toy()
    model = TextClassifier(vocab_size=50, embedding_dim=8, input_length=6)
    model.fit(texts, labels, epochs=1, progress=False)
    short = TextClassifier(vocab_size=50, embedding_dim=8, input_length=30, vocab=model.vocab)
    short.net.load_state_dict(model.net.state_dict())
    short.classes = model.classes
    np.testing.assert_allclose(short.predict_proba(["good"]), model.predict_proba(["good"]), rtol=1e-6)


def test_early_stopping_and_validation() -> None:
    texts, labels = _toy()
    model = TextClassifier(vocab_size=50, embedding_dim=8, input_length=6)
    history = model.fit(texts * 4, labels * 4, validation=0.25, epochs=30, early_stopping=2,
                        progress=False)
    assert "val_accuracy" in history.history and history.epochs <= 30
    assert history.best_epoch >= 1


def test_deterministic_and_save_load(tmp_path) -> None:
    texts, labels = _toy()
    a = TextClassifier(vocab_size=50, embedding_dim=8, input_length=6)
    b = TextClassifier(vocab_size=50, embedding_dim=8, input_length=6)
    a.fit(texts, labels, epochs=3, seed=7, progress=False)
    b.fit(texts, labels, epochs=3, seed=7, progress=False)
    np.testing.assert_array_equal(a.predict_proba(texts), b.predict_proba(texts))
    a.save(tmp_path / "model")
    loaded = TextClassifier.load(tmp_path / "model")
    np.testing.assert_array_equal(loaded.predict_proba(texts), a.predict_proba(texts))
    assert loaded.predict(texts) == a.predict(texts)
    (tmp_path / "model" / "config.json").write_text("{}")
    with pytest.raises(FormatError, match="not a saved TextClassifier"):
        TextClassifier.load(tmp_path / "model")


def test_pretrained_initialisation() -> None:
    texts, labels = _toy()
    words = sorted({w for t in texts for w in t.split()})
    vectors = Vectors(words, np.random.default_rng(0).standard_normal((len(words), 5)))
    model = TextClassifier(vocab_size=50, input_length=6, pretrained=vectors, freeze=True)
    model.fit(texts, labels, epochs=2, progress=False)
    assert model.coverage.found == len(words)
    np.testing.assert_array_equal(
        model.net.embedding.weight.detach().numpy()[model.vocab.token_to_id("good")], vectors["good"]
    )
    with pytest.raises(InvalidParameterError, match="must match the pretrained vectors"):
        TextClassifier(embedding_dim=7, pretrained=vectors)


def test_bad_input() -> None:
    texts, labels = _toy()
    model = TextClassifier(vocab_size=50, embedding_dim=8, input_length=6)
    with pytest.raises(DataError, match="12 texts but 11 labels"):
        model.fit(texts, labels[:-1], progress=False)
    with pytest.raises(DataError, match="empty"):
        model.fit([], [], progress=False)
    with pytest.raises(DataError, match="not trained yet"):
        model.predict(["good"])
    model.fit(texts, labels, epochs=1, progress=False)
    with pytest.raises(DataError, match=r"labels\[1\] is 'meh', which is not one of the classes"):
        model.evaluate(["good", "bad"], ["pos", "meh"])
    with pytest.raises(DataError, match="at least two classes"):
        TextClassifier(vocab_size=50).fit(["a", "b"], ["x", "x"], progress=False)
    with pytest.raises(InvalidParameterError, match="The 'epochs' parameter of TextClassifier.fit"):
        model.fit(texts, labels, epochs=0)
