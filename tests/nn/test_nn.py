"""The Embedding layer and the article's classifier."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from embedlab import DataError, InvalidParameterError, Vectors, Vocab
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


def test_from_vectors_exact_rows_random_oov_and_no_padding() -> None:
    # Hand-made: two known words, one unknown; the unknown row is drawn from N(mean, std).
    vectors = Vectors(["a", "b"], np.array([[1, 2, 3], [3, 2, 1]], np.float32))
    vocab = Vocab(["<pad>", "<unk>", "b", "zzz", "a"])
    layer = Embedding.from_vectors(vectors, vocab, oov="random", seed=3)
    weight = layer.weight.detach().numpy()
    np.testing.assert_array_equal(weight[[2, 4]], [[3, 2, 1], [1, 2, 3]])
    np.testing.assert_array_equal(weight[0], [0, 0, 0])
    assert not np.array_equal(weight[3], [0, 0, 0])
    assert not np.array_equal(weight[1], weight[3])  # <unk> and zzz get different draws
    assert layer.coverage.found == 2 and layer.coverage.total == 3
    assert layer.coverage.missing_examples == ("zzz",)
    assert str(layer.coverage) == "2 of 3 tokens found (66.7%)"
    assert layer.num_parameters == 15
    free = Embedding.from_vectors(vectors, vocab, padding_idx=None, oov="zero")
    assert free.padding_idx is None
    np.testing.assert_array_equal(free.weight.detach().numpy()[0], [0, 0, 0])  # oov zero, not pad
    other_pad = Embedding.from_vectors(vectors, vocab, padding_idx=2)
    np.testing.assert_array_equal(other_pad.weight.detach().numpy()[2], [0, 0, 0])


def test_from_vectors_gradients_and_freeze() -> None:
    vectors = Vectors(["a", "b"], np.array([[1, 2], [3, 4]], np.float32))
    vocab = Vocab(["<pad>", "<unk>", "a", "b"])
    layer = Embedding.from_vectors(vectors, vocab, freeze=False)
    layer(torch.tensor([[0, 2, 3, 3]])).sum().backward()
    np.testing.assert_array_equal(layer.weight.grad.numpy(), [[0, 0], [0, 0], [1, 1], [2, 2]])
    frozen = Embedding.from_vectors(vectors, vocab)
    assert frozen(torch.tensor([2])).requires_grad is False


def test_from_vectors_errors() -> None:
    vectors = Vectors(["a"], np.ones((1, 2), np.float32))
    vocab = Vocab(["<pad>", "<unk>", "a"])
    with pytest.raises(InvalidParameterError, match=r"'padding_idx' parameter of Embedding.from_vectors must be an id of the vocabulary \(0 .. 2\)"):
        Embedding.from_vectors(vectors, vocab, padding_idx=3)
    with pytest.raises(InvalidParameterError, match="'oov'"):
        Embedding.from_vectors(vectors, vocab, oov="ignore")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="must be an embedlab.Vectors"):
        Embedding.from_vectors(np.ones((3, 2)), vocab)  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="must be an embedlab.Vocab"):
        Embedding.from_vectors(vectors, ["<pad>", "a"])  # type: ignore[arg-type]
    with pytest.raises(DataError, match="3 tokens but the layer has 4 rows"):
        Embedding(4, 2).to_vectors(vocab)
    with pytest.raises(InvalidParameterError, match="'max_norm'"):
        Embedding(4, 2, max_norm=0)
    with pytest.raises(InvalidParameterError, match="'embedding_dim'"):
        Embedding(4, 0)


def test_torch_from_pretrained_still_works_and_matches_torch() -> None:
    weight = torch.arange(12, dtype=torch.float32).reshape(4, 3)
    ours = Embedding.from_pretrained(weight, padding_idx=1)
    theirs = torch.nn.Embedding.from_pretrained(weight, padding_idx=1)
    assert isinstance(ours, Embedding)
    ids = torch.tensor([[3, 1, 0]])
    assert torch.equal(ours(ids), theirs(ids))
    with pytest.raises(DataError, match="weight matrix is"):
        Embedding(5, 3, _weight=weight)


def test_sparse_gradient_values_and_sparse_optimiser() -> None:
    layer = Embedding(6, 2, sparse=True, padding_idx=0)
    layer(torch.tensor([0, 4, 4, 5])).sum().backward()
    grad = layer.weight.grad
    assert grad.is_sparse
    np.testing.assert_array_equal(grad.to_dense().numpy(), [[0, 0], [0, 0], [0, 0], [0, 0], [2, 2], [1, 1]])
    before = layer.weight.detach().clone()
    torch.optim.SparseAdam(layer.parameters(), lr=0.1).step()
    changed = (layer.weight.detach() != before).any(dim=1).tolist()
    assert changed == [False, False, False, False, True, True]


def test_max_norm_renormalises_only_looked_up_rows() -> None:
    layer = Embedding(3, 2, max_norm=1.0)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor([[3.0, 4.0], [0.3, 0.4], [6.0, 8.0]]))
    out = layer(torch.tensor([0, 1]))
    np.testing.assert_allclose(out.detach().numpy(), [[0.6, 0.8], [0.3, 0.4]], rtol=1e-5)
    # torch renormalises the table in place, and only the rows that were looked up.
    np.testing.assert_allclose(layer.weight.detach().numpy()[2], [6.0, 8.0])


def test_to_vectors_round_trip() -> None:
    vocab = Vocab(["<pad>", "<unk>", "x", "y"], counts=[0, 0, 5, 3])
    layer = Embedding(4, 3, padding_idx=0)
    vectors = layer.to_vectors(vocab)
    assert vectors.keys == vocab.tokens
    again = Embedding.from_vectors(vectors, vocab, freeze=True)
    assert torch.equal(again.weight, layer.weight)
    assert again.coverage.found == 2 and again.coverage.ratio == 1.0


def test_summary_table_is_keras_shaped_for_other_sizes() -> None:
    from embedlab.nn import TextClassifier

    text = TextClassifier(vocab_size=500, embedding_dim=16, input_length=20, hidden=8).summary(
        print_fn=None
    )
    assert "(None, 20, 16)" in text and " 8,000" in text
    assert "Total params: 8,145" in text  # 500*16 + (16*8+8) + (8+1)


def test_summary_prints(capsys) -> None:
    from embedlab.nn import TextClassifier

    returned = TextClassifier(vocab_size=10000, embedding_dim=128, input_length=100).summary()
    assert capsys.readouterr().out == returned + "\n"
    assert returned == ARTICLE_TABLE
