"""Neighbour queries for the explorer, batched: concurrent requests share one pass over the table.

One query against 400,000 x 50 vectors reads the whole 80 MB table and is bound by memory
bandwidth; fifty queries in one matrix product read it once. Each worker thread takes whatever
queries are waiting (up to ``max_batch``), answers them together and resolves each caller's
future. With one worker per core, a query that arrives while a batch is being answered is
picked up by another worker at once instead of waiting for that batch, so latency under load
stays near the cost of one batch. The workers release the GIL in the matrix products and the
selection kernel, so the event loop keeps serving meanwhile.
"""

from __future__ import annotations

import queue
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import check_param, require
from ..neighbors import Method, Metric, NeighborIndex, resolve_method
from ..neighbors.panels import PanelTable
from ..vectors import Vectors
from .ann_cache import HnswSearch, load_or_build


@dataclass
class _Request:
    query: np.ndarray
    k: int
    exclude: frozenset[int]
    exact: bool  # must the answer be exact even when an approximate index is ready?
    metric: Metric = "cosine"
    future: Future[Answer] = field(default_factory=Future)


@dataclass
class Answer:
    found: list[tuple[int, float]]  # (row, score), best first (euclidean: minus the distance)
    exact: bool  # False when the approximate index answered


class BatchedSearch:
    """Cosine neighbours on the full vectors, answered in batches by worker threads.

    ``index="exact"`` scans the whole table for every batch. ``"faiss"`` builds an HNSW graph
    in the background (about 30 s for 400,000 x 50 on 2 cores) and answers from it once it is
    ready (exact until then); ``"auto"`` is faiss above 200,000 keys when faiss is installed.
    A query can still ask for an exact answer. With ``cache`` (a folder) the graph is kept
    there and read back on the next start while the vectors are unchanged.
    """

    def __init__(self, vectors: Vectors, max_batch: int = 64, workers: int | None = None,
                 index: Method = "exact", cache: str | Path | None = None) -> None:
        from .._threads import workers as cores
        check_param(index in ("exact", "faiss", "auto"), "index", "BatchedSearch",
                    "'exact', 'faiss' or 'auto'", index)
        if index == "faiss":
            require("faiss", "ann")  # asked for by name: say so now, not in /api/info later
        self.vectors = vectors
        self.max_batch = max_batch
        # Exact cosine, the common question, is answered from a copy of the table laid out in
        # panels (neighbors/panels.py: scoring and selecting in one pass, a third of the CPU
        # time of a matrix product and a selection). The copy takes a second or so to build
        # for 400,000 rows: it is built in the background, and until it is ready the plain
        # exact index answers (exact too; the scores may differ in the last bit).
        self._index = NeighborIndex(vectors, method="exact", metric="cosine")
        self._panels: PanelTable | None = None
        self.panels_ready = threading.Event()
        threading.Thread(target=self._build_panels, name="embedlab-panels", daemon=True).start()
        # dot and euclidean are asked for rarely (a choice in the page): built on first use
        self._other_metrics: dict[str, NeighborIndex] = {}
        self._other_lock = threading.Lock()
        self._cache = cache  # a folder where the HNSW graph is kept across restarts
        self._approximate: NeighborIndex | HnswSearch | None = None
        self.approximate_status = "none"  # or "building", "ready", "failed: ..."
        if resolve_method(index, len(vectors)) == "faiss":
            self.approximate_status = "building"
            threading.Thread(target=self._build, name="embedlab-faiss-build", daemon=True).start()
        self._queue: queue.Queue[_Request | None] = queue.Queue()
        self._workers = [
            threading.Thread(target=self._run, name=f"embedlab-search-{i}", daemon=True)
            for i in range(workers or cores())
        ]
        for worker in self._workers:
            worker.start()

    def _build_panels(self) -> None:
        try:
            # The routes take cosine queries from the unit rows: computed here, not by the
            # first request (half a second for 400,000 rows, on the event loop).
            _ = self.vectors.unit
            self._panels = PanelTable(self.vectors.matrix, metric="cosine")
        except MemoryError:  # the plain exact index goes on answering (anything else is a
            self._panels = None  # bug, such as a stale build of the kernel: it is reported)
        finally:
            self.panels_ready.set()

    def _build(self) -> None:
        try:
            self._approximate = load_or_build(self.vectors, self._cache)
            self.approximate_status = "ready"
        except Exception as exc:  # the exact index goes on answering; /api/info says why
            self.approximate_status = f"failed: {exc}"

    def submit(
        self, query: np.ndarray, k: int, exclude: frozenset[int] = frozenset(), exact: bool = False,
        metric: Metric = "cosine",
    ) -> Future[Answer]:
        """Queue one query vector; the future gives ``k`` (row, score) pairs, best first.
        Only cosine answers may come from the approximate index; dot and euclidean are exact."""
        request = _Request(np.asarray(query, dtype=np.float32), k, exclude, exact, metric)
        self._queue.put(request)
        return request.future

    def close(self) -> None:
        """Stop the workers (after the queries already queued)."""
        for _ in self._workers:
            self._queue.put(None)

    def _run(self) -> None:
        if self.approximate_status != "none":
            import faiss

            # One thread per worker (this call sets it for the calling thread only): the
            # workers already run side by side, one per core.
            faiss.omp_set_num_threads(1)
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < self.max_batch:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    self._queue.put(None)  # this worker stops after its batch: pass it on
                    break
                batch.append(more)
            self._answer(batch)

    def _index_for(self, metric: str) -> NeighborIndex:
        with self._other_lock:
            if metric not in self._other_metrics:
                self._other_metrics[metric] = NeighborIndex(self.vectors, method="exact", metric=metric)  # type: ignore[arg-type]
            return self._other_metrics[metric]

    def _answer(self, batch: list[_Request]) -> None:
        for metric in ("dot", "euclidean"):
            asked = [r for r in batch if r.metric == metric]
            if asked:
                try:
                    index = self._index_for(metric)
                except Exception as exc:
                    for request in asked:
                        request.future.set_exception(exc)
                    continue
                self._answer_with(index, asked, exact=True)
        batch = [r for r in batch if r.metric == "cosine"]
        exact = self._index if self._panels is None else self._panels
        approximate = self._approximate
        if approximate is None:
            self._answer_with(exact, batch, exact=True)
            return
        self._answer_with(exact, [r for r in batch if r.exact], exact=True)
        self._answer_with(approximate, [r for r in batch if not r.exact], exact=False)

    def _answer_with(self, index: PanelTable | NeighborIndex | HnswSearch, batch: list[_Request],
                     exact: bool) -> None:
        if not batch:
            return
        try:
            wanted = min(max(r.k + len(r.exclude) for r in batch), len(self.vectors))
            rows, scores = index.search(np.stack([r.query for r in batch]), wanted)
        except Exception as exc:  # hand the failure to every caller instead of dying
            for request in batch:
                request.future.set_exception(exc)
            return
        # Python ints and floats at once: iterating numpy rows would box every element.
        for request, found_rows, found_scores in zip(batch, rows.tolist(), scores.tolist(), strict=True):
            found = [
                (r, s) for r, s in zip(found_rows, found_scores, strict=True)
                if r not in request.exclude and r >= 0  # faiss pads with -1
            ]
            request.future.set_result(Answer(found[: request.k], exact))
