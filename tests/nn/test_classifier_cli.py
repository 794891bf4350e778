"""``embedlab classify train | predict | evaluate`` in-process, and the labelled-file reader."""

from __future__ import annotations

import bz2

import pytest
from typer.testing import CliRunner

from embedlab import DataError, FormatError
from embedlab.cli import app
from embedlab.nn import TextClassifier, read_labelled

runner = CliRunner()

POSITIVE = ["good great fine", "great good", "fine good nice", "nice great", "good", "great nice"]
NEGATIVE = ["bad awful poor", "awful bad", "poor bad terrible", "terrible awful", "bad", "awful poor"]


@pytest.fixture
def tsv(tmp_path):
    path = tmp_path / "train.tsv"
    lines = [f"pos\t{t}" for t in POSITIVE] + [f"neg\t{t}" for t in NEGATIVE]
    path.write_text("\n".join(lines * 3) + "\n", encoding="utf-8")
    return path


def test_read_labelled_both_formats(tmp_path) -> None:
    path = tmp_path / "mixed.txt"
    path.write_text(
        "fresh\tA warm film.\tWith a tab inside.\n"
        "\n"
        "__label__rotten __label__extra Dull and long\n"
        "__label__fresh\n",
        encoding="utf-8",
    )
    texts, labels = read_labelled(path)
    assert labels == ["fresh", "rotten", "fresh"]
    assert texts == ["A warm film.\tWith a tab inside.", "Dull and long", ""]
    packed = tmp_path / "mixed.txt.bz2"
    packed.write_bytes(bz2.compress(path.read_bytes()))
    assert read_labelled(packed) == (texts, labels)


def test_read_labelled_errors_say_where(tmp_path) -> None:
    path = tmp_path / "bad.tsv"
    path.write_text("pos\tfine\nno tab here\n", encoding="utf-8")
    with pytest.raises(FormatError, match=r"bad.tsv:2: expected 'label<TAB>text'"):
        read_labelled(path)
    path.write_text("\tno label\n", encoding="utf-8")
    with pytest.raises(FormatError, match=r"bad.tsv:1: empty label"):
        read_labelled(path)
    path.write_text("\n\n", encoding="utf-8")
    with pytest.raises(DataError, match="holds no labelled lines"):
        read_labelled(path)
    with pytest.raises(DataError, match="cannot be read"):
        read_labelled(tmp_path / "missing.tsv")


def test_train_predict_evaluate(tsv, tmp_path) -> None:
    out = tmp_path / "model"
    result = runner.invoke(app, [
        "classify", "train", str(tsv), "-o", str(out), "--epochs", "30", "--embedding-dim", "8",
        "--input-length", "6", "--learning-rate", "0.05", "--validation", "0", "--quiet",
        "--test", str(tsv),
    ])
    assert result.exit_code == 0, result.output
    assert "classes neg, pos" in result.output and "test accuracy 1.0000" in result.output
    assert f"saved to {out}" in result.output
    predicted = runner.invoke(app, ["classify", "predict", str(out), "good nice", "awful terrible"])
    assert predicted.exit_code == 0, predicted.output
    rows = [line.split("\t") for line in predicted.output.splitlines()]
    assert [r[0] for r in rows] == ["pos", "neg"] and [r[2] for r in rows] == ["good nice", "awful terrible"]
    assert all(0.5 < float(r[1]) <= 1.0 for r in rows)
    assert TextClassifier.load(out).predict(["good nice"]) == ["pos"]
    scored = runner.invoke(app, ["classify", "evaluate", str(out), str(tsv)])
    assert scored.exit_code == 0 and scored.output.startswith("accuracy 1.0000")


def test_train_with_pretrained_vectors_and_early_stopping(tsv, tmp_path) -> None:
    import numpy as np

    import embedlab
    from embedlab import Vectors

    words = ["good", "great", "nice", "bad", "awful", "poor"]
    vec_path = tmp_path / "v.txt"
    embedlab.save(Vectors(words, np.random.default_rng(0).standard_normal((6, 5)).astype(np.float32)),
                  vec_path, format="word2vec")
    result = runner.invoke(app, [
        "classify", "train", str(tsv), "-o", str(tmp_path / "m"), "--pretrained", str(vec_path),
        "--epochs", "3", "--validation", "0.25", "--patience", "1", "-q",
    ])
    assert result.exit_code == 0, result.output
    assert "pretrained vectors cover 6 of 8 tokens found (75.0%)" in result.output
    assert "val_accuracy" in result.output and "kept epoch" in result.output


def test_cli_errors(tsv, tmp_path) -> None:
    missing = runner.invoke(app, ["classify", "predict", str(tmp_path / "nope"), "text"])
    assert missing.exit_code != 0 and isinstance(missing.exception, FormatError)
    bad = tmp_path / "bad.tsv"
    bad.write_text("only words\n", encoding="utf-8")
    result = runner.invoke(app, ["classify", "train", str(bad), "-o", str(tmp_path / "m")])
    assert isinstance(result.exception, FormatError) and "bad.tsv:1" in str(result.exception)
    assert not (tmp_path / "m").exists()
    help_text = runner.invoke(app, ["classify", "train", "--help"]).output
    assert "Example: embedlab classify train" in help_text
