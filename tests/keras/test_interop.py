"""embedlab and Keras 3 (torch backend): layers, vocabularies and vectors both ways."""

from __future__ import annotations

import os
import subprocess
import sys

# Keras picks its backend once, when first imported: torch, so that no TensorFlow is needed.
os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np
import pytest
import torch

# minversion also tells the real Keras from tests/keras (on the path as a namespace package)
keras = pytest.importorskip("keras", minversion="3", reason="Keras 3 is the [keras] extra (in [dev])")

from embedlab import Vectors, Vocab  # noqa: E402
from embedlab import keras as ek  # noqa: E402
from embedlab.errors import DataError, InvalidParameterError, MissingExtraError  # noqa: E402
from embedlab.nn import Embedding  # noqa: E402

pytestmark = pytest.mark.skipif(
    keras.backend.backend() != "torch", reason="this module tests the torch backend"
)

# Three words of vectors you can check by eye, and a vocabulary with a word only found
# lower-cased ("The") and one not found at all ("bird").
VECTORS = Vectors(["the", "cat", "dog"], np.array([[1, 0], [0, 1], [1, 1]], dtype=np.float32))
VOCAB = Vocab(["<pad>", "<unk>", "The", "cat", "bird"])


def test_keras_layer_holds_the_same_rows_as_the_torch_layer() -> None:
    layer = ek.embedding(VECTORS, VOCAB, oov="random", seed=3)
    torch_layer = Embedding.from_vectors(VECTORS, VOCAB, oov="random", seed=3)
    rows = layer.get_weights()[0]
    np.testing.assert_array_equal(rows, torch_layer.weight.detach().numpy())
    np.testing.assert_array_equal(rows[0], [0, 0])  # padding
    np.testing.assert_array_equal(rows[2], [1, 0])  # "The" found as "the"
    np.testing.assert_array_equal(rows[3], [0, 1])
    assert layer.coverage == torch_layer.coverage
    assert str(layer.coverage) == "2 of 3 tokens found (66.7%) (1 after lower-casing)"
    assert layer.coverage.missing_examples == ("bird",)


def test_frozen_and_masked_by_default() -> None:
    layer = ek.embedding(VECTORS, VOCAB, oov="zero")
    assert not layer.trainable and layer.mask_zero
    assert len(layer.non_trainable_weights) == 1 and not layer.trainable_weights
    ids = np.array([[2, 3, 0]])
    out = keras.ops.convert_to_numpy(layer(ids))
    np.testing.assert_array_equal(out[0], [[1, 0], [0, 1], [0, 0]])
    mask = keras.ops.convert_to_numpy(layer.compute_mask(ids))
    assert mask.tolist() == [[True, True, False]]
    assert ek.embedding(VECTORS, VOCAB, trainable=True).trainable


def test_bad_arguments_say_what_to_do() -> None:
    with pytest.raises(InvalidParameterError, match="'vectors' parameter of embedlab.keras.embedding must be an embedlab.Vectors"):
        ek.embedding(np.ones((5, 2)), VOCAB)  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="'oov'"):
        ek.embedding(VECTORS, VOCAB, oov="drop")  # type: ignore[arg-type]
    pad_last = Vocab(["the", "<unk>", "<pad>"])
    with pytest.raises(InvalidParameterError, match="'mask_zero'.*Keras masks id 0"):
        ek.embedding(VECTORS, pad_last)
    assert not ek.embedding(VECTORS, pad_last, mask_zero=False).mask_zero


def test_vectors_from_a_trained_keras_model() -> None:
    keras.utils.set_random_seed(0)
    layer = ek.embedding(VECTORS, VOCAB, trainable=True, oov="zero", name="words")
    model = keras.Sequential([
        keras.Input(shape=(3,)), layer, keras.layers.GlobalAveragePooling1D(),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer=keras.optimizers.SGD(0.5), loss="binary_crossentropy")
    before = layer.get_weights()[0].copy()
    model.fit(np.array([[2, 3, 4], [4, 4, 1]]), np.array([1.0, 0.0]), epochs=2, verbose=0)
    learned = Vectors.from_keras(model.get_layer("words"), VOCAB)
    assert learned.keys == VOCAB.tokens
    np.testing.assert_array_equal(learned.matrix, layer.get_weights()[0])
    assert not np.array_equal(learned["bird"], before[4])  # training moved it
    assert learned.most_similar("cat", topn=1)[0][0] in VOCAB.tokens


def test_from_keras_takes_keras_vocabularies_and_checks_the_rows() -> None:
    layer = ek.embedding(VECTORS, VOCAB)
    keras_tokens = ["", "[UNK]", "The", "cat", "bird"]  # TextVectorization.get_vocabulary()
    assert Vectors.from_keras(layer, keras_tokens).keys == keras_tokens
    assert Vectors.from_keras(layer, Vocab.from_keras(keras_tokens)).keys == VOCAB.tokens
    with pytest.raises(DataError, match="the vocabulary has 3 tokens but the layer has 5 rows"):
        Vectors.from_keras(layer, ["", "[UNK]", "the"])
    with pytest.raises(DataError, match="built keras.layers.Embedding"):
        Vectors.from_keras(keras.layers.Embedding(5, 2), VOCAB)  # never built: no weights yet


class _FakeTextVectorization:
    """What Vocab.from_keras reads from a TextVectorization (which itself needs TensorFlow)."""

    def get_vocabulary(self) -> list[str]:
        return ["", "[UNK]", "the", "cat"]


def test_vocab_from_keras_renames_the_specials_and_keeps_the_ids() -> None:
    vocab = Vocab.from_keras(_FakeTextVectorization())
    assert vocab.tokens == ["<pad>", "<unk>", "the", "cat"]
    assert (vocab.pad_id, vocab.unk_id) == (0, 1)
    assert vocab.encode(["the", "cat", "emu"]) == [2, 3, 1]
    # StringLookup has no mask token by default: then the vocabulary has no pad.
    lookup = Vocab.from_keras(["[UNK]", "a", "b"])
    assert (lookup.pad_token, lookup.unk_id) == (None, 0)
    with pytest.raises(DataError, match="takes a keras TextVectorization"):
        Vocab.from_keras("the cat")


def test_vocab_to_keras_needs_keras_layout() -> None:
    with pytest.raises(DataError, match="padding at id 0 and its unknown token at id 1; this vocabulary has them at 2 and 1"):
        Vocab(["the", "<unk>", "<pad>"]).to_keras()
    try:
        import tensorflow  # noqa: F401
    except ImportError:
        with pytest.raises(MissingExtraError, match="TextVectorization needs TensorFlow whatever the Keras backend"):
            VOCAB.to_keras(output_sequence_length=4)


def test_vectors_from_torch_modules_and_tensors() -> None:
    torch.manual_seed(0)
    plain = torch.nn.Embedding(5, 2)
    from_module = Vectors.from_torch(plain, VOCAB)
    np.testing.assert_array_equal(from_module.matrix, plain.weight.detach().numpy())
    from_tensor = Vectors.from_torch(plain.weight, VOCAB.tokens)
    np.testing.assert_array_equal(from_tensor.matrix, from_module.matrix)
    ours = Embedding.from_vectors(VECTORS, VOCAB, oov="zero")
    assert Vectors.from_torch(ours, VOCAB)["The"].tolist() == [1.0, 0.0]
    with torch.no_grad():  # a copy: the layer can go on training
        plain.weight.add_(1.0)
    assert not np.array_equal(from_module.matrix, plain.weight.detach().numpy())
    with pytest.raises(DataError, match="takes a torch.nn.Embedding or a weight tensor; got ndarray"):
        Vectors.from_torch(np.ones((5, 2)), VOCAB)
    with pytest.raises(DataError, match="the vocabulary has 5 tokens but the layer has 4 rows"):
        Vectors.from_torch(torch.zeros(4, 2), VOCAB)


def _run(code: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)


def test_import_embedlab_does_not_import_keras() -> None:
    done = _run("import sys, embedlab; print('keras' in sys.modules)")
    assert done.stdout.strip() == "False", done.stderr


def test_without_keras_the_error_names_the_extra() -> None:
    done = _run(
        "import sys; sys.modules['keras'] = None\n"  # as if keras were not installed
        "from embedlab.errors import MissingExtraError\n"
        "try:\n    import embedlab.keras\n"
        "except MissingExtraError as exc:\n    print(exc)\n"
    )
    assert "pip install 'embedlab[keras]'" in done.stdout, done.stderr


def test_without_its_backend_the_error_says_to_set_keras_backend() -> None:
    done = _run(
        "import os, sys; os.environ['KERAS_BACKEND'] = 'tensorflow'; sys.modules['tensorflow'] = None\n"
        "from embedlab.keras import KerasBackendError\n"
    )
    if "No module named 'keras'" in done.stderr:
        pytest.skip("keras is not installed")
    assert "set the KERAS_BACKEND environment variable to 'torch'" in done.stderr
