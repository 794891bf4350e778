"""Projections computed in the background, one at a time, with their progress for the page.

t-SNE and UMAP cost minutes on a large table and take the cores from every other client, so
the explorer guards them: one background job at a time (a second is refused with 409 until the
first ends or is cancelled), and each runs on a seeded random sample of at most
``max_points[method]`` rows (10,000 for t-SNE and 5,000 for UMAP, as TensorBoard's projector
does) unless the request asks for every point. A job is cancelled at its next progress step.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..vectors import Vectors

METHODS = ("pca", "tsne", "umap")
DEFAULT_MAX_POINTS: Mapping[str, int] = {"tsne": 10_000, "umap": 5_000}
BUSY = ("queued", "running", "cancelling")


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

    @property
    def points(self) -> int:
        return self.total if self.rows is None else len(self.rows)

    def describe(self) -> dict[str, Any]:
        """The JSON the API answers for this layout."""
        return {
            "method": self.method, "dim": self.dim, "status": self.status,
            "progress": round(self.progress, 4), "error": self.error, "seconds": self.seconds,
            "points": self.points, "total": self.total, "sampled": self.rows is not None,
        }


class LayoutJobs:
    """Starts each (method, dim) projection once and keeps the result; one worker thread, so a
    t-SNE and a UMAP never fight over the cores."""

    def __init__(self, vectors: Vectors, seed: int = 0,
                 max_points: Mapping[str, int] = DEFAULT_MAX_POINTS) -> None:
        self.vectors = vectors
        self.seed = seed
        self.max_points = dict(max_points)
        self._layouts: dict[tuple[str, int], Layout] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="embedlab-layout")

    def get(self, method: str, dim: int) -> Layout | None:
        """The layout if it was ever started (and not forgotten since)."""
        return self._layouts.get((method, dim))

    def all(self) -> list[Layout]:
        """Every layout started so far."""
        return list(self._layouts.values())

    def start(self, method: str, dim: int, sample: bool = True) -> Layout:
        """Start (or find) the projection; PCA is computed at once, the others in the background.

        ``sample=False`` projects every row however many there are. Raises :class:`LayoutBusy`
        while another background projection is queued or running.
        """
        with self._lock:
            layout = self._layouts.get((method, dim))
            if layout is not None and layout.status not in ("failed", "cancelled"):
                return layout
            if method != "pca":
                running = next((x for x in self._layouts.values() if x.status in BUSY), None)
                if running is not None:
                    raise LayoutBusy(running)
            layout = Layout(method, dim, len(self.vectors), rows=self._sample(method, sample))
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

    def _sample(self, method: str, sample: bool) -> np.ndarray | None:
        limit = self.max_points.get(method)
        n = len(self.vectors)
        if not sample or limit is None or n <= limit:
            return None
        rng = np.random.default_rng(self.seed)
        return np.sort(rng.choice(n, size=limit, replace=False))

    def _compute(self, layout: Layout) -> None:
        from ..viz.project import project

        if layout.cancel_requested.is_set():
            layout.status = "cancelled"
            return
        layout.status, layout.started = "running", time.time()

        def advance(fraction: float) -> None:
            if layout.cancel_requested.is_set():
                raise LayoutCancelled
            layout.progress = fraction

        matrix = self.vectors.matrix if layout.rows is None else self.vectors.matrix[layout.rows]
        try:
            coords = project(np.asarray(matrix), method=layout.method, dim=layout.dim,  # type: ignore[arg-type]
                             seed=self.seed, progress=False, on_progress=advance)
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
        layout.progress, layout.status = 1.0, "done"

    def close(self) -> None:
        """Stop accepting work and cancel what is queued or running."""
        for layout in self.all():
            layout.cancel_requested.set()
        self._pool.shutdown(wait=False, cancel_futures=True)
