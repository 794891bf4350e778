"""The explorer in the browser: ``create_app(vectors)`` and ``serve(vectors)``. Extra: ``[web]``.

A FastAPI app with a JSON API (documented at ``/docs``) and one static page that draws every
point with WebGL, written for embedlab (no third-party JavaScript, nothing from a CDN).
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import require
from ..neighbors import Method
from ..vectors import Vectors

if TYPE_CHECKING:  # fastapi stays unimported until an app is made
    from fastapi import FastAPI


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
    """The FastAPI application exploring ``vectors`` (see :func:`embedlab.web._app.create_app`
    for what each limit means).

    Args:
        vectors: The vectors to explore.
        metadata: Extra columns per key (name -> one value per vector), or None.
        max_k: Most neighbours one request may ask for.
        max_batch_keys: Most keys one batch request may name.
        max_body_bytes: Largest request body accepted.
        max_search_batch: Most concurrent neighbour queries answered in one pass.
        index: ``"exact"``, ``"faiss"`` (an HNSW graph) or ``"auto"`` (faiss above 200,000 keys).
        index_cache: A folder where the HNSW graph is saved and reused, or None.
        seed: Seed of the sampled t-SNE and UMAP rows.
        max_tsne_points: Most points a t-SNE projection is computed for.
        max_umap_points: Most points a UMAP projection is computed for.
        sprites: One image per vector (``n x h x w`` or ``n x h x w x 3``), or None.

    Returns:
        The FastAPI application.

    Raises:
        MissingExtraError: FastAPI (the ``[web]`` extra) is not installed.
    """
    require("fastapi", "web")
    from ._app import create_app as _create

    return _create(
        vectors, metadata, max_k=max_k, max_batch_keys=max_batch_keys,
        max_body_bytes=max_body_bytes, max_search_batch=max_search_batch, index=index,
        index_cache=index_cache, seed=seed, max_tsne_points=max_tsne_points,
        max_umap_points=max_umap_points, sprites=sprites,
    )


def serve(
    vectors: Vectors,
    metadata: Mapping[str, Sequence[Any]] | None = None,
    host: str = "127.0.0.1",
    port: int = 8000,
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
) -> None:
    """Run the explorer until Ctrl-C; binds to loopback unless ``host`` says otherwise.

    Args:
        vectors: The vectors to explore.
        metadata: Extra columns per key (name -> one value per vector), or None.
        host: The address to bind to.
        port: The TCP port to listen on.
        max_k: Most neighbours one request may ask for.
        max_batch_keys: Most keys one batch request may name.
        max_body_bytes: Largest request body accepted.
        max_search_batch: Most concurrent neighbour queries answered in one pass.
        index: ``"exact"``, ``"faiss"`` (an HNSW graph) or ``"auto"`` (faiss above 200,000 keys).
        index_cache: A folder where the HNSW graph is saved and reused, or None.
        seed: Seed of the sampled t-SNE and UMAP rows.
        max_tsne_points: Most points a t-SNE projection is computed for.
        max_umap_points: Most points a UMAP projection is computed for.
        sprites: One image per vector (``n x h x w`` or ``n x h x w x 3``), or None.

    Raises:
        MissingExtraError: FastAPI or uvicorn (the ``[web]`` extra) is not installed.
    """
    uvicorn = require("uvicorn", "web")
    import torch

    # The search workers (one per core) run their matrix products side by side, each on one
    # thread; torch's own threads on top of them would oversubscribe the cores.
    torch.set_num_threads(1)
    # The workers take the GIL back between the blocks of a scan; with Python's default 5 ms
    # switch interval each handover can wait that long behind the event loop.
    sys.setswitchinterval(0.0005)
    app = create_app(
        vectors, metadata, max_k=max_k, max_batch_keys=max_batch_keys,
        max_body_bytes=max_body_bytes, max_search_batch=max_search_batch, index=index,
        index_cache=index_cache, seed=seed, max_tsne_points=max_tsne_points,
        max_umap_points=max_umap_points, sprites=sprites,
    )
    # The keys, their index and the completion list are millions of long-lived objects: a full
    # garbage collection walks them all (60-70 ms for 400,000 keys), a pause every client would
    # see. Freezing moves what exists now out of the collector's sight.
    gc.collect()
    gc.freeze()
    # A keep-alive longer than uvicorn's 5 s: under load, clients reusing a connection the
    # server has just closed see "server disconnected" errors.
    uvicorn.run(app, host=host, port=port,
                log_level="warning", timeout_keep_alive=30)


__all__ = ["create_app", "serve"]
