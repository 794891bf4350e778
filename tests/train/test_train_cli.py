"""``embedlab train``: in-process CLI runs writing real files."""

from __future__ import annotations

import numpy as np
from typer.testing import CliRunner

import embedlab
from embedlab.cli import app

runner = CliRunner()


def corpus_file(tmp_path):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(0)
    topics = [[f"a{i}" for i in range(6)], [f"b{i}" for i in range(6)]]
    lines = [" ".join(rng.choice(topics[s % 2], size=10)) for s in range(200)]
    path = tmp_path / "corpus.txt"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_help_has_an_example() -> None:
    for command in ("word2vec", "fasttext", "glove"):
        result = runner.invoke(app, ["train", command, "--help"])
        assert result.exit_code == 0
        assert "Example: embedlab train " + command in result.output


def test_train_word2vec_writes_word2vec_text(tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "w2v.vec"
    result = runner.invoke(app, ["train", "word2vec", str(corpus_file(tmp_path)), "-o", str(out),
                                 "--dim", "8", "--min-count", "1", "--epochs", "2", "--workers", "1",
                                 "--mode", "cbow"])
    assert result.exit_code == 0, result.output
    assert "12 words x 8 dims" in result.output
    vectors = embedlab.load(out)
    assert len(vectors) == 12 and vectors.dim == 8


def test_replicas_give_the_same_file_twice_with_two_workers(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from embedlab.train import word2vec as w2v_module

    monkeypatch.setattr(w2v_module, "WORDS_PER_JOB", 100)  # many jobs on each thread, and merges
    corpus = corpus_file(tmp_path)
    outputs = []
    for run in range(2):
        out = tmp_path / f"run{run}.vec"
        result = runner.invoke(app, ["train", "word2vec", str(corpus), "-o", str(out), "--dim", "8",
                                     "--min-count", "1", "--workers", "2", "--replicas", "-q"])
        assert result.exit_code == 0, result.output
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]


def test_train_glove_and_fasttext(tmp_path) -> None:  # type: ignore[no-untyped-def]
    corpus = corpus_file(tmp_path)
    out = tmp_path / "glove.txt"
    result = runner.invoke(app, ["train", "glove", str(corpus), "-o", str(out), "-f", "glove", "--dim", "6",
                                 "--min-count", "1", "--epochs", "3", "-q"])
    assert result.exit_code == 0, result.output
    assert embedlab.load(out, format="glove").dim == 6
    out = tmp_path / "ft.bin"
    result = runner.invoke(app, ["train", "fasttext", str(corpus), "-o", str(out), "--dim", "6",
                                 "--min-count", "1", "--epochs", "1", "--bucket", "1000", "-q"])
    assert result.exit_code == 0, result.output
    vectors = embedlab.load(out)
    assert vectors.subwords is not None and vectors["a1b2"].shape == (6,)


def test_bad_option_is_one_clear_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "x.vec"
    result = runner.invoke(app, ["train", "word2vec", str(corpus_file(tmp_path)), "-o", str(out),
                                 "--window", "0"])
    assert result.exit_code != 0
    assert "The 'window' parameter of Word2Vec must be an int >= 1. Got 0 instead." in str(result.exception)
    assert not out.exists()
