"""What a fit reports: early stopping in words, History as a table and a figure."""

from __future__ import annotations

import pytest

from embedlab.nn import TextClassifier
from embedlab.nn.training import History


def _history(best: int, stopped: int) -> History:
    history = History(best_epoch=best, stopped_epoch=stopped)
    for loss, val in [(0.9, 0.8), (0.7, 0.6), (0.5, 0.65), (0.4, 0.7)]:
        history.add(loss=loss, accuracy=1 - loss, val_loss=val, val_accuracy=1 - val)
    return history


def test_early_stopping_note() -> None:
    assert _history(2, 4).early_stopping_note == "stopped after epoch 4; restored the weights of epoch 2"
    assert _history(2, 0).early_stopping_note == "ran all 4 epochs; restored the weights of epoch 2"
    assert _history(0, 0).early_stopping_note == ""


def test_fit_says_what_early_stopping_did(capfd: pytest.CaptureFixture[str]) -> None:
    texts = ["good great", "great fine", "bad awful", "awful poor"] * 3
    labels = ["pos", "pos", "neg", "neg"] * 3
    flipped = [("neg" if y == "pos" else "pos") if i % 3 == 0 else y for i, y in enumerate(labels)]
    model = TextClassifier(vocab_size=20, embedding_dim=4, input_length=3, learning_rate=0.05)
    history = model.fit(texts, labels, validation=(texts, flipped), epochs=60, batch_size=4,
                        early_stopping=2)
    assert history.stopped_epoch == history.best_epoch + 2
    said = (f"embedlab: early stopping: stopped after epoch {history.stopped_epoch}; "
            f"restored the weights of epoch {history.best_epoch}\n")
    assert said in capfd.readouterr().err


def test_history_html_and_plot() -> None:
    history = _history(2, 4)
    table = history._repr_html_()
    assert table.count("<tr") == 5  # a header and four epochs
    assert '<tr style="font-weight:bold"><td>2</td><td>0.7000</td>' in table
    assert "stopped after epoch 4" in table
    fig = history.plot()
    assert [ax.get_ylabel() for ax in fig.axes] == ["loss", "accuracy"]
    assert [line.get_label() for line in fig.axes[0].lines][:2] == ["loss", "val_loss"]
    assert fig._repr_png_()[:8] == b"\x89PNG\r\n\x1a\n"
    import matplotlib.pyplot as plt

    assert plt.get_fignums() == []  # nothing left open in pyplot
    from matplotlib.figure import Figure

    own = Figure()
    ax = own.subplots()
    assert history.plot(ax=ax) is own and len(ax.lines) == 3  # loss, val_loss, best epoch
