"""Projections of vectors to 2-D or 3-D: PCA, t-SNE (openTSNE) and UMAP (umap-learn)."""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Callable
from typing import Any, Literal

import numpy as np

from .._progress import progress_bar
from ..errors import DataError, check_param, require
from ..vectors import Vectors

Method = Literal["pca", "tsne", "umap"]


def _matrix(data: Vectors | np.ndarray) -> np.ndarray:
    matrix = np.asarray(data.matrix if isinstance(data, Vectors) else data, dtype=np.float32)
    if matrix.ndim != 2 or matrix.shape[0] == 0:
        raise DataError(f"project needs a non-empty 2-D matrix; got shape {matrix.shape}")
    return matrix


def pca(
    matrix: np.ndarray, dim: int = 2, seed: int = 0,
    solver: Literal["auto", "svd", "covariance", "randomized"] = "auto",
) -> np.ndarray:
    """Principal components.

    ``auto`` picks: exact SVD for small inputs; for many rows of up to 1,000 dimensions the
    eigenvectors of the covariance matrix (one pass over the rows, exact: word vectors are
    usually 50-300 wide); randomised SVD (Halko et al.) for many rows of many dimensions.
    Signs are fixed (the largest coordinate of each component is positive) so results do not
    flip between runs or machines.

    Args:
        matrix: One row per point.
        dim: Number of components; with fewer points or columns, the rest are zeros.
        seed: Seed of the randomised solver.
        solver: ``"auto"``, ``"svd"``, ``"covariance"`` or ``"randomized"``.

    Returns:
        A float32 array of shape ``(rows, dim)``: each row's coordinates on the components.

    Raises:
        InvalidParameterError: An unknown ``solver``.

    Example:
        >>> import numpy as np
        >>> pca(np.array([[0.0, 0.0], [2.0, 0.0], [4.0, 0.0]]), dim=1).ravel()
        array([-2.,  0.,  2.], dtype=float32)
    """
    check_param(solver in ("auto", "svd", "covariance", "randomized"), "solver", "pca",
                "'auto', 'svd', 'covariance' or 'randomized'", solver)
    matrix = np.asarray(matrix, dtype=np.float32)
    n, d = matrix.shape
    k = min(dim, n, d)
    mean = matrix.mean(axis=0, dtype=np.float64).astype(np.float32)
    if solver == "auto":
        solver = "svd" if n <= 20_000 else "covariance" if d <= 1000 else "randomized"
    if solver == "covariance":
        cov = np.zeros((d, d))
        for start in range(0, n, 65_536):  # float64 sums, a block at a time
            block = (matrix[start : start + 65_536] - mean).astype(np.float64)
            cov += block.T @ block
        values, vectors = np.linalg.eigh(cov)
        components = vectors[:, np.argsort(values)[::-1][:k]].T.astype(np.float32)
    elif solver == "randomized":
        centred = matrix - mean
        rng = np.random.default_rng(seed)
        sketch = centred @ rng.standard_normal((d, k + 10)).astype(np.float32)
        for _ in range(4):  # power iterations sharpen the sketch of the top components
            sketch, _r = np.linalg.qr(centred @ (centred.T @ sketch))
        basis, _r = np.linalg.qr(sketch)
        _u, _s, vt = np.linalg.svd(basis.T @ centred, full_matrices=False)
        components = vt[:k]
    else:
        _u, _s, vt = np.linalg.svd(matrix - mean, full_matrices=False)
        components = vt[:k]
    signs = np.sign(components[np.arange(k), np.abs(components).argmax(axis=1)])
    signs[signs == 0] = 1
    components = components * signs[:, None]
    coords = np.empty((n, dim), dtype=np.float32)
    coords[:, k:] = 0  # fewer points or dimensions than asked: pad with zeros
    for start in range(0, n, 65_536):
        coords[start : start + 65_536, :k] = (matrix[start : start + 65_536] - mean) @ components.T
    return coords


def project(
    data: Vectors | np.ndarray,
    method: Method = "pca",
    dim: int = 2,
    seed: int = 0,
    progress: bool = True,
    on_progress: Callable[[float], None] | None = None,
    **options: Any,
) -> np.ndarray:
    """Coordinates of every row in ``dim`` (2 or 3) dimensions; the same seed gives the same layout.

    t-SNE's perplexity defaults to 30 but is capped below the number of points (so six words
    work); UMAP's ``n_neighbors`` likewise. Extra ``options`` go to openTSNE / umap-learn.
    A progress bar shows on a terminal unless ``progress=False``; ``on_progress(fraction)`` is
    called as the optimisation advances (the web explorer reports it in the page).

    Args:
        data: The vectors, or a matrix with one row per point.
        method: ``"pca"``, ``"tsne"`` (openTSNE) or ``"umap"`` (umap-learn). Fewer than
            four points always use PCA.
        dim: 2 or 3.
        seed: Seed of every random choice.
        progress: Show a progress bar on a terminal.
        on_progress: Called with the fraction done, from 0 to 1.
        **options: Passed on to openTSNE or umap-learn (``perplexity=50``, ...).

    Returns:
        A float32 array of shape ``(rows, dim)``.

    Raises:
        InvalidParameterError: A ``method`` or ``dim`` outside the choices above.
        MissingExtraError: openTSNE or umap-learn is not installed (extra ``[viz]``).

    Example:
        >>> import numpy as np
        >>> project(np.eye(4, 5, dtype=np.float32), method="pca").shape
        (4, 2)
    """
    check_param(method in ("pca", "tsne", "umap"), "method", "project", "'pca', 'tsne' or 'umap'", method)
    check_param(dim in (2, 3), "dim", "project", "2 or 3", dim)
    matrix = _matrix(data)
    n = matrix.shape[0]
    if method == "pca" or n < 4:
        method = "pca"
    # The bar counts real steps: t-SNE's iterations (both phases); the others, percent.
    steps = (options.get("early_exaggeration_iter", 250) + options.get("n_iter", 500)
             if method == "tsne" else 100)
    unit = "iterations" if method == "tsne" else "%"
    with progress_bar(steps, f"{method} {n:,} points ({unit})", enabled=progress) as bar:
        done = [0.0]

        def report(fraction: float) -> None:
            fraction = min(max(fraction, done[0]), 1.0)
            bar.advance(round(fraction * steps) - round(done[0] * steps))
            done[0] = fraction
            if on_progress is not None:
                on_progress(fraction)

        if method == "pca":
            coords = pca(matrix, dim, seed)
        elif method == "tsne":
            coords = _tsne(matrix, dim, seed, report, options)
        else:
            coords = _umap(matrix, dim, seed, report, options)
        report(1.0)
    return coords


def _tsne(
    matrix: np.ndarray, dim: int, seed: int, report: Callable[[float], None], options: dict[str, Any]
) -> np.ndarray:
    open_tsne = require("openTSNE", "viz")
    n = matrix.shape[0]
    perplexity = float(options.pop("perplexity", 30.0))
    perplexity = min(perplexity, max(1.0, (n - 1) / 3.0))
    init = options.pop("initialization", "pca" if n > dim else "random")
    every = 25
    total = options.get("early_exaggeration_iter", 250) + options.get("n_iter", 500)
    calls = [0]

    def tick(iteration: int, error: float, embedding: Any) -> bool:
        # openTSNE restarts its iteration count in each phase, so count the calls instead.
        calls[0] += 1
        report(calls[0] * every / max(total, 1))  # the fraction of iterations done
        return False

    report(0.0)  # affinities first: no callback until the optimisation starts
    embedding = open_tsne.TSNE(
        n_components=dim, perplexity=perplexity, random_state=seed, n_jobs=1,
        negative_gradient_method="fft" if n > 5000 and dim == 2 else "bh",
        initialization=init, callbacks=tick, callbacks_every_iters=every, **options,
    ).fit(matrix)
    return np.asarray(embedding, dtype=np.float32)


class _EpochStream(io.StringIO):
    """Reads umap-learn's tqdm output ("120/500") to turn its epochs into progress."""

    def __init__(self, report: Callable[[float], None]) -> None:
        super().__init__()
        self._report = report

    def write(self, text: str) -> int:
        found = re.findall(r"(\d+)/(\d+)", text)
        if found:
            step, total = map(int, found[-1])
            self._report(0.3 + 0.7 * step / max(total, 1))
        return len(text)


def _umap(
    matrix: np.ndarray, dim: int, seed: int, report: Callable[[float], None], options: dict[str, Any]
) -> np.ndarray:
    umap = require("umap", "viz")
    n = matrix.shape[0]
    neighbors = min(int(options.pop("n_neighbors", 15)), n - 1)
    report(0.02)
    # The nearest-neighbour graph has no progress hook: call it 30 %, then follow the epochs.
    tqdm_kwds = {"disable": False, "file": _EpochStream(report), "mininterval": 0.2}
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="n_jobs value", category=UserWarning)
        reducer = umap.UMAP(
            n_components=dim, n_neighbors=neighbors, random_state=seed, verbose=False,
            init="random" if n <= dim + 1 else options.pop("init", "spectral"),
            tqdm_kwds=tqdm_kwds, **options,
        )
        coords = reducer.fit_transform(matrix)
    return np.asarray(coords, dtype=np.float32)
