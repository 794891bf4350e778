"""``embedlab tag train|predict|evaluate`` on a small CoNLL file."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from embedlab.cli import app
from embedlab.tag import write_conll

runner = CliRunner()


def test_train_predict_evaluate(tmp_path: Path) -> None:
    sentences = [["the", "dog", "runs"], ["a", "cat", "sits"], ["the", "cat", "runs"]] * 8
    tags = [["DET", "NOUN", "VERB"]] * 24
    data = write_conll(tmp_path / "train.conll", sentences, tags)
    model = tmp_path / "model"
    trained = runner.invoke(app, ["tag", "train", str(data), "-o", str(model), "--epochs", "15",
                                  "--hidden", "8", "--char-filters", "8", "--quiet"])
    assert trained.exit_code == 0, trained.output
    assert "3 tags" in trained.output and "saved to" in trained.output
    text = tmp_path / "in.txt"
    text.write_text("the dog sits\n\na cat runs\n")
    predicted = runner.invoke(app, ["tag", "predict", str(model), str(text)])
    assert predicted.exit_code == 0, predicted.output
    assert predicted.output == "the DET\ndog NOUN\nsits VERB\n\na DET\ncat NOUN\nruns VERB\n\n"
    evaluated = runner.invoke(app, ["tag", "evaluate", str(model), str(data)])
    assert evaluated.exit_code == 0, evaluated.output
    assert evaluated.output.startswith("accuracy 1.0000")
    assert "(24 sentences, 72 tokens)" in evaluated.output
