"""Every core CLI command, in-process."""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

import embedlab
from embedlab import Vectors
from embedlab.cli import app

runner = CliRunner()


@pytest.fixture
def vector_file(tmp_path):
    v = Vectors(["king", "queen", "man", "woman", "apple"],
                np.array([[1, 1, 0.1], [1, -1, 0.1], [0, 1, 0], [0, -1, 0], [0, 0, 3]], np.float32))
    path = tmp_path / "v.txt"
    embedlab.save(v, path, format="word2vec")
    return path


def test_help_lists_every_command() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("demo", "datasets", "info", "convert", "neighbors", "analogy", "evaluate", "crossmodal"):
        assert command in result.output


def test_info_and_convert(vector_file, tmp_path) -> None:
    result = runner.invoke(app, ["info", str(vector_file)])
    assert result.exit_code == 0, result.output
    assert "word2vec" in result.output and "vectors    5" in result.output
    out = tmp_path / "v.bin"
    converted = runner.invoke(app, ["convert", str(vector_file), str(out), "--to", "word2vec-binary"])
    assert converted.exit_code == 0, converted.output
    assert embedlab.load(out).keys == embedlab.load(vector_file).keys


def test_neighbors_and_analogy(vector_file) -> None:
    result = runner.invoke(app, ["neighbors", str(vector_file), "man", "-k", "2"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].endswith("king")
    answer = runner.invoke(app, ["analogy", str(vector_file), "king", "man", "woman", "-k", "1"])
    assert answer.exit_code == 0 and answer.output.strip().endswith("queen")


def test_library_errors_become_one_line(vector_file) -> None:
    result = runner.invoke(app, ["neighbors", str(vector_file), "quen"])
    assert result.exit_code != 0
    assert "did you mean 'queen'" in str(result.exception)


def test_main_prints_library_errors_as_one_line(vector_file, monkeypatch, capsys) -> None:
    from embedlab.cli import main

    monkeypatch.setattr("sys.argv", ["embedlab", "neighbors", str(vector_file), "quen"])
    with pytest.raises(SystemExit) as stop:
        main()
    assert stop.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "did you mean 'queen'" in err and "Traceback" not in err
