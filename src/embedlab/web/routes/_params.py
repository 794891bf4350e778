"""Query parameters several routes share (their bounds and the words /docs shows), and
:func:`explorer_of`, which every route calls first to reach the shared state."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from ..state import MAX_KEY_CHARS, explorer_of

Key = Annotated[str, Query(min_length=1, max_length=MAX_KEY_CHARS, description="A key (word).")]
K = Annotated[int | None, Query(ge=1, description="How many neighbours (1 to max_k, see /api/info; "
                                "default 10 or max_k if smaller).")]
Exact = Annotated[bool, Query(description="Exact even when the server answers from an approximate "
                              "index (slower on large tables).")]
MetricName = Annotated[str, Query(pattern="^(cosine|dot|euclidean)$", description="cosine "
                                  "(default), dot, or euclidean (score: minus the distance).")]
Dim = Annotated[int, Query(ge=2, le=3, description="2 or 3 dimensions.")]

__all__ = ["Dim", "Exact", "K", "Key", "MetricName", "explorer_of"]
