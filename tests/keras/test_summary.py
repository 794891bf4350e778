"""``TextClassifier.summary(layout="keras3")`` against the table Keras 3 itself prints.

Keras draws the table with rich; given a ``print_fn`` it renders without colour, so the two
strings are compared exactly, box characters and all.
"""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import pytest

# minversion also tells the real Keras from tests/keras (on the path as a namespace package)
keras = pytest.importorskip("keras", minversion="3", reason="Keras 3 is the [keras] extra (in [dev])")

from embedlab.nn import TextClassifier  # noqa: E402


def _keras_table(vocab_size: int, dim: int, length: int, hidden: int, outputs: int,
                 frozen: bool = False, line_length: int | None = None) -> str:
    keras.backend.clear_session()  # Keras names layers as a fresh session does: dense, dense_1
    model = keras.Sequential([
        keras.Input(shape=(length,)),
        keras.layers.Embedding(vocab_size, dim, trainable=not frozen),
        keras.layers.GlobalAveragePooling1D(),
        keras.layers.Dense(hidden, activation="relu"),
        keras.layers.Dense(outputs, activation="sigmoid" if outputs == 1 else "softmax"),
    ], name="TextClassifier")
    printed: list[str] = []
    model.summary(print_fn=lambda text, **_: printed.append(text), line_length=line_length)
    return "".join(printed).rstrip("\n")


@pytest.mark.parametrize("columns", [80, 200, 60])
def test_the_article_model_as_keras_prints_it(monkeypatch: pytest.MonkeyPatch, columns: int) -> None:
    # Keras's default width is min(88, terminal width - 4): both follow COLUMNS.
    monkeypatch.setenv("COLUMNS", str(columns))
    ours = TextClassifier(vocab_size=10000, embedding_dim=128, input_length=100).summary(
        print_fn=None, layout="keras3"
    )
    assert ours == _keras_table(10000, 128, 100, 64, 1)


def test_the_article_table_by_hand(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # Keras's widest default: 88 characters
    text = TextClassifier(vocab_size=10000, embedding_dim=128, input_length=100).summary(
        print_fn=None, layout="keras3"
    )
    lines = text.splitlines()
    assert lines[0] == 'Model: "TextClassifier"'
    assert all(len(line) == 88 for line in lines[1:-3])
    assert "│ embedding (Embedding)" in lines[4] and lines[4].endswith("1,280,000 │")
    assert lines[-3:] == [
        " Total params: 1,288,321 (4.91 MB)",  # 1,288,321 float32 weights = 5,153,284 bytes
        " Trainable params: 1,288,321 (4.91 MB)",
        " Non-trainable params: 0 (0.00 B)",
    ]


@pytest.mark.parametrize("line_length", [53, 76, 100, 120])
def test_other_sizes_frozen_and_many_classes(monkeypatch: pytest.MonkeyPatch, line_length: int) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # wide enough that rich does not cut Keras's table
    frozen = TextClassifier(vocab_size=500, embedding_dim=16, input_length=20, hidden=8, freeze=True)
    assert frozen.summary(print_fn=None, layout="keras3", line_length=line_length) == _keras_table(
        500, 16, 20, 8, 1, frozen=True, line_length=line_length
    )
    four = TextClassifier(vocab_size=100, embedding_dim=8, input_length=5, num_classes=4)
    assert four.summary(print_fn=None, layout="keras3", line_length=line_length) == _keras_table(
        100, 8, 5, 64, 4, line_length=line_length
    )


def test_keras2_stays_the_default() -> None:
    text = TextClassifier(vocab_size=10000, embedding_dim=128, input_length=100).summary(print_fn=None)
    assert text.splitlines()[1].startswith("____")
    with pytest.raises(ValueError, match="'layout' parameter of format_summary must be 'keras2' or 'keras3'"):
        TextClassifier().summary(print_fn=None, layout="keras4")  # type: ignore[arg-type]
