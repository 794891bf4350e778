"""Nearest neighbours of one key (GET) or of several (POST, a JSON body)."""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request

from ..bodies import NeighborsBody, parse_neighbors_body, read_body
from ..state import MAX_KEY_CHARS, ExplorerState
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


# ------------------------------------------------------------------ the fast path of GET
# The load the explorer is measured under is GET /api/neighbors from many clients at once.
# Through FastAPI each costs about 0.23 ms of the event loop's thread (parameter validation,
# dependency resolution, response serialisation, exception middleware), a quarter of the
# request. This middleware answers the ordinary request itself and hands anything else
# (a missing or long key, an unknown key, k out of range, an unusual spelling of a value,
# repeated parameters, HEAD, any failure) to the route above, unchanged: errors are answered
# exactly as before, by the same code.

_TRUE = frozenset(("true", "1", "yes", "on", "t", "y"))  # what pydantic reads as a bool
_FALSE = frozenset(("false", "0", "no", "off", "f", "n"))
_METRICS = frozenset(("cosine", "dot", "euclidean"))
_JSON_HEADERS = [(b"content-type", b"application/json")]


class NeighborsFastPath:
    """ASGI middleware answering plain ``GET /api/neighbors`` requests without FastAPI.

    Args:
        app: The rest of the application (the same request goes there when this one cannot
            answer it as the route would).
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if (scope["type"] != "http" or scope["method"] != "GET"
                or scope["path"] != "/api/neighbors"):
            await self.app(scope, receive, send)
            return
        body = await _answer_plain_get(scope)
        if body is None:
            await self.app(scope, receive, send)
            return
        headers = [(b"content-length", str(len(body)).encode()), *_JSON_HEADERS]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _plain_params(query_string: bytes) -> tuple[str, int | None, bool, str] | None:
    """``(key, k, exact, metric)`` when the query asks plainly; ``None`` sends it to the route.

    The same parser as Starlette's QueryParams; each value is taken only in the spellings the
    route's validation accepts with the same meaning (other spellings go to the route)."""
    seen: dict[str, str] = {}
    for name, value in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True):
        if name in seen:
            return None  # repeated: the route decides which one counts
        seen[name] = value
    key = seen.get("key")
    if key is None or not 1 <= len(key) <= MAX_KEY_CHARS:
        return None
    k: int | None = None
    if "k" in seen:
        text = seen["k"]
        if not (text.isascii() and text.isdigit()) or len(text) > 6:
            return None
        k = int(text)
    exact = False
    if "exact" in seen:
        word = seen["exact"].lower()
        if word not in _TRUE and word not in _FALSE:
            return None
        exact = word in _TRUE
    metric = seen.get("metric", "cosine")
    if metric not in _METRICS:
        return None
    return key, k, exact, metric


async def _answer_plain_get(scope: dict[str, Any]) -> bytes | None:
    """The JSON body the route would answer with, or ``None`` when the route must answer."""
    params = _plain_params(scope["query_string"])
    if params is None:
        return None
    key, k, exact, metric = params
    state: ExplorerState = scope["app"].state.explorer
    row = state.vectors.key_to_index.get(key)
    if row is None or (k is not None and not 1 <= k <= state.limits.max_k):
        return None  # 404 with suggestions, or 400/422: the route's own words
    vectors = state.vectors
    query = vectors.unit[row] if metric == "cosine" else vectors.matrix[row]
    try:
        found, was_exact = await state.neighbours(query, state.check_k(k), frozenset([row]),
                                                  exact, metric)  # type: ignore[arg-type]
    except Exception:  # the route asks again and answers the failure as it always has
        return None
    answer: dict[str, Any] = {"key": key, "neighbors": found, "exact": was_exact}
    if metric != "cosine":
        answer["metric"] = metric
    return json.dumps(answer, ensure_ascii=False, separators=(",", ":")).encode()
