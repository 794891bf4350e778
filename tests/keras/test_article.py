"""The article's own Keras code, as it has it, on Keras 3 (torch backend), and embedlab's version.

The article builds its classifier with ``Embedding(10000, 128, input_length=100)`` (Keras 3
warns that ``input_length`` is deprecated and ignores it: the code still runs), reads GloVe's
text file line by line into a dict to fill an embedding matrix, and plots a few words with
scikit-learn's t-SNE and ``plt.annotate``. Here that code runs on a 2,000-word GloVe file
written from the ``glove-6b-50d`` dataset, and the version with embedlab's vectors as the
Embedding's initial weights trains briefly on Rotten Tomatoes (docs/keras.md has the full run).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np
import pytest

# minversion also tells the real Keras from tests/keras (on the path as a namespace package)
keras = pytest.importorskip("keras", minversion="3", reason="Keras 3 is the [keras] extra (in [dev])")

import embedlab  # noqa: E402
from embedlab import datasets  # noqa: E402

pytestmark = pytest.mark.network  # the GloVe and Rotten Tomatoes datasets come from the registry


@pytest.fixture(scope="module")
def glove_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("glove") / "glove.6B.50d.txt"
    embedlab.save(datasets.load("glove-6b-50d").top(2000), path, format="glove")
    return path


def test_the_articles_model_runs_unchanged() -> None:
    from keras.layers import Dense, Embedding, GlobalAveragePooling1D
    from keras.models import Sequential

    # --- the article's code ---------------------------------------------------------------
    model = Sequential()
    model.add(Embedding(input_dim=10000, output_dim=128, input_length=100))
    model.add(GlobalAveragePooling1D())
    model.add(Dense(64, activation="relu"))
    model.add(Dense(1, activation="sigmoid"))
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    # -----------------------------------------------------------------------------------------
    rng = np.random.default_rng(0)
    ids, labels = rng.integers(0, 10000, size=(64, 100)), rng.integers(0, 2, size=64)
    model.fit(ids, labels, epochs=1, batch_size=32, verbose=0)
    assert model.count_params() == 1_288_321 == embedlab.nn.TextClassifier().count_params()


def test_the_articles_glove_loop_and_tsne_plot(glove_file: Path) -> None:
    pytest.importorskip("sklearn", reason="the article's t-SNE is scikit-learn's ([viz] extra)")
    matplotlib = pytest.importorskip("matplotlib", reason="the article plots with matplotlib ([viz])")
    matplotlib.use("Agg")  # no display in the tests; the article shows the figure
    glove_path = str(glove_file)
    word_index = {"the": 1, "king": 2, "prince": 3, "zzyzx": 4}  # a tokenizer's word_index
    vocab_size, embedding_dim = 5, 50

    # --- the article's code ---------------------------------------------------------------
    def load_glove_embeddings(glove_file):  # type: ignore[no-untyped-def]
        embeddings_index = {}
        with open(glove_file, encoding="utf8") as f:
            for line in f:
                values = line.split()
                word = values[0]
                coefs = np.asarray(values[1:], dtype="float32")
                embeddings_index[word] = coefs
        return embeddings_index

    embeddings_index = load_glove_embeddings(glove_path)
    embedding_matrix = np.zeros((vocab_size, embedding_dim))
    for word, i in word_index.items():
        embedding_vector = embeddings_index.get(word)
        if embedding_vector is not None:
            embedding_matrix[i] = embedding_vector

    import matplotlib.pyplot as plt
    from sklearn.manifold import TSNE

    words = ["king", "prince", "man", "woman", "paris", "france", "london", "england"]
    word_vectors = np.array([embeddings_index[w] for w in words])
    tsne = TSNE(n_components=2, random_state=0, perplexity=5)
    reduced = tsne.fit_transform(word_vectors)
    plt.figure(figsize=(8, 6))
    for i, word in enumerate(words):
        plt.scatter(reduced[i, 0], reduced[i, 1])
        plt.annotate(word, (reduced[i, 0], reduced[i, 1]))
    plt.show()
    # -----------------------------------------------------------------------------------------
    try:
        glove = datasets.load("glove-6b-50d")
        assert len(embeddings_index) == 2000
        np.testing.assert_allclose(embedding_matrix[2], glove["king"], atol=1e-6)
        assert not embedding_matrix[4].any() and not embedding_matrix[0].any()
        assert [t.get_text() for t in plt.gca().texts] == words
        assert reduced.shape == (8, 2)
    finally:
        plt.close("all")


def train_with_glove(limit: int | None, epochs: int) -> dict[str, float]:
    """The version in docs/keras.md: embedlab's GloVe vectors start the article's model."""
    from embedlab import Vectors, Vocab, tokenize
    from embedlab import keras as ek
    from keras import layers

    glove = datasets.load("glove-6b-50d")
    train, test = datasets.load("rotten-tomatoes").split(test_size=0.2, seed=0)
    texts, labels = train.texts[:limit], train.labels[:limit]
    vocab = Vocab.build([tokenize(t) for t in texts], max_size=10000)
    x_train, x_test = vocab.encode_batch(texts, 100), vocab.encode_batch(test.texts, 100)
    y_train = np.array([y == "fresh" for y in labels], dtype="float32")
    y_test = np.array([y == "fresh" for y in test.labels], dtype="float32")

    keras.utils.set_random_seed(0)
    words = ek.embedding(glove, vocab, trainable=True, name="words")
    model = keras.Sequential([
        keras.Input(shape=(100,)),
        words,
        layers.GlobalAveragePooling1D(),
        layers.Dense(64, activation="relu"),
        layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=epochs, batch_size=64, verbose=0)
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    learned = Vectors.from_keras(model.get_layer("words"), vocab)
    return {
        "accuracy": float(accuracy),
        "coverage": words.coverage.ratio,
        "neighbour_found": float(learned.most_similar("good", topn=5) != []),
    }


def test_glove_initialised_model_trains_on_rotten_tomatoes() -> None:
    # A short run (2,000 reviews, 2 epochs): it learns something, and its vectors come back.
    result = train_with_glove(limit=2000, epochs=2)
    assert result["coverage"] > 0.9
    assert result["accuracy"] > 0.55
    assert result["neighbour_found"] == 1.0


@pytest.mark.tensorflow
def test_the_same_on_the_tensorflow_backend() -> None:
    try:
        import tensorflow  # noqa: F401
    except ImportError:
        pytest.skip("tensorflow-cpu is not installed: the TensorFlow backend cannot be tried")
    # Keras chooses its backend once per process: the TensorFlow run gets a process of its own.
    code = textwrap.dedent(f"""
        import os, sys
        os.environ["KERAS_BACKEND"] = "tensorflow"
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        import keras
        assert keras.backend.backend() == "tensorflow"
        from embedlab import Vocab
        vocab = Vocab.build([["the", "cat", "sat"], ["the", "dog"]])
        layer = vocab.to_keras(output_sequence_length=4)  # TextVectorization runs on TensorFlow
        assert Vocab.from_keras(layer).tokens == vocab.tokens
        ids = keras.ops.convert_to_numpy(layer(["the dog sat emu"])).tolist()
        assert ids == vocab.encode_batch(["the dog sat emu"], 4).tolist(), ids
        from test_article import train_with_glove
        print(train_with_glove(limit=2000, epochs=2))
    """)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "KERAS_BACKEND": "tensorflow"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    result = eval(done.stdout.strip().splitlines()[-1])  # the dict printed above
    assert result["accuracy"] > 0.55 and result["coverage"] > 0.9
