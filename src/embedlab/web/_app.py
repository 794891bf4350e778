"""The explorer's FastAPI application: a JSON API (documented at /docs) and one static page."""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import json
from collections.abc import AsyncIterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import EmbedlabError, UnknownKeyError
from ..neighbors import Method
from ..vectors import Vectors
from .layouts import METHODS, LayoutJobs
from .metadata import merge_metadata
from .search import BatchedSearch

STATIC = Path(__file__).parent / "static"
MAX_KEY_CHARS = 200


class ApiError(Exception):
    """An error answered as JSON: ``{"detail": ..., **extra}`` with ``status``."""

    def __init__(self, status: int, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status, self.detail, self.extra = status, detail, extra


def _unknown(vectors: Vectors, key: str) -> ApiError:
    return ApiError(404, f"{key!r} is not in the vocabulary", key=key,
                    suggestions=vectors.suggest(key[:MAX_KEY_CHARS], n=5))


def _column_values(values: list[Any]) -> list[Any]:
    # JSON has no NaN; numbers stay numbers (the page colours them on a scale).
    out: list[Any] = []
    for v in values:
        if isinstance(v, float | np.floating):
            out.append(float(v) if np.isfinite(v) else None)
        elif isinstance(v, int | np.integer | bool):
            out.append(int(v))
        else:
            out.append(None if v is None else str(v))
    return out


def create_app(
    vectors: Vectors,
    metadata: Mapping[str, Sequence[Any]] | None = None,
    *,
    max_k: int = 100,
    max_batch_keys: int = 100,
    max_body_bytes: int = 64 * 1024,
    max_search_batch: int = 64,
    index: Method = "exact",
    seed: int = 0,
) -> FastAPI:
    """The explorer for ``vectors``; ``metadata`` adds columns to colour by (one value per key).

    Limits: ``k`` at most ``max_k``, at most ``max_batch_keys`` keys per batch request and
    ``max_body_bytes`` per request body; anything beyond is answered 400. Concurrent
    neighbour queries are answered together, up to ``max_search_batch`` per pass.
    ``index="faiss"`` (or ``"auto"``: above 200,000 keys) answers neighbour queries from an
    HNSW graph built in the background, for large tables under many clients; answers say
    whether they are exact, and ``exact=true`` asks for an exact one.
    """
    columns = merge_metadata(vectors, metadata)
    keys = vectors.keys
    search = BatchedSearch(vectors, max_batch=max_search_batch, index=index)
    jobs = LayoutJobs(vectors, seed=seed)
    jobs.start("pca", 2)  # the first picture is ready when the page asks
    by_spelling = sorted((k.lower(), i) for i, k in enumerate(keys))
    spellings = [s for s, _ in by_spelling]
    keys_json = json.dumps(keys, ensure_ascii=False).encode()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        search.close()
        jobs.close()

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
    app.state.vectors, app.state.search, app.state.jobs = vectors, search, jobs

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse({"detail": exc.detail, **exc.extra}, status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}" for e in exc.errors()
        ]
        return JSONResponse({"detail": "; ".join(problems)[:1000]}, status_code=400)

    @app.exception_handler(EmbedlabError)
    async def library_error(request: Request, exc: EmbedlabError) -> JSONResponse:
        status = 404 if isinstance(exc, UnknownKeyError) else 400
        return JSONResponse({"detail": str(exc)[:1000]}, status_code=status)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"detail": str(exc.detail)}, status_code=exc.status_code)

    def row_of(key: str) -> int:
        row = vectors.key_to_index.get(key)
        if row is None:
            raise _unknown(vectors, key)
        return row

    async def neighbours(query: np.ndarray, k: int, exclude: frozenset[int],
                         exact: bool) -> tuple[list[dict[str, Any]], bool]:
        answer = await asyncio.wrap_future(search.submit(query, k, exclude, exact))
        return [{"key": keys[r], "score": round(s, 6)} for r, s in answer.found], answer.exact

    key_param = Query(..., min_length=1, max_length=MAX_KEY_CHARS, description="A key (word).")
    k_param = Query(min(10, max_k), ge=1, le=max_k, description=f"How many neighbours (1 to {max_k}).")
    exact_param = Query(False, description="Exact even when the server answers from an "
                        "approximate index (slower on large tables).")

    @app.get("/api/info", tags=["vectors"], summary="Size, dimension, metadata columns, limits")
    async def info() -> dict[str, Any]:
        return {
            "count": len(vectors), "dim": vectors.dim, "columns": sorted(columns),
            "methods": list(METHODS), "max_k": max_k, "max_batch_keys": max_batch_keys,
            "approximate_index": search.approximate_status,
        }

    @app.get("/api/keys", tags=["vectors"], summary="Every key, in row order (a JSON list)")
    async def all_keys() -> Response:
        return Response(keys_json, media_type="application/json")

    @app.get("/api/neighbors", tags=["queries"], summary="Nearest neighbours of one key")
    async def get_neighbors(key: str = key_param, k: int = k_param,
                            exact: bool = exact_param) -> dict[str, Any]:
        """Cosine similarity on the full vectors; the key itself is left out.

        `GET /api/neighbors?key=king&k=10` -> `{"key": "king", "neighbors": [{"key": "queen",
        "score": 0.78}, ...], "exact": true}`. An unknown key answers 404 with `suggestions`.
        """
        row = row_of(key)
        found, was_exact = await neighbours(vectors.unit[row], k, frozenset([row]), exact)
        return {"key": key, "neighbors": found, "exact": was_exact}

    @app.post("/api/neighbors", tags=["queries"], summary="Nearest neighbours of several keys")
    async def post_neighbors(request: Request) -> dict[str, Any]:
        """Body: `{"keys": ["king", "paris"], "k": 10}` (at most the configured number of keys
        and bytes). Answers `{"results": [{"key": ..., "neighbors": [...]}, ...]}`."""
        body = await _read_body(request, max_body_bytes)
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise ApiError(400, "the body is not valid JSON") from None
        if not isinstance(payload, dict) or not isinstance(payload.get("keys"), list):
            raise ApiError(400, 'expected a JSON object {"keys": [...], "k": 10}')
        wanted, k = payload["keys"], payload.get("k", min(10, max_k))
        if not all(isinstance(w, str) and 0 < len(w) <= MAX_KEY_CHARS for w in wanted):
            raise ApiError(400, f"keys must be non-empty strings of at most {MAX_KEY_CHARS} characters")
        if not 1 <= len(wanted) <= max_batch_keys:
            raise ApiError(400, f"give 1 to {max_batch_keys} keys; got {len(wanted)}")
        if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= max_k:
            raise ApiError(400, f"k must be an int from 1 to {max_k}; got {k!r}")
        exact = payload.get("exact", False)
        if not isinstance(exact, bool):
            raise ApiError(400, f"exact must be true or false; got {exact!r}")
        rows = [row_of(w) for w in wanted]
        answers = await asyncio.gather(
            *(neighbours(vectors.unit[r], k, frozenset([r]), exact) for r in rows)
        )
        return {"results": [{"key": w, "neighbors": found, "exact": was_exact}
                            for w, (found, was_exact) in zip(wanted, answers, strict=True)]}

    @app.get("/api/analogy", tags=["queries"], summary="a - b + c (king - man + woman)")
    async def analogy(
        a: str = Query(..., min_length=1, max_length=MAX_KEY_CHARS, description="Start (king)."),
        b: str = Query(..., min_length=1, max_length=MAX_KEY_CHARS, description="Take away (man)."),
        c: str = Query(..., min_length=1, max_length=MAX_KEY_CHARS, description="Add (woman)."),
        k: int = k_param,
        exact: bool = exact_param,
    ) -> dict[str, Any]:
        """The keys closest to unit(a) - unit(b) + unit(c), the three words left out
        (gensim's `most_similar(positive=[a, c], negative=[b])`)."""
        rows = [row_of(w) for w in (a, b, c)]
        unit = vectors.unit
        query = unit[rows[0]] - unit[rows[1]] + unit[rows[2]]
        found, was_exact = await neighbours(query, k, frozenset(rows), exact)
        return {"a": a, "b": b, "c": c, "results": found, "exact": was_exact}

    @app.get("/api/complete", tags=["queries"], summary="Keys that start with a prefix")
    async def complete(
        prefix: str = Query(..., min_length=1, max_length=MAX_KEY_CHARS),
        limit: int = Query(10, ge=1, le=50),
    ) -> dict[str, Any]:
        """Case-insensitive; the most frequent first (files list frequent keys first)."""
        low = prefix.lower()
        start = bisect.bisect_left(spellings, low)
        rows: list[int] = []
        for i in range(start, min(start + 5000, len(spellings))):  # bounded scan
            if not spellings[i].startswith(low):
                break
            rows.append(by_spelling[i][1])
        return {"prefix": prefix, "keys": [keys[r] for r in sorted(rows)[:limit]]}

    @app.get("/api/metadata/{column}", tags=["vectors"], summary="One metadata column, in row order")
    async def metadata_column(column: str) -> dict[str, Any]:
        if column not in columns:
            raise ApiError(404, f"no metadata column {column[:MAX_KEY_CHARS]!r}",
                           columns=sorted(columns))
        return {"column": column, "values": _column_values(columns[column])}

    def check_layout(method: str, dim: int) -> None:
        if method not in METHODS:
            raise ApiError(400, f"method must be one of {', '.join(METHODS)}; got {method[:50]!r}")

    dim_param = Query(2, ge=2, le=3, description="2 or 3 dimensions.")

    @app.get("/api/layouts", tags=["layouts"], summary="Every layout started, with its progress")
    async def layouts() -> dict[str, Any]:
        return {"layouts": [layout.describe() for layout in jobs.all()]}

    @app.post("/api/layouts/{method}", tags=["layouts"], status_code=202,
              summary="Start computing a layout (pca, tsne or umap)")
    async def start_layout(method: str, dim: int = dim_param) -> dict[str, Any]:
        """PCA is ready at once; t-SNE and UMAP run in the background: poll the GET twin."""
        check_layout(method, dim)
        return jobs.start(method, dim).describe()

    @app.get("/api/layouts/{method}", tags=["layouts"], summary="Where a layout stands")
    async def layout_status(method: str, dim: int = dim_param) -> dict[str, Any]:
        check_layout(method, dim)
        layout = jobs.get(method, dim)
        return layout.describe() if layout else {"method": method, "dim": dim, "status": "idle",
                                                 "progress": 0.0, "error": None, "seconds": None}

    @app.get("/api/layouts/{method}/coords", tags=["layouts"],
             summary="The coordinates of a finished layout (float32 or CSV)")
    async def layout_coords(
        method: str, dim: int = dim_param,
        format: str = Query("f32", pattern="^(f32|csv)$",
                            description="f32: little-endian float32, row by row; csv: key,x,y[,z]"),
    ) -> Response:
        check_layout(method, dim)
        layout = jobs.get(method, dim)
        if layout is None or layout.coords is None:
            raise ApiError(409, f"the {method} {dim}-D layout is not ready; POST to start it",
                           layout_status=layout.status if layout else "idle")
        if format == "f32":
            return Response(layout.coords.tobytes(), media_type="application/octet-stream")
        return Response(_csv(keys, layout.coords), media_type="text/csv", headers={
            "Content-Disposition": f'attachment; filename="{method}_{dim}d.csv"'})

    @app.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    # StaticFiles refuses paths that leave its folder (../, absolute paths, symlinks out).
    app.mount("/static", StaticFiles(directory=STATIC, follow_symlink=False), name="static")

    return app


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ApiError(400, f"the body is larger than {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(400, f"the body is larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _csv(keys: list[str], coords: np.ndarray) -> bytes:
    axes = ["x", "y", "z"][: coords.shape[1]]
    lines = ["key," + ",".join(axes)]
    for key, row in zip(keys, coords.tolist(), strict=True):
        quoted = '"' + key.replace('"', '""') + '"' if any(c in key for c in ',"\n\r') else key
        lines.append(quoted + "," + ",".join(f"{v:.6g}" for v in row))
    return ("\n".join(lines) + "\n").encode()
