"""Counting co-occurrences in bounded memory: sorted chunks, spilled to disk, merged by key range.

Entries are keyed ``word * V + context``. Each slice of the corpus gives raw (key, weight)
entries that are sorted and summed; the reduced chunks stay in memory until they hold more than
``max_entries``, then they are merged into one sorted run written to a temporary file. At the
end every run is merged one key range at a time, so memory stays around ``max_entries``.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

import numpy as np


def reduce_sorted(keys: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sort by key (stably, so sums are deterministic) and add up the weights of equal keys."""
    if len(keys) == 0:
        return keys.astype(np.int64), weights.astype(np.float64)
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    weights = weights[order]
    starts = np.concatenate([[0], np.flatnonzero(keys[1:] != keys[:-1]) + 1])
    return keys[starts], np.add.reduceat(weights, starts)


class PairCounter:
    """Accumulates (key, weight) entries; :meth:`finish` gives sorted unique keys and sums."""

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max(int(max_entries), 1)
        self._chunks: list[tuple[np.ndarray, np.ndarray]] = []
        self._held = 0
        self._runs: list[tuple[np.ndarray, np.ndarray]] = []
        self._tmpdir: Any = None

    def add(self, keys: np.ndarray, weights: np.ndarray) -> None:
        keys, weights = reduce_sorted(keys, weights)
        self._chunks.append((keys, weights))
        self._held += len(keys)
        if self._held > self.max_entries:
            self._merge_held()
            if self._held > self.max_entries:
                self._spill()

    def _merge_held(self) -> None:
        if len(self._chunks) > 1:
            keys = np.concatenate([k for k, _ in self._chunks])
            weights = np.concatenate([w for _, w in self._chunks])
            self._chunks = [reduce_sorted(keys, weights)]
            self._held = len(self._chunks[0][0])

    def _spill(self) -> None:
        if self._tmpdir is None:
            self._tmpdir = tempfile.TemporaryDirectory(prefix="embedlab-cooccur-")
        keys, weights = self._chunks[0]
        base = os.path.join(self._tmpdir.name, f"run{len(self._runs)}")
        np.save(base + ".keys.npy", keys)
        np.save(base + ".weights.npy", weights)
        self._runs.append((np.load(base + ".keys.npy", mmap_mode="r"),
                           np.load(base + ".weights.npy", mmap_mode="r")))
        self._chunks, self._held = [], 0

    @property
    def spilled(self) -> int:
        """How many sorted runs went to disk."""
        return len(self._runs)

    def finish(self) -> tuple[np.ndarray, np.ndarray]:
        """All unique keys (sorted) with their summed weights."""
        self._merge_held()
        if not self._runs:
            if not self._chunks:
                return np.zeros(0, np.int64), np.zeros(0, np.float64)
            return self._chunks[0]
        if self._chunks:
            self._spill()
        # Key ranges holding about max_entries entries each, cut at quantiles of the largest run.
        biggest = max(self._runs, key=lambda r: len(r[0]))[0]
        total = sum(len(k) for k, _ in self._runs)
        parts = max(1, -(-total // self.max_entries))
        cuts = np.unique(biggest[np.linspace(0, len(biggest) - 1, parts + 1).astype(np.int64)[1:-1]])
        edges = [None, *cuts.tolist(), None]
        out_keys: list[np.ndarray] = []
        out_weights: list[np.ndarray] = []
        for lo, hi in zip(edges[:-1], edges[1:], strict=True):
            pieces_k, pieces_w = [], []
            for keys, weights in self._runs:
                a = 0 if lo is None else int(np.searchsorted(keys, lo, side="left"))
                b = len(keys) if hi is None else int(np.searchsorted(keys, hi, side="left"))
                pieces_k.append(np.asarray(keys[a:b]))
                pieces_w.append(np.asarray(weights[a:b]))
            k, w = reduce_sorted(np.concatenate(pieces_k), np.concatenate(pieces_w))
            out_keys.append(k)
            out_weights.append(w)
        return np.concatenate(out_keys), np.concatenate(out_weights)

    def close(self) -> None:
        self._runs = []
        if self._tmpdir is not None:
            self._tmpdir.cleanup()
            self._tmpdir = None


def expand_symmetric(keys: np.ndarray, weights: np.ndarray, vocab: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows, columns and values of the full matrix from its upper half (``lo <= hi`` keys).

    An off-diagonal pair appears once in each direction; a diagonal pair (a word near itself)
    was seen from both ends of the window, so it counts twice.
    """
    lo = (keys // vocab).astype(np.int32)
    hi = (keys % vocab).astype(np.int32)
    off = lo != hi
    rows = np.concatenate([lo, hi[off]])
    cols = np.concatenate([hi, lo[off]])
    values = np.concatenate([np.where(off, weights, 2.0 * weights), weights[off]])
    return rows, cols, values
