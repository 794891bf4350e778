"""Projections computed in the background, one at a time, with their progress for the page."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..vectors import Vectors

METHODS = ("pca", "tsne", "umap")


@dataclass
class Layout:
    """One projection (method and dimension) and where its computation stands."""

    method: str
    dim: int
    status: str = "queued"  # queued -> running -> done | failed
    progress: float = 0.0
    error: str | None = None
    started: float | None = None
    seconds: float | None = None
    coords: np.ndarray | None = field(default=None, repr=False)

    def describe(self) -> dict[str, Any]:
        """The JSON the API answers for this layout."""
        return {
            "method": self.method, "dim": self.dim, "status": self.status,
            "progress": round(self.progress, 4), "error": self.error, "seconds": self.seconds,
        }


class LayoutJobs:
    """Starts each (method, dim) projection once and keeps the result; one worker thread, so a
    t-SNE and a UMAP never fight over the cores."""

    def __init__(self, vectors: Vectors, seed: int = 0) -> None:
        self.vectors = vectors
        self.seed = seed
        self._layouts: dict[tuple[str, int], Layout] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="embedlab-layout")

    def get(self, method: str, dim: int) -> Layout | None:
        """The layout if it was ever started."""
        return self._layouts.get((method, dim))

    def all(self) -> list[Layout]:
        """Every layout started so far."""
        return list(self._layouts.values())

    def start(self, method: str, dim: int) -> Layout:
        """Start (or find) the projection; PCA is computed at once, the others in the background."""
        with self._lock:
            layout = self._layouts.get((method, dim))
            if layout is not None and layout.status != "failed":
                return layout
            layout = Layout(method, dim)
            self._layouts[(method, dim)] = layout
        if method == "pca":
            self._compute(layout)
        else:
            self._pool.submit(self._compute, layout)
        return layout

    def _compute(self, layout: Layout) -> None:
        from ..viz.project import project

        layout.status, layout.started = "running", time.time()

        def advance(fraction: float) -> None:
            layout.progress = fraction

        try:
            coords = project(self.vectors, method=layout.method, dim=layout.dim,  # type: ignore[arg-type]
                             seed=self.seed, progress=False, on_progress=advance)
        except Exception as exc:  # shown in the page; the server keeps serving
            layout.status, layout.error = "failed", f"{type(exc).__name__}: {exc}"
            return
        layout.coords = np.ascontiguousarray(coords, dtype="<f4")
        layout.seconds = round(time.time() - layout.started, 2)
        layout.progress, layout.status = 1.0, "done"

    def close(self) -> None:
        """Stop accepting work (running projections finish in their thread)."""
        self._pool.shutdown(wait=False, cancel_futures=True)
