"""Projections computed in the background, one at a time, with their progress for the page.

t-SNE and UMAP cost minutes on a large table and take the cores from every other client, so
the explorer guards them: one background job at a time (a second is refused with 409 until the
first ends or is cancelled), and each runs on a seeded random sample of at most
``max_points[method]`` rows (10,000 for t-SNE and 5,000 for UMAP, as TensorBoard's projector
does) unless the request asks for every point; the sample is random or stratified by a metadata
column (each value keeps its share). A job is cancelled at its next progress step. While it
runs it reports its phase (t-SNE: affinities, early exaggeration, optimisation; UMAP:
neighbour graph, epochs), the iteration, and an estimate of the seconds left from the pace of
the iterations so far.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..vectors import Vectors

METHODS = ("pca", "tsne", "umap")
DEFAULT_MAX_POINTS: Mapping[str, int] = {"tsne": 10_000, "umap": 5_000}
BUSY = ("queued", "running", "cancelling")
EARLY_EXAGGERATION_ITER = 250  # openTSNE's default, counted in the iterations shown
# The parameters a page may set, with openTSNE's / umap-learn's defaults.
DEFAULT_PARAMS: Mapping[str, Mapping[str, float]] = {
    "tsne": {"perplexity": 30.0, "learning_rate": 200.0, "iterations": 500},
    "umap": {"neighbors": 15, "min_dist": 0.1},
}
# Seconds per point and iteration (t-SNE) or epoch (UMAP), measured on this project's 2-core
# machine on 5,000 GloVe words; the first finished job of the server replaces them.
SECONDS_PER_POINT_STEP: Mapping[str, float] = {"tsne": 8.0e-6, "umap": 2.0e-5}


class LayoutCancelled(Exception):
    """Raised from the progress callback to stop a projection that was cancelled."""


class LayoutBusy(Exception):
    """Another background layout is queued or running."""

    def __init__(self, running: Layout) -> None:
        super().__init__(f"{running.method} {running.dim}-D is running")
        self.running = running


@dataclass
class Layout:
    """One projection (method and dimension) and where its computation stands."""

    method: str
    dim: int
    total: int  # rows in the table
    rows: np.ndarray | None = field(default=None, repr=False)  # the sample; None: every row
    status: str = "queued"  # queued -> running [-> cancelling] -> done | failed | cancelled
    progress: float = 0.0
    error: str | None = None
    started: float | None = None
    seconds: float | None = None
    coords: np.ndarray | None = field(default=None, repr=False)  # total x dim, NaN outside the sample
    cancel_requested: threading.Event = field(default_factory=threading.Event, repr=False)
    params: dict[str, float] = field(default_factory=dict)
    strategy: str = "random"  # how the sample was drawn: random, or stratified:<column>
    phase: str = ""
    iteration: int = 0
    iterations: int = 0  # the last iteration (t-SNE: early exaggeration + the rest; UMAP: epochs)
    eta: float | None = None  # seconds left, from the pace of the iterations so far
    _pace: tuple[float, int] | None = field(default=None, repr=False)  # (time, iteration) seen first

    @property
    def points(self) -> int:
        return self.total if self.rows is None else len(self.rows)

    def describe(self) -> dict[str, Any]:
        """The JSON the API answers for this layout."""
        return {
            "method": self.method, "dim": self.dim, "status": self.status,
            "progress": round(self.progress, 4), "error": self.error, "seconds": self.seconds,
            "points": self.points, "total": self.total, "sampled": self.rows is not None,
            "sample": self.strategy if self.rows is not None else "all", "params": self.params,
            "phase": self.phase, "iteration": self.iteration, "iterations": self.iterations,
            "eta_seconds": None if self.eta is None else round(self.eta, 1),
        }

    def advance(self, fraction: float) -> None:
        """Turn the fraction that :func:`embedlab.viz.project.project` reports into a phase, an
        iteration and an ETA. ``project`` maps t-SNE's 25-iteration callbacks onto 0.1-1 and
        UMAP's epochs onto 0.3-1 (what comes before is the affinity or neighbour-graph phase)."""
        self.progress = fraction
        start = 0.1 if self.method == "tsne" else 0.3
        if fraction < start or fraction >= 1.0:
            self.phase = "done" if fraction >= 1.0 else (
                "affinities" if self.method == "tsne" else "neighbour graph")
            return
        self.iteration = round((fraction - start) / (1 - start) * self.iterations)
        if self.method == "tsne":
            self.phase = ("early exaggeration" if self.iteration <= EARLY_EXAGGERATION_ITER
                          else "optimisation")
        else:
            self.phase = "epochs"
        now = time.time()
        if self._pace is None:
            self._pace = (now, self.iteration)
        elif self.iteration > self._pace[1]:
            per_step = (now - self._pace[0]) / (self.iteration - self._pace[1])
            self.eta = per_step * (self.iterations - self.iteration)


class LayoutJobs:
    """Starts each (method, dim) projection once and keeps the result; one worker thread, so a
    t-SNE and a UMAP never fight over the cores."""

    def __init__(self, vectors: Vectors, seed: int = 0,
                 max_points: Mapping[str, int] = DEFAULT_MAX_POINTS) -> None:
        self.vectors = vectors
        self.seed = seed
        self.max_points = dict(max_points)
        self._layouts: dict[tuple[str, int], Layout] = {}
        self.seconds_per_point_step = dict(SECONDS_PER_POINT_STEP)
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="embedlab-layout")

    def get(self, method: str, dim: int) -> Layout | None:
        """The layout if it was ever started (and not forgotten since)."""
        return self._layouts.get((method, dim))

    def all(self) -> list[Layout]:
        """Every layout started so far."""
        return list(self._layouts.values())

    def start(self, method: str, dim: int, sample: bool = True,
              params: Mapping[str, float] | None = None,
              strata: tuple[str, Sequence[Any]] | None = None) -> Layout:
        """Start (or find) the projection; PCA is computed at once, the others in the background.

        ``sample=False`` projects every row however many there are; ``strata`` (a column's name
        and values) draws the sample so that each value keeps its share. ``params`` override
        :data:`DEFAULT_PARAMS`; a finished layout with other parameters or another sample is
        computed afresh. Raises :class:`LayoutBusy` while another background projection is
        queued or running.
        """
        wanted = {**DEFAULT_PARAMS.get(method, {}), **(params or {})}
        strategy = f"stratified:{strata[0]}" if strata is not None else "random"
        with self._lock:
            layout = self._layouts.get((method, dim))
            if layout is not None and layout.status not in ("failed", "cancelled"):
                sampled = sample and len(self.vectors) > self.max_points.get(method, len(self.vectors))
                same = layout.params == wanted and (layout.rows is not None) == sampled \
                    and (not sampled or layout.strategy == strategy)
                if same or layout.status in BUSY:
                    return layout
            if method != "pca":
                running = next((x for x in self._layouts.values() if x.status in BUSY), None)
                if running is not None:
                    raise LayoutBusy(running)
            rows = self._sample(method, sample, strata)
            layout = Layout(method, dim, len(self.vectors), rows=rows, params=wanted,
                            strategy=strategy)
            layout.iterations = self._iterations(method, layout.points, wanted)
            self._layouts[(method, dim)] = layout
        if method == "pca":
            self._compute(layout)
        else:
            self._pool.submit(self._compute, layout)
        return layout

    def cancel(self, method: str, dim: int) -> Layout | None:
        """Stop a queued or running projection (at its next progress step) or forget a finished
        one, so that the next start computes it afresh; None if it was never started."""
        with self._lock:
            layout = self._layouts.get((method, dim))
            if layout is None:
                return None
            if layout.status in BUSY:
                layout.cancel_requested.set()
                layout.status = "cancelled" if layout.status == "queued" else "cancelling"
            elif method != "pca":  # PCA is the page's first picture: it stays
                del self._layouts[(method, dim)]
        return layout

    def estimate_seconds(self, method: str, points: int, params: Mapping[str, float] | None = None) -> float:
        """About how long ``method`` takes on ``points`` rows (0 for PCA), from this machine's
        pace: linear in points and iterations, which is how FFT t-SNE and UMAP's epochs scale."""
        if method not in self.seconds_per_point_step:
            return 0.0
        wanted = {**DEFAULT_PARAMS[method], **(params or {})}
        steps = self._iterations(method, points, wanted)
        return self.seconds_per_point_step[method] * points * steps

    @staticmethod
    def _iterations(method: str, points: int, params: Mapping[str, float]) -> int:
        if method == "tsne":
            return EARLY_EXAGGERATION_ITER + int(params["iterations"])
        if method == "umap":
            return 200 if points > 10_000 else 500  # umap-learn's own choice of epochs
        return 0

    def _sample(self, method: str, sample: bool,
                strata: tuple[str, Sequence[Any]] | None = None) -> np.ndarray | None:
        limit = self.max_points.get(method)
        n = len(self.vectors)
        if not sample or limit is None or n <= limit:
            return None
        rng = np.random.default_rng(self.seed)
        if strata is None:
            return np.sort(rng.choice(n, size=limit, replace=False))
        return stratified_sample(strata[1], limit, rng)

    def _compute(self, layout: Layout) -> None:
        from ..viz.project import project

        if layout.cancel_requested.is_set():
            layout.status = "cancelled"
            return
        layout.status, layout.started = "running", time.time()

        def advance(fraction: float) -> None:
            if layout.cancel_requested.is_set():
                raise LayoutCancelled
            layout.advance(fraction)

        matrix = self.vectors.matrix if layout.rows is None else self.vectors.matrix[layout.rows]
        options: dict[str, Any] = {}
        if layout.method == "tsne":
            options = {"perplexity": layout.params["perplexity"], "n_iter": int(layout.params["iterations"]),
                       "learning_rate": layout.params["learning_rate"]}
        elif layout.method == "umap":
            options = {"n_neighbors": int(layout.params["neighbors"]),
                       "min_dist": layout.params["min_dist"], "n_epochs": layout.iterations}
        try:
            coords = project(np.asarray(matrix), method=layout.method, dim=layout.dim,  # type: ignore[arg-type]
                             seed=self.seed, progress=False, on_progress=advance, **options)
        except LayoutCancelled:
            layout.status = "cancelled"
            return
        except Exception as exc:  # shown in the page; the server keeps serving
            layout.status, layout.error = "failed", f"{type(exc).__name__}: {exc}"
            return
        if layout.rows is None:
            layout.coords = np.ascontiguousarray(coords, dtype="<f4")
        else:
            full = np.full((layout.total, layout.dim), np.nan, dtype="<f4")
            full[layout.rows] = coords
            layout.coords = full
        layout.seconds = round(time.time() - layout.started, 2)
        layout.progress, layout.status, layout.phase, layout.eta = 1.0, "done", "done", 0.0
        if layout.method in self.seconds_per_point_step and layout.iterations and layout.points >= 500:
            self.seconds_per_point_step[layout.method] = layout.seconds / (layout.points * layout.iterations)

    def close(self) -> None:
        """Stop accepting work and cancel what is queued or running."""
        for layout in self.all():
            layout.cancel_requested.set()
        self._pool.shutdown(wait=False, cancel_futures=True)


def stratified_sample(values: Sequence[Any], size: int, rng: np.random.Generator) -> np.ndarray:
    """``size`` sorted rows in which each distinct value of ``values`` keeps its share (rounded
    by largest remainder, so the shares add up to ``size``), drawn at random within each value."""
    labels = np.asarray(["" if v is None else str(v) for v in values], dtype=object)
    kinds, inverse = np.unique(labels, return_inverse=True)
    counts = np.bincount(inverse, minlength=len(kinds))
    exact = counts * size / len(labels)
    quota = np.floor(exact).astype(int)
    for i in np.argsort(-(exact - quota), kind="stable")[: size - int(quota.sum())]:
        quota[i] += 1
    chosen = [rng.choice(np.flatnonzero(inverse == i), size=int(q), replace=False)
              for i, q in enumerate(quota) if q > 0]
    return np.sort(np.concatenate(chosen))
