"""What the table holds: its size and limits, every key, the metadata columns."""

from __future__ import annotations

from typing import Any

import numpy as np
from fastapi import APIRouter, Request
from fastapi.responses import Response

from .._errors import ApiError
from ..layouts import METHODS
from ..state import MAX_KEY_CHARS
from ._params import explorer_of

router = APIRouter(prefix="/api", tags=["vectors"])


@router.get("/info", summary="Size, dimension, metadata columns, limits")
async def info(request: Request) -> dict[str, Any]:
    state = explorer_of(request)
    vectors, limits = state.vectors, state.limits
    return {
        "count": len(vectors), "dim": vectors.dim, "columns": sorted(state.columns),
        "methods": list(METHODS), "max_k": limits.max_k, "max_batch_keys": limits.max_batch_keys,
        "approximate_index": state.search.approximate_status,
        "layout_points": dict(state.jobs.max_points),
        "sprites": state.sprites.describe() if state.sprites is not None else None,
    }


@router.get("/keys", summary="Every key, in row order (a JSON list)")
async def all_keys(request: Request) -> Response:
    state = explorer_of(request)
    return Response(state.keys_json, media_type="application/json")


@router.get("/metadata/{column}", summary="One metadata column, in row order")
async def metadata_column(column: str, request: Request) -> dict[str, Any]:
    state = explorer_of(request)
    if column not in state.columns:
        raise ApiError(404, f"no metadata column {column[:MAX_KEY_CHARS]!r}",
                       columns=sorted(state.columns))
    return {"column": column, "values": _column_values(state.columns[column])}


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
