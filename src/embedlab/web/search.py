"""Neighbour queries for the explorer, batched: concurrent requests share one pass over the table.

One query against 400,000 x 50 vectors reads the whole 80 MB table and is bound by memory
bandwidth; fifty queries in one matrix product read it once. A worker thread takes whatever
queries are waiting (up to ``max_batch``), answers them together and resolves each caller's
future, so latency under load stays near the cost of one batch.
"""

from __future__ import annotations

import queue
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field

import numpy as np

from ..neighbors import NeighborIndex
from ..vectors import Vectors


@dataclass
class _Request:
    query: np.ndarray
    k: int
    exclude: frozenset[int]
    future: Future[list[tuple[int, float]]] = field(default_factory=Future)


class BatchedSearch:
    """Exact cosine neighbours on the full vectors, answered in batches by one worker thread."""

    def __init__(self, vectors: Vectors, max_batch: int = 64) -> None:
        self.vectors = vectors
        self.max_batch = max_batch
        self._index = NeighborIndex(vectors, method="exact", metric="cosine")
        self._queue: queue.Queue[_Request | None] = queue.Queue()
        self._worker = threading.Thread(target=self._run, name="embedlab-search", daemon=True)
        self._worker.start()

    def submit(
        self, query: np.ndarray, k: int, exclude: frozenset[int] = frozenset()
    ) -> Future[list[tuple[int, float]]]:
        """Queue one query vector; the future gives ``k`` (row, score) pairs, best first."""
        request = _Request(np.asarray(query, dtype=np.float32), k, exclude)
        self._queue.put(request)
        return request.future

    def close(self) -> None:
        """Stop the worker (after the queries already queued)."""
        self._queue.put(None)

    def _run(self) -> None:
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
                    self._queue.put(None)  # stop after this batch
                    break
                batch.append(more)
            self._answer(batch)

    def _answer(self, batch: list[_Request]) -> None:
        try:
            wanted = max(r.k + len(r.exclude) for r in batch)
            rows, scores = self._index.search(np.stack([r.query for r in batch]), wanted)
        except Exception as exc:  # hand the failure to every caller instead of dying
            for request in batch:
                request.future.set_exception(exc)
            return
        for i, request in enumerate(batch):
            found = [
                (int(r), float(s)) for r, s in zip(rows[i], scores[i], strict=True)
                if int(r) not in request.exclude
            ]
            request.future.set_result(found[: request.k])
