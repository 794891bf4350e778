"""Projections and figures."""

from __future__ import annotations

import numpy as np
import pytest

from embedlab import DataError, InvalidParameterError, UnknownKeyError, Vectors
from embedlab.viz import article_figure, pca, plot_words, project

WORDS = ["king", "queen", "man", "woman", "boy", "girl"]


@pytest.fixture(scope="module")
def small() -> Vectors:
    rng = np.random.default_rng(0)
    keys = WORDS + [f"w{i}" for i in range(60)]
    return Vectors(keys, rng.standard_normal((len(keys), 10)), metadata={"kind": ["a", "b"] * 33})


def test_pca_matches_an_svd_oracle() -> None:
    # Points on a line along (1, 1): one component carries everything.
    matrix = np.array([[0, 0], [1, 1], [2, 2], [3, 3]], dtype=np.float32)
    coords = pca(matrix, dim=2)
    np.testing.assert_allclose(np.abs(coords[:, 0]), np.abs(np.array([-1.5, -0.5, 0.5, 1.5]) * np.sqrt(2)), rtol=1e-5)
    np.testing.assert_allclose(coords[:, 1], 0, atol=1e-5)
    rng = np.random.default_rng(1)
    scale = np.r_[10.0, 6.0, np.full(28, 0.5)].astype(np.float32)  # a clear gap after two
    big = rng.standard_normal((25_000, 30)).astype(np.float32) * scale
    centred = big - big.mean(axis=0)
    exact = centred @ np.linalg.svd(centred, full_matrices=False)[2][:2].T  # the oracle
    for solver in ("auto", "covariance", "randomized", "svd"):
        found = pca(big, dim=2, solver=solver)  # type: ignore[arg-type]
        np.testing.assert_allclose(np.abs(found), np.abs(exact), rtol=1e-3, atol=1e-2)
    with pytest.raises(InvalidParameterError, match="'solver' parameter of pca"):
        pca(big, solver="qr")  # type: ignore[arg-type]


@pytest.mark.parametrize("method", ["pca", "tsne", "umap"])
def test_projection_is_seeded(small: Vectors, method: str) -> None:
    a = project(small, method=method, dim=2, seed=3)
    b = project(small, method=method, dim=2, seed=3)
    assert a.shape == (len(small), 2)
    np.testing.assert_array_equal(a, b)


def test_six_words_work_with_tsne_and_3d(small: Vectors) -> None:
    six = small[WORDS]
    assert project(six, "tsne", dim=2).shape == (6, 2)
    assert project(six, "umap", dim=3).shape == (6, 3)
    assert project(six, "pca", dim=3).shape == (6, 3)


def test_bad_parameters(small: Vectors) -> None:
    with pytest.raises(InvalidParameterError, match="The 'method' parameter of project"):
        project(small, method="lda")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="The 'dim' parameter"):
        project(small, dim=4)  # type: ignore[arg-type]
    with pytest.raises(DataError, match="non-empty 2-D"):
        project(np.zeros((0, 3)))


def test_plot_words_writes_png_and_svg(tmp_path, small: Vectors) -> None:
    png = tmp_path / "f.png"
    plot_words(small, WORDS, method="pca", path=png, color_by="kind",
               analogies=[("man", "woman")], neighbors=2)
    assert png.read_bytes()[:4] == b"\x89PNG"
    svg = tmp_path / "f.svg"
    article_figure(small, svg, method="pca")
    assert b"<svg" in svg.read_bytes()[:500]
    with pytest.raises(InvalidParameterError, match=r"\.png, \.svg, \.pdf or \.jpg"):
        plot_words(small, WORDS, method="pca", path=tmp_path / "f.gif")
    with pytest.raises(UnknownKeyError, match="'kingg'"):
        plot_words(small, ["kingg", "queen"])
    with pytest.raises(InvalidParameterError, match="not a metadata column"):
        plot_words(small, WORDS, method="pca", color_by="colour")


def test_perplexity_is_capped_below_six_points(monkeypatch, small: Vectors) -> None:
    import openTSNE

    seen: dict[str, float] = {}
    real = openTSNE.TSNE.__init__

    def spy(self, *args, **kwargs):
        seen["perplexity"] = kwargs["perplexity"]
        real(self, *args, **kwargs)

    monkeypatch.setattr(openTSNE.TSNE, "__init__", spy)
    project(small[WORDS], "tsne", perplexity=30)
    assert seen["perplexity"] == pytest.approx(5 / 3)  # (n - 1) / 3 for n = 6


def test_progress_is_reported_up_to_one(small: Vectors) -> None:
    for method in ("tsne", "pca"):
        fractions: list[float] = []
        project(small, method, progress=False, on_progress=fractions.append)  # type: ignore[arg-type]
        assert fractions[-1] == 1.0 and fractions == sorted(fractions)


def test_missing_extra_names_the_install_command(monkeypatch, small: Vectors) -> None:
    import sys

    from embedlab import MissingExtraError

    monkeypatch.setitem(sys.modules, "openTSNE", None)  # import fails as if not installed
    with pytest.raises(MissingExtraError, match=r"pip install 'embedlab\[viz\]'"):
        project(small, "tsne")
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(MissingExtraError, match="'matplotlib'"):
        plot_words(small, WORDS, method="pca")


def test_cli_plot_writes_the_figure(tmp_path, small: Vectors) -> None:
    from typer.testing import CliRunner

    from embedlab.cli import app
    from embedlab.formats.projector import write_projector

    source = tmp_path / "src"  # a projector folder: read by embedlab.load
    write_projector(small, source, metadata_columns=[])
    out = tmp_path / "fig.png"
    result = CliRunner().invoke(app, [
        "plot", str(source), "--words", "king", "queen", "man", "woman", "boy", "girl",
        "-o", str(out), "--method", "pca", "--analogy", "man:woman",
    ])
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:4] == b"\x89PNG" and out.stat().st_size > 5000
    bad = CliRunner().invoke(app, ["plot", str(source), "--words", "king", "queen",
                                   "-o", str(out), "--analogy", "man-woman"])
    assert bad.exit_code != 0 and "FROM:TO" in str(bad.exception)
    proj = CliRunner().invoke(app, ["projector", str(source), str(tmp_path / "proj")])
    assert proj.exit_code == 0 and (tmp_path / "proj" / "tensors.tsv").exists()
