"""Nearest neighbours of one key (GET) or of several (POST, a JSON body)."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request

from ..bodies import NeighborsBody, parse_neighbors_body, read_body
from ._params import Exact, K, Key, MetricName, explorer_of

router = APIRouter(prefix="/api", tags=["queries"])


@router.get("/neighbors", summary="Nearest neighbours of one key")
async def get_neighbors(request: Request, key: Key, k: K = None, exact: Exact = False,
                        metric: MetricName = "cosine") -> dict[str, Any]:
    """Cosine similarity on the full vectors (or `metric=dot`, or `euclidean`: the score is
    then minus the distance); the key itself is left out.

    `GET /api/neighbors?key=king&k=10` -> `{"key": "king", "neighbors": [{"key": "queen",
    "score": 0.78}, ...], "exact": true}`. An unknown key answers 404 with `suggestions`.
    """
    state = explorer_of(request)
    k = state.check_k(k)
    row = state.row_of(key)
    query = state.vectors.unit[row] if metric == "cosine" else state.vectors.matrix[row]
    found, was_exact = await state.neighbours(query, k, frozenset([row]), exact, metric)  # type: ignore[arg-type]
    answer = {"key": key, "neighbors": found, "exact": was_exact}
    if metric != "cosine":
        answer["metric"] = metric
    return answer


@router.post("/neighbors", summary="Nearest neighbours of several keys", openapi_extra={
    "requestBody": {"required": True, "content": {
        "application/json": {"schema": NeighborsBody.model_json_schema()}}}})
async def post_neighbors(request: Request) -> dict[str, Any]:
    """Body: `{"keys": ["king", "paris"], "k": 10}` (at most the configured number of keys
    and bytes). Answers `{"results": [{"key": ..., "neighbors": [...]}, ...]}`."""
    state = explorer_of(request)
    body = parse_neighbors_body(await read_body(request, state.limits.max_body_bytes), state.limits)
    k = state.check_k(body.k)
    rows = [state.row_of(w) for w in body.keys]
    unit = state.vectors.unit
    answers = await asyncio.gather(
        *(state.neighbours(unit[r], k, frozenset([r]), body.exact) for r in rows)
    )
    return {"results": [{"key": w, "neighbors": found, "exact": was_exact}
                        for w, (found, was_exact) in zip(body.keys, answers, strict=True)]}
