"""Projections of vectors to 2-D or 3-D: PCA, t-SNE (openTSNE) and UMAP (umap-learn)."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from ..errors import DataError, check_param, require
from ..vectors import Vectors

Method = Literal["pca", "tsne", "umap"]


def _matrix(data: Vectors | np.ndarray) -> np.ndarray:
    matrix = np.asarray(data.matrix if isinstance(data, Vectors) else data, dtype=np.float32)
    if matrix.ndim != 2 or matrix.shape[0] == 0:
        raise DataError(f"project needs a non-empty 2-D matrix; got shape {matrix.shape}")
    return matrix


def pca(matrix: np.ndarray, dim: int = 2, seed: int = 0) -> np.ndarray:
    """Principal components: exact SVD for small inputs, randomised SVD for large ones.

    Signs are fixed (the largest coordinate of each component is positive) so results do not
    flip between runs or machines.
    """
    centred = matrix - matrix.mean(axis=0)
    k = min(dim, *centred.shape)
    if centred.shape[0] > 20_000 and centred.shape[1] > 4 * k:
        # Halko et al.: a few power iterations on a random sketch of the column space.
        rng = np.random.default_rng(seed)
        sketch = centred @ rng.standard_normal((centred.shape[1], k + 10)).astype(np.float32)
        for _ in range(4):
            sketch, _r = np.linalg.qr(centred @ (centred.T @ sketch))
        basis, _r = np.linalg.qr(sketch)
        _u, _s, vt = np.linalg.svd(basis.T @ centred, full_matrices=False)
    else:
        _u, _s, vt = np.linalg.svd(centred, full_matrices=False)
    components = vt[:k]
    signs = np.sign(components[np.arange(k), np.abs(components).argmax(axis=1)])
    coords = centred @ (components * signs[:, None]).T
    if k < dim:  # fewer points or dimensions than asked: pad with zeros
        coords = np.hstack([coords, np.zeros((coords.shape[0], dim - k), coords.dtype)])
    return coords.astype(np.float32)


def project(
    data: Vectors | np.ndarray,
    method: Method = "pca",
    dim: int = 2,
    seed: int = 0,
    progress: bool = False,
    **options: Any,
) -> np.ndarray:
    """Coordinates of every row in ``dim`` (2 or 3) dimensions; the same seed gives the same layout.

    t-SNE's perplexity defaults to 30 but is capped below the number of points (so six words
    work); UMAP's ``n_neighbors`` likewise. Extra ``options`` go to openTSNE / umap-learn.
    """
    check_param(method in ("pca", "tsne", "umap"), "method", "project", "'pca', 'tsne' or 'umap'", method)
    check_param(dim in (2, 3), "dim", "project", "2 or 3", dim)
    matrix = _matrix(data)
    n = matrix.shape[0]
    if method == "pca" or n < 4:
        return pca(matrix, dim, seed)
    if method == "tsne":
        open_tsne = require("openTSNE", "viz")
        perplexity = float(options.pop("perplexity", 30.0))
        perplexity = min(perplexity, max(1.0, (n - 1) / 3.0))
        init = options.pop("initialization", "pca" if n > dim else "random")
        embedding = open_tsne.TSNE(
            n_components=dim, perplexity=perplexity, random_state=seed, n_jobs=1,
            negative_gradient_method="fft" if n > 5000 and dim == 2 else "bh",
            initialization=init, verbose=progress, **options,
        ).fit(matrix)
        return np.asarray(embedding, dtype=np.float32)
    umap = require("umap", "viz")
    neighbors = min(int(options.pop("n_neighbors", 15)), n - 1)
    reducer = umap.UMAP(
        n_components=dim, n_neighbors=neighbors, random_state=seed, verbose=progress,
        init="random" if n <= dim + 1 else options.pop("init", "spectral"), **options,
    )
    return np.asarray(reducer.fit_transform(matrix), dtype=np.float32)
