"""Completion: the keys that start with a prefix, for the search box."""

from __future__ import annotations

import bisect
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from ..state import MAX_KEY_CHARS
from ._params import explorer_of

router = APIRouter(prefix="/api", tags=["queries"])
SCAN_LIMIT = 5000  # spellings looked at per request, however common the prefix


@router.get("/complete", summary="Keys that start with a prefix")
async def complete(
    request: Request,
    prefix: Annotated[str, Query(min_length=1, max_length=MAX_KEY_CHARS)],
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> dict[str, Any]:
    """Case-insensitive; the most frequent first (files list frequent keys first)."""
    state = explorer_of(request)
    low = prefix.lower()
    spellings, by_spelling = state.spellings, state.by_spelling
    start = bisect.bisect_left(spellings, low)
    rows: list[int] = []
    for i in range(start, min(start + SCAN_LIMIT, len(spellings))):
        if not spellings[i].startswith(low):
            break
        rows.append(by_spelling[i][1])
    return {"prefix": prefix, "keys": [state.keys[r] for r in sorted(rows)[:limit]]}
