"""Search by text or regular expression (keys and metadata), PCA components with their
variance, and the Custom projection onto two word directions."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from .._errors import ApiError
from ..projections import MAX_COMPONENTS, PcaBasis, compile_search, custom_projection
from ..state import ExplorerState
from ._params import explorer_of

router = APIRouter(prefix="/api", tags=["projections"])

Expression = Annotated[str, Query(min_length=1, max_length=2000, description="A word, or words "
                                  "joined by ' + ' and ' - ' (spaces around the operators).")]


@router.get("/search", summary="Rows whose key (or a metadata column) matches a text or pattern")
async def search(
    request: Request,
    q: Annotated[str, Query(min_length=1, max_length=200, description="Text, or a regular expression.")],
    regex: Annotated[bool, Query(description="Read q as a regular expression.")] = False,
    case: Annotated[bool, Query(description="Case-sensitive (default: not).")] = False,
    column: Annotated[str, Query(max_length=200, description="`key`, a metadata column, or "
                                 "`all` (the key and every column).")] = "all",
    limit: Annotated[int, Query(ge=1, le=100_000, description="Rows listed at most.")] = 10_000,
) -> dict[str, Any]:
    """`{"count": matches, "rows": [row, ...]}` (row order, at most `limit`): substring matches,
    case-insensitive by default, or `re.search` matches with `regex=true`."""
    state = explorer_of(request)
    pattern = compile_search(q, regex, case)
    if column not in ("key", "all") and column not in state.columns:
        raise ApiError(404, f"no metadata column {column[:200]!r}", columns=["key", "all", *sorted(state.columns)])
    texts: list[list[Any]] = [state.keys] if column in ("key", "all") else []
    texts += [values for name, values in state.columns.items() if column in ("all", name)]

    def matching() -> list[int]:
        found = pattern.search
        return [i for i in range(len(state.keys))
                if any(v is not None and found(str(v)) for v in (t[i] for t in texts))]

    rows = await asyncio.to_thread(matching)  # a slow pattern must not stall the event loop
    return {"count": len(rows), "rows": rows[:limit]}


async def _basis(state: ExplorerState) -> PcaBasis:
    if state.pca is None:
        state.pca = await asyncio.to_thread(PcaBasis.fit, state.vectors, MAX_COMPONENTS)
    return state.pca


@router.get("/pca", summary="The share of the variance each principal component explains")
async def pca_variance(request: Request) -> dict[str, Any]:
    """`{"explained": [0.12, 0.08, ...]}`: up to the first ten components, largest first."""
    basis = await _basis(explorer_of(request))
    return {"explained": [round(float(v), 6) for v in basis.explained]}


@router.get("/pca/coords", summary="Coordinates on the chosen principal components (float32)")
async def pca_coords(
    request: Request,
    components: Annotated[str, Query(pattern=r"^\d{1,2}(,\d{1,2}){1,2}$", description="Two or "
                                     "three components, counted from 1: `1,2` or `1,3,4`.")] = "1,2",
) -> Response:
    state = explorer_of(request)
    basis = await _basis(state)
    chosen = [int(c) - 1 for c in components.split(",")]
    coords = await asyncio.to_thread(basis.project, state.vectors, chosen)
    return Response(coords.tobytes(), media_type="application/octet-stream")


@router.get("/custom", summary="Custom projection: x and y along two word directions (float32)")
async def custom(request: Request, x_from: Expression, x_to: Expression, y_from: Expression,
                 y_to: Expression) -> Response:
    """Each row's cosine with the direction from `x_from` to `x_to` (e.g. man -> woman) and
    with `y_from` -> `y_to` (old -> young): n x 2 little-endian float32, row by row. Either
    end may be vector arithmetic (`king - man + woman`). Unknown words: 404 with suggestions;
    a direction of length zero: 400."""
    state = explorer_of(request)
    coords = await asyncio.to_thread(custom_projection, state.vectors, (x_from, x_to), (y_from, y_to))
    return Response(coords.tobytes(), media_type="application/octet-stream")


@router.get("/sprites", summary="The images shown as points, packed in one atlas (raw bytes)")
async def sprites(request: Request) -> Response:
    """Row-major uint8 pixels, `atlas_height x atlas_width x channels` as `/api/info`'s
    `sprites` says; image `i` at column `i % per_row`, row `i // per_row`. 404 without images."""
    state = explorer_of(request)
    if state.sprites is None:
        raise ApiError(404, "this explorer has no images; start it with create_app(sprites=...)")
    return Response(state.sprites.pixels.tobytes(), media_type="application/octet-stream")
