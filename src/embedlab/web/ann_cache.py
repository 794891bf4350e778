"""The explorer's HNSW graph, kept on disk so that a restart does not rebuild it.

Building the graph for 400,000 x 50 vectors takes minutes on two cores, and the answers are
slower meanwhile. The graph is saved in a cache folder under a name made from a fingerprint
of the vectors (their shape, keys and every value, hashed: about 0.1 s for 80 MB) and of the
graph's parameters; the next start with the same vectors reads it back in a second. A
missing, damaged or foreign file is rebuilt; a cache that cannot be written is reported (a
warning) and the graph is simply not kept.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from .._io import atomic_write
from ..errors import DataError, EmbedlabError, require
from ..vectors import Vectors

HNSW_M = 16
EF_CONSTRUCTION = 100
# ef_search 128: recall@10 0.980 on GloVe 6B 50d (bench_ann.py), 0.2 ms a query.
EF_SEARCH = 128
_ROWS_PER_HASH = 65_536


class IndexCacheError(EmbedlabError):
    """The cache folder for the explorer's index cannot be used."""


def fingerprint(vectors: Vectors) -> str:
    """A digest of the keys and values of ``vectors`` (equal vectors, equal digest)."""
    digest = hashlib.blake2b(digest_size=16)
    matrix = vectors.matrix
    digest.update(f"{matrix.shape[0]}x{matrix.shape[1]}".encode())
    digest.update(json.dumps(vectors.keys, ensure_ascii=False).encode("utf-8", "surrogatepass"))
    for start in range(0, matrix.shape[0], _ROWS_PER_HASH):
        block = np.ascontiguousarray(matrix[start : start + _ROWS_PER_HASH], dtype="<f4")
        digest.update(block.data)
    return digest.hexdigest()


class HnswSearch:
    """Cosine neighbours from a faiss HNSW graph over the unit rows (``search`` as
    :class:`~embedlab.neighbors.NeighborIndex` has it: rows and scores, best first)."""

    def __init__(self, index: Any, dim: int) -> None:
        self.index = index
        self.dim = dim

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        q = np.atleast_2d(np.asarray(queries, dtype=np.float32))
        if q.shape[1] != self.dim:
            raise DataError(f"queries must have {self.dim} columns; got shape {q.shape}")
        if not np.isfinite(q).all():
            raise DataError("queries contain NaN or infinite values")
        norms = np.linalg.norm(q, axis=1, keepdims=True)
        q = np.ascontiguousarray(q / np.where(norms == 0, 1, norms), dtype=np.float32)
        scores, rows = self.index.search(q, min(k, self.index.ntotal))
        return rows.astype(np.int64), scores.astype(np.float32)


def _build(vectors: Vectors) -> Any:
    faiss = require("faiss", "ann")
    index = faiss.IndexHNSWFlat(vectors.dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = EF_CONSTRUCTION
    for start in range(0, len(vectors), _ROWS_PER_HASH):  # unit rows, a block at a time
        block = np.asarray(vectors.matrix[start : start + _ROWS_PER_HASH], dtype=np.float32)
        norms = np.linalg.norm(block, axis=1, keepdims=True)
        index.add(np.ascontiguousarray(block / np.where(norms == 0, 1, norms)))
    return index


def cache_file(folder: str | Path, vectors: Vectors) -> Path:
    """Where the graph for ``vectors`` is kept inside ``folder``."""
    return Path(folder) / f"hnsw-m{HNSW_M}-efc{EF_CONSTRUCTION}-{fingerprint(vectors)}.faiss"


def _prepare(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise IndexCacheError(f"{folder}: the explorer's index cache must be a folder, but this "
                              "is a file; remove it or pass another index_cache")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise IndexCacheError(f"{folder}: cannot create the explorer's index cache "
                              f"({exc.strerror}); pass another index_cache") from None


def _read(path: Path, vectors: Vectors) -> Any | None:
    faiss = require("faiss", "ann")
    if not path.is_file():
        return None
    try:
        index = faiss.deserialize_index(np.fromfile(path, dtype=np.uint8))
    except (RuntimeError, OSError, ValueError):  # damaged: built again and written over
        return None
    if index.ntotal != len(vectors) or index.d != vectors.dim:
        return None
    return index


def load_or_build(vectors: Vectors, cache: str | Path | None) -> HnswSearch:
    """The HNSW graph for ``vectors``: read from ``cache`` when it holds one for these very
    vectors, else built (and saved there when ``cache`` is given)."""
    index = None
    path: Path | None = None
    if cache is not None:
        try:
            _prepare(Path(cache))
            path = cache_file(cache, vectors)
        except IndexCacheError as exc:
            warnings.warn(f"{exc}; the graph is built but not kept", stacklevel=2)
        if path is not None:
            index = _read(path, vectors)
    if index is None:
        index = _build(vectors)
        if path is not None:
            _write(path, index)
    index.hnsw.efSearch = EF_SEARCH
    return HnswSearch(index, vectors.dim)


def _write(path: Path, index: Any) -> None:
    faiss = require("faiss", "ann")
    try:
        with atomic_write(path) as handle:
            handle.write(faiss.serialize_index(index).tobytes())
    except OSError as exc:
        warnings.warn(f"{path}: cannot keep the explorer's HNSW graph ({exc.strerror}); it is "
                      "built again on the next start", stacklevel=3)
