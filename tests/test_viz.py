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
    np.testing.assert_allclose(np.abs(pca(big, dim=2)), np.abs(exact), rtol=1e-3, atol=1e-2)


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
    with pytest.raises(InvalidParameterError, match="png or .svg"):
        plot_words(small, WORDS, method="pca", path=tmp_path / "f.gif")
    with pytest.raises(UnknownKeyError, match="'kingg'"):
        plot_words(small, ["kingg", "queen"])
    with pytest.raises(InvalidParameterError, match="not a metadata column"):
        plot_words(small, WORDS, method="pca", color_by="colour")
