"""What every route of the explorer reads: the vectors, their limits and the workers, kept on
``app.state.explorer`` so that the routers are plain modules rather than closures."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from fastapi import Request

from ..neighbors import Metric
from ..vectors import Vectors
from ._errors import ApiError
from .layouts import LayoutJobs
from .projections import PcaBasis
from .search import BatchedSearch
from .sprites import SpriteAtlas

MAX_KEY_CHARS = 200


@dataclass(frozen=True)
class Limits:
    """What one request may ask for; anything beyond is answered 400."""

    max_k: int = 100
    max_batch_keys: int = 100
    max_body_bytes: int = 64 * 1024

    @property
    def default_k(self) -> int:
        return min(10, self.max_k)


@dataclass
class ExplorerState:
    """The shared, read-mostly state of one explorer application."""

    vectors: Vectors
    columns: dict[str, list[Any]]
    search: BatchedSearch
    jobs: LayoutJobs
    limits: Limits
    sprites: SpriteAtlas | None = None
    keys: list[str] = field(init=False)
    keys_json: bytes = field(init=False)
    # (lower-cased key, row) sorted, for prefix completion by bisection
    by_spelling: list[tuple[str, int]] = field(init=False)
    spellings: list[str] = field(init=False)
    pca: PcaBasis | None = field(init=False, default=None)  # fitted on first use

    def __post_init__(self) -> None:
        self.keys = self.vectors.keys
        self.keys_json = json.dumps(self.keys, ensure_ascii=False).encode()
        self.by_spelling = sorted((k.lower(), i) for i, k in enumerate(self.keys))
        self.spellings = [s for s, _ in self.by_spelling]

    def row_of(self, key: str) -> int:
        """The row of ``key``, or a 404 that suggests close spellings."""
        row = self.vectors.key_to_index.get(key)
        if row is None:
            raise ApiError(404, f"{key!r} is not in the vocabulary", key=key,
                           suggestions=self.vectors.suggest(key[:MAX_KEY_CHARS], n=5))
        return row

    def check_k(self, k: int | None) -> int:
        """``k`` as asked (or the default), within the configured maximum."""
        if k is None:
            return self.limits.default_k
        if k > self.limits.max_k:  # the words FastAPI's own bound used, kept for clients
            raise ApiError(400, f"query.k: Input should be less than or equal to {self.limits.max_k}")
        return k

    async def neighbours(self, query: np.ndarray, k: int, exclude: frozenset[int],
                         exact: bool, metric: Metric = "cosine") -> tuple[list[dict[str, Any]], bool]:
        """The ``k`` best keys for ``query`` (batched with concurrent requests) and whether exact."""
        answer = await asyncio.wrap_future(self.search.submit(query, k, exclude, exact, metric))
        keys = self.keys
        return [{"key": keys[r], "score": round(s, 6)} for r, s in answer.found], answer.exact


def explorer_of(request: Request) -> ExplorerState:
    """This application's :class:`ExplorerState` (``app.state.explorer``).

    Called by each route rather than declared as a FastAPI dependency: resolving a dependency
    costs about 30 us a request, a tenth of a neighbour query on a small table.
    """
    state: ExplorerState = request.app.state.explorer
    return state
