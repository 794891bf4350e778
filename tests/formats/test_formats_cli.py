"""``embedlab info`` and ``embedlab convert``, in-process."""

from __future__ import annotations

import numpy as np
from typer.testing import CliRunner

import embedlab
from embedlab import Vectors
from embedlab.cli import app


def test_info_and_convert(tmp_path) -> None:
    source = tmp_path / "glove.txt"
    source.write_text("king 0.5 -1\nqueen 1.25 0\nman 0 1\n")
    runner = CliRunner()
    result = runner.invoke(app, ["info", str(source)])
    assert result.exit_code == 0, result.output
    assert "glove" in result.output and "3" in result.output and "king, queen, man" in result.output
    out = tmp_path / "v.bin"
    result = runner.invoke(app, ["convert", str(source), str(out), "--to", "word2vec-binary"])
    assert result.exit_code == 0, result.output
    assert "wrote 3 vectors of 2 dimensions" in result.output
    back = embedlab.load(out)
    assert isinstance(back, Vectors) and back.keys == ["king", "queen", "man"]
    np.testing.assert_array_equal(back["queen"], np.float32([1.25, 0]))
    assert "word2vec-binary" in runner.invoke(app, ["info", str(out)]).output
    assert "Example" in runner.invoke(app, ["convert", "--help"]).output
