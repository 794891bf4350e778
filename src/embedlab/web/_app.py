"""The explorer's FastAPI application: a JSON API (documented at /docs) and one static page.

The routes live in :mod:`embedlab.web.routes`, one router per subject; this module builds the
shared state they read from ``app.state.explorer`` and assembles them.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from ..neighbors import Method
from ..vectors import Vectors
from ._errors import install_error_handlers
from .layouts import LayoutJobs
from .metadata import merge_metadata
from .routes import ROUTERS
from .routes.neighbors import NeighborsFastPath
from .routes.page import STATIC
from .search import BatchedSearch
from .sprites import SpriteAtlas
from .state import ExplorerState, Limits


def create_app(
    vectors: Vectors,
    metadata: Mapping[str, Sequence[Any]] | None = None,
    *,
    max_k: int = 100,
    max_batch_keys: int = 100,
    max_body_bytes: int = 64 * 1024,
    max_search_batch: int = 64,
    index: Method = "exact",
    index_cache: str | Path | None = None,
    seed: int = 0,
    max_tsne_points: int = 10_000,
    max_umap_points: int = 5_000,
    sprites: Any = None,
) -> FastAPI:
    """The explorer for ``vectors``; ``metadata`` adds columns to colour by (one value per key).

    Limits: ``k`` at most ``max_k``, at most ``max_batch_keys`` keys per batch request and
    ``max_body_bytes`` per request body; anything beyond is answered 400. Concurrent
    neighbour queries are answered together, up to ``max_search_batch`` per pass.
    ``index="faiss"`` (or ``"auto"``: above 200,000 keys) answers neighbour queries from an
    HNSW graph built in the background, for large tables under many clients; answers say
    whether they are exact, and ``exact=true`` asks for an exact one. With ``index_cache`` (a
    folder) the graph is saved there and reused by the next start while the vectors are
    unchanged. t-SNE and UMAP run one at a time on a seeded sample of at most
    ``max_tsne_points`` / ``max_umap_points`` rows unless a request asks for every row.
    ``sprites`` (one image per vector, ``n x h x w`` greyscale or ``n x h x w x 3``, at most
    20,000 of 64 x 64) lets the page draw each point as its image.
    """
    def explorer_for(vectors: Vectors, metadata: Mapping[str, Sequence[Any]] | None,
                     sprites: Any = None) -> ExplorerState:
        # Also called when the page loads other vectors: same limits, fresh workers.
        columns = merge_metadata(vectors, metadata)
        search = BatchedSearch(vectors, max_batch=max_search_batch, index=index, cache=index_cache)
        jobs = LayoutJobs(vectors, seed=seed, max_points={"tsne": max_tsne_points, "umap": max_umap_points})
        jobs.start("pca", 2)  # the first picture is ready when the page asks
        atlas = SpriteAtlas.pack(sprites, len(vectors)) if sprites is not None else None
        return ExplorerState(vectors, columns, search, jobs,
                             Limits(max_k=max_k, max_batch_keys=max_batch_keys, max_body_bytes=max_body_bytes),
                             sprites=atlas)

    state = explorer_for(vectors, metadata, sprites)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        current: ExplorerState = app.state.explorer
        current.search.close()
        current.jobs.close()

    app = FastAPI(
        lifespan=lifespan,
        title="embedlab explorer",
        version="1",
        description=(
            f"Explore {len(vectors):,} vectors of {vectors.dim} dimensions: nearest neighbours "
            "(cosine on the full vectors), analogies, completion, metadata and 2-D/3-D layouts "
            "(PCA at once; t-SNE and UMAP computed in the background)."
        ),
    )
    app.state.explorer = state
    app.state.explorer_for = explorer_for  # the upload route builds the next state with it
    install_error_handlers(app)
    # Plain GET /api/neighbors, the request the explorer is loaded with, skips FastAPI's
    # validation and serialisation (routes/neighbors.py); anything else reaches the routes.
    app.add_middleware(NeighborsFastPath)
    for router in ROUTERS:
        # The routes themselves, not the routers: an included router is matched as a level of
        # its own on every request (FastAPI 0.165), about 40 us a request for nothing here.
        app.router.routes.extend(router.routes)
    # StaticFiles refuses paths that leave its folder (../, absolute paths, symlinks out).
    app.mount("/static", StaticFiles(directory=STATIC, follow_symlink=False), name="static")
    return app
