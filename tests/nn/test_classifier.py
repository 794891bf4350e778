"""The article's TextClassifier: training, prediction, save/load and bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from embedlab import DataError, FormatError, InvalidParameterError, Vectors, Vocab
from embedlab.nn import TextClassifier

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
    assert history.best()["val_loss"] == min(history["val_loss"])


def test_early_stopping_restores_the_best_weights() -> None:
    texts, labels = _toy()
    # Validation labels that disagree with training on a third of the texts: the validation
    # loss falls, then rises as the model fits the training labels, so training stops early.
    flipped = [("neg" if y == "pos" else "pos") if i % 3 == 0 else y for i, y in enumerate(labels)]
    model = TextClassifier(vocab_size=50, embedding_dim=8, input_length=6, learning_rate=0.05)
    history = model.fit(texts, labels, validation=(texts, flipped), epochs=60, batch_size=4,
                        early_stopping=3, progress=False)
    assert history.epochs == history.best_epoch + 3 < 60
    again = model.evaluate(texts, flipped)
    assert again["loss"] == pytest.approx(history.best()["val_loss"], rel=1e-5)


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
    with pytest.raises(FormatError, match="not a saved model"):
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
        TextClassifier(embedding_dim=7, pretrained=vectors).fit(texts, labels, progress=False)


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


def test_labels_of_any_hashable_type() -> None:
    texts, labels = _toy()
    ints = [1 if y == "pos" else 0 for y in labels]
    model = TextClassifier(vocab_size=50, embedding_dim=8, input_length=6, learning_rate=0.05)
    model.fit(texts, np.asarray(ints), epochs=30, batch_size=4, progress=False)
    assert model.classes == [0, 1] and all(type(c) is int for c in model.classes)
    assert model.predict(["good nice", "awful"]) == [1, 0]
    with pytest.raises(DataError, match="cannot be a class"):
        model.fit(texts, [[y] for y in labels], progress=False)


def test_validation_pair_and_history() -> None:
    texts, labels = _toy()
    model = TextClassifier(vocab_size=50, embedding_dim=8, input_length=6, learning_rate=0.05)
    history = model.fit(texts, labels, validation=(texts[:4], labels[:4]), epochs=3, progress=False)
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert history.epochs == 3 and len(history["val_loss"]) == 3
    assert history.last()["val_accuracy"] == history["val_accuracy"][-1]
    with pytest.raises(DataError, match=r"validation labels\[0\] is 'meh'"):
        model.fit(texts, labels, validation=(["good"], ["meh"]), progress=False)
    with pytest.raises(DataError, match="validation: there are 1 texts but 2 labels"):
        model.fit(texts, labels, validation=(["good"], ["pos", "neg"]), progress=False)
    with pytest.raises(InvalidParameterError, match="'validation' parameter"):
        model.fit(texts, labels, validation=1.5, progress=False)
    with pytest.raises(InvalidParameterError, match="early_stopping needs validation data"):
        model.fit(texts, labels, early_stopping=2, progress=False)


def test_fit_is_seeded_and_leaves_global_rng_alone() -> None:
    texts, labels = _toy()
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    a = TextClassifier(vocab_size=50, embedding_dim=8, input_length=6)
    threads = torch.get_num_threads()
    a.fit(texts, labels, epochs=2, seed=1, progress=False, threads=1)
    assert torch.equal(torch.rand(3), expected)
    assert torch.get_num_threads() == threads
    b = TextClassifier(vocab_size=50, embedding_dim=8, input_length=6)
    b.fit(texts, labels, epochs=2, seed=2, progress=False)
    assert not np.array_equal(a.predict_proba(texts), b.predict_proba(texts))


def test_refit_rebuilds_the_vocabulary() -> None:
    model = TextClassifier(vocab_size=50, embedding_dim=4, input_length=4)
    model.fit(["aa bb", "cc dd"], ["x", "y"], epochs=1, progress=False)
    model.fit(["ee ff", "gg hh"], ["x", "y"], epochs=1, progress=False)
    assert "ee" in model.vocab and "aa" not in model.vocab
    given = Vocab(["<pad>", "<unk>", "aa"])
    fixed = TextClassifier(vocab=given, embedding_dim=4, input_length=4)
    fixed.fit(["aa bb", "cc dd"], ["x", "y"], epochs=1, progress=False)
    assert fixed.vocab is given and fixed.net.embedding.num_embeddings == 3


def test_save_replaces_a_saved_model_but_not_other_folders(tmp_path) -> None:
    texts, labels = _toy()
    model = TextClassifier(vocab_size=50, embedding_dim=8, input_length=6)
    model.fit(texts, labels, epochs=1, progress=False)
    target = tmp_path / "m"
    assert model.save(target) == target
    assert sorted(p.name for p in target.iterdir()) == ["config.json", "model.safetensors", "vocab.json"]
    model.fit(texts, labels, epochs=2, seed=5, progress=False)
    model.save(target)  # replaces the earlier model
    np.testing.assert_array_equal(TextClassifier.load(target).predict_proba(texts), model.predict_proba(texts))
    assert [p.name for p in tmp_path.iterdir()] == ["m"]  # no staging folders left behind
    other = tmp_path / "photos"
    other.mkdir()
    (other / "cat.jpg").write_bytes(b"...")
    with pytest.raises(DataError, match="not a saved model; choose a new directory"):
        model.save(other)
    assert (other / "cat.jpg").read_bytes() == b"..."


def test_load_errors(tmp_path) -> None:
    texts, labels = _toy()
    model = TextClassifier(vocab_size=50, embedding_dim=8, input_length=6)
    model.fit(texts, labels, epochs=1, progress=False)
    with pytest.raises(FormatError, match="no such directory"):
        TextClassifier.load(tmp_path / "missing")
    model.save(tmp_path / "m")
    (tmp_path / "m" / "model.safetensors").write_bytes(b"\x00garbage")
    with pytest.raises(FormatError, match="model.safetensors: corrupt weights file"):
        TextClassifier.load(tmp_path / "m")


def test_custom_tokenizer_must_be_given_again(tmp_path) -> None:
    def by_comma(text: str) -> list[str]:
        return text.split(",")

    model = TextClassifier(vocab_size=20, embedding_dim=4, input_length=3, tokenizer=by_comma,
                           learning_rate=0.05)
    model.fit(["a b,c", "d,e f"] * 4, ["x", "y"] * 4, epochs=20, progress=False)
    assert "a b" in model.vocab
    model.save(tmp_path / "m")
    with pytest.raises(InvalidParameterError, match="pass it again"):
        TextClassifier.load(tmp_path / "m")
    loaded = TextClassifier.load(tmp_path / "m", tokenizer=by_comma)
    assert loaded.predict(["a b,c"]) == model.predict(["a b,c"])


def test_more_bad_input() -> None:
    texts, labels = _toy()
    model = TextClassifier(vocab_size=50, embedding_dim=8, input_length=6)
    with pytest.raises(DataError, match="not one string"):
        model.fit("good", ["pos"], progress=False)
    with pytest.raises(DataError, match=r"training texts\[1\] is int"):
        model.fit(["good", 3], ["pos", "neg"], progress=False)
    with pytest.raises(InvalidParameterError, match="no CUDA GPU" if not torch.cuda.is_available() else "'device'"):
        model.fit(texts, labels, device="cuda" if not torch.cuda.is_available() else "tpu", progress=False)
    # Checked at fit (constructors only store), as every embedlab estimator does.
    with pytest.raises(InvalidParameterError, match="'vocab_size' parameter of TextClassifier"):
        TextClassifier(vocab_size=2).fit(texts, labels, progress=False)
    with pytest.raises(InvalidParameterError, match="needs a pad_token"):
        TextClassifier(vocab=Vocab(["a", "b"], pad_token=None, unk_token=None)).fit(texts, labels, progress=False)
    with pytest.raises(InvalidParameterError, match="must be an embedlab.Vectors"):
        TextClassifier(pretrained=np.ones((3, 4))).fit(texts, labels, progress=False)  # type: ignore[arg-type]
    model.fit(texts, labels, epochs=1, progress=False)
    with pytest.raises(DataError, match=r"labels\[0\] is 'meh'.*2 such label"):
        model.evaluate(["good", "bad"], ["meh", "bleh"])
    with pytest.raises(DataError, match="texts is empty"):
        model.predict([])
    with pytest.raises(DataError, match="evaluation: there are 2 texts but 1 labels"):
        model.evaluate(["good", "bad"], ["pos"])


def test_pretrained_coverage_is_reported(capsys) -> None:
    vectors = Vectors(["good", "bad"], np.eye(2, dtype=np.float32))
    model = TextClassifier(vocab_size=50, input_length=4, pretrained=vectors)
    assert model.coverage is None and model.embedding_dim == 2
    model.fit(["good film", "bad film"], ["p", "n"], epochs=1, progress=True)
    assert model.coverage.found == 2 and model.coverage.total == 3
    assert "pretrained vectors cover 2 of 3 tokens found (66.7%)" in capsys.readouterr().err


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_matches_cpu() -> None:
    texts, labels = _toy()
    cpu = TextClassifier(vocab_size=50, embedding_dim=8, input_length=6, learning_rate=0.05)
    gpu = TextClassifier(vocab_size=50, embedding_dim=8, input_length=6, learning_rate=0.05)
    cpu.fit(texts, labels, epochs=20, batch_size=4, progress=False)
    gpu.fit(texts, labels, epochs=20, batch_size=4, progress=False, device="cuda")
    np.testing.assert_allclose(gpu.predict_proba(texts), cpu.predict_proba(texts), atol=1e-3)


def test_interrupted_save_keeps_the_previous_model(tmp_path, monkeypatch) -> None:
    texts, labels = _toy()
    model = TextClassifier(vocab_size=50, embedding_dim=8, input_length=6)
    model.fit(texts, labels, epochs=1, progress=False)
    model.save(tmp_path / "m")
    before = {p.name: p.read_bytes() for p in (tmp_path / "m").iterdir()}
    model.fit(texts, labels, epochs=2, seed=9, progress=False)

    def crash(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(Vocab, "save", crash)
    with pytest.raises(KeyboardInterrupt):
        model.save(tmp_path / "m")
    assert {p.name: p.read_bytes() for p in (tmp_path / "m").iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["m"]


def test_forward_matches_a_numpy_oracle() -> None:
    # The article's model by hand: masked mean of the word vectors, relu(Dense), sigmoid(Dense).
    vocab = Vocab(["<pad>", "<unk>", "good", "film"])
    model = TextClassifier(vocab=vocab, embedding_dim=3, input_length=4, hidden=2)
    model.classes = ["neg", "pos"]
    net = model.net
    with torch.no_grad():
        net.embedding.weight.copy_(torch.tensor([[0, 0, 0], [1, 1, 1], [2, 0, 1], [0, 4, -1.0]]))
        net.hidden.weight.copy_(torch.tensor([[1, 0, 0], [0, 1, -1.0]]))
        net.hidden.bias.copy_(torch.tensor([0, -1.0]))
        net.output.weight.copy_(torch.tensor([[1, -2.0]]))
        net.output.bias.copy_(torch.tensor([0.5]))
    # "good film" -> ids [2, 3, 0, 0]; mean over the two words = [1, 2, 0].
    hidden = np.maximum(np.array([[1, 0, 0], [0, 1, -1]]) @ np.array([1, 2, 0]) + [0, -1], 0)  # [1, 1]
    p = 1 / (1 + np.exp(-(np.array([1, -2]) @ hidden + 0.5)))  # sigmoid(-0.5)
    np.testing.assert_allclose(model.predict_proba(["good film"]), [[1 - p, p]], rtol=1e-6)
    assert model.predict(["good film"]) == ["neg"]
