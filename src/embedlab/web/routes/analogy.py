"""Analogies: the keys closest to a - b + c."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from ..state import MAX_KEY_CHARS
from ._params import Exact, K, explorer_of

router = APIRouter(prefix="/api", tags=["queries"])


def _word(description: str) -> Any:
    return Query(min_length=1, max_length=MAX_KEY_CHARS, description=description)


@router.get("/analogy", summary="a - b + c (king - man + woman)")
async def analogy(
    request: Request,
    a: Annotated[str, _word("Start (king).")],
    b: Annotated[str, _word("Take away (man).")],
    c: Annotated[str, _word("Add (woman).")],
    k: K = None,
    exact: Exact = False,
) -> dict[str, Any]:
    """The keys closest to unit(a) - unit(b) + unit(c), the three words left out
    (gensim's `most_similar(positive=[a, c], negative=[b])`)."""
    state = explorer_of(request)
    k = state.check_k(k)
    rows = [state.row_of(w) for w in (a, b, c)]
    unit = state.vectors.unit
    query = unit[rows[0]] - unit[rows[1]] + unit[rows[2]]
    found, was_exact = await state.neighbours(query, k, frozenset(rows), exact)
    return {"a": a, "b": b, "c": c, "results": found, "exact": was_exact}
