"""2-D and 3-D layouts: PCA at once, t-SNE and UMAP in the background (capped, cancellable)."""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from .._errors import ApiError
from ..layouts import METHODS, LayoutBusy
from ._params import Dim, explorer_of

router = APIRouter(prefix="/api/layouts", tags=["layouts"])

Sample = Annotated[bool, Query(description="Project a seeded random sample of at most "
                               "layout_points[method] rows (see /api/info); false: every row.")]
Stratify = Annotated[str | None, Query(max_length=200, description="Draw the sample so that each "
                                      "value of this metadata column keeps its share.")]
Perplexity = Annotated[float | None, Query(gt=1, le=200, description="t-SNE perplexity (30).")]
LearningRate = Annotated[float | None, Query(gt=0, le=100_000, description="t-SNE learning rate (200).")]
Iterations = Annotated[int | None, Query(ge=50, le=5000, description="t-SNE iterations after the "
                                         "250 of early exaggeration (500).")]
Neighbours = Annotated[int | None, Query(ge=2, le=200, description="UMAP n_neighbors (15).")]
MinDist = Annotated[float | None, Query(ge=0, le=1, description="UMAP min_dist (0.1).")]
Format = Annotated[str, Query(pattern="^(f32|csv)$", description="f32: little-endian float32, "
                              "row by row (NaN for rows outside a sample); csv: key,x,y[,z]")]


def _check_method(method: str) -> None:
    if method not in METHODS:
        raise ApiError(400, f"method must be one of {', '.join(METHODS)}; got {method[:50]!r}")


def _idle(method: str, dim: int) -> dict[str, Any]:
    return {"method": method, "dim": dim, "status": "idle", "progress": 0.0, "error": None,
            "seconds": None}


@router.get("", summary="Every layout started, with its progress")
async def layouts(request: Request) -> dict[str, Any]:
    state = explorer_of(request)
    return {"layouts": [layout.describe() for layout in state.jobs.all()]}


@router.get("/{method}/plan", summary="What a layout would cost: its point limit and time estimates")
async def plan_layout(method: str, request: Request, perplexity: Perplexity = None,
                      learning_rate: LearningRate = None, iterations: Iterations = None,
                      neighbors: Neighbours = None, min_dist: MinDist = None) -> dict[str, Any]:
    """`limit` (the sample size; null: none), `total` rows, and about how many seconds the
    sample and the whole table would take on this machine (from its measured pace)."""
    state = explorer_of(request)
    _check_method(method)
    jobs, total = state.jobs, len(state.vectors)
    params = _params(method, perplexity, learning_rate, iterations, neighbors, min_dist)
    limit = jobs.max_points.get(method)
    sampled = limit is not None and total > limit
    return {"method": method, "total": total, "limit": limit, "over_limit": sampled,
            "seconds_sample": round(jobs.estimate_seconds(method, min(total, limit or total), params), 1),
            "seconds_all": round(jobs.estimate_seconds(method, total, params), 1)}


def _params(method: str, perplexity: float | None, learning_rate: float | None,
            iterations: int | None, neighbors: int | None, min_dist: float | None) -> dict[str, float]:
    given = {"tsne": {"perplexity": perplexity, "learning_rate": learning_rate, "iterations": iterations},
             "umap": {"neighbors": neighbors, "min_dist": min_dist}}.get(method, {})
    return {name: value for name, value in given.items() if value is not None}


@router.post("/{method}", status_code=202, summary="Start computing a layout (pca, tsne or umap)")
async def start_layout(method: str, request: Request, dim: Dim = 2, sample: Sample = True,
                       stratify: Stratify = None, perplexity: Perplexity = None,
                       learning_rate: LearningRate = None, iterations: Iterations = None,
                       neighbors: Neighbours = None, min_dist: MinDist = None) -> dict[str, Any]:
    """PCA is ready at once; t-SNE and UMAP run in the background, one at a time (409 while
    another runs): poll the GET twin. Large tables are sampled (`points`, `total` and `sampled`
    in the answer say how) unless `sample=false`; `stratify=COLUMN` keeps each value's share.
    The answer's `params` are the parameters used; asking again with other parameters
    computes the layout afresh."""
    state = explorer_of(request)
    _check_method(method)
    strata = None
    if stratify is not None:
        if stratify not in state.columns:
            raise ApiError(404, f"no metadata column {stratify!r} to stratify by",
                           columns=sorted(state.columns))
        strata = (stratify, state.columns[stratify])
    params = _params(method, perplexity, learning_rate, iterations, neighbors, min_dist)
    try:
        return state.jobs.start(method, dim, sample=sample, params=params, strata=strata).describe()
    except LayoutBusy as busy:
        running = busy.running
        raise ApiError(409, f"the {running.method} {running.dim}-D layout is still being computed "
                       "(one at a time); wait for it or cancel it with DELETE "
                       f"/api/layouts/{running.method}?dim={running.dim}",
                       running=running.describe()) from None


@router.delete("/{method}", summary="Cancel a layout being computed (or forget a finished one)")
async def cancel_layout(method: str, request: Request, dim: Dim = 2) -> dict[str, Any]:
    """A running t-SNE or UMAP stops at its next progress step (`status` goes `cancelling`,
    then `cancelled`); a finished one is forgotten, so the next POST computes it afresh."""
    state = explorer_of(request)
    _check_method(method)
    layout = state.jobs.cancel(method, dim)
    return layout.describe() if layout else _idle(method, dim)


@router.get("/{method}", summary="Where a layout stands")
async def layout_status(method: str, request: Request, dim: Dim = 2) -> dict[str, Any]:
    state = explorer_of(request)
    _check_method(method)
    layout = state.jobs.get(method, dim)
    return layout.describe() if layout else _idle(method, dim)


@router.get("/{method}/coords", summary="The coordinates of a finished layout (float32 or CSV)")
async def layout_coords(method: str, request: Request, dim: Dim = 2, format: Format = "f32") -> Response:
    state = explorer_of(request)
    _check_method(method)
    layout = state.jobs.get(method, dim)
    if layout is None or layout.coords is None:
        raise ApiError(409, f"the {method} {dim}-D layout is not ready; POST to start it",
                       layout_status=layout.status if layout else "idle")
    if format == "f32":
        return Response(layout.coords.tobytes(), media_type="application/octet-stream")
    return Response(_csv(state.keys, layout.coords), media_type="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{method}_{dim}d.csv"'})


def _csv(keys: list[str], coords: np.ndarray) -> bytes:
    axes = ["x", "y", "z"][: coords.shape[1]]
    lines = ["key," + ",".join(axes)]
    for key, row in zip(keys, coords.tolist(), strict=True):
        if row[0] != row[0]:  # NaN: outside the sample, not placed
            continue
        quoted = '"' + key.replace('"', '""') + '"' if any(c in key for c in ',"\n\r') else key
        lines.append(quoted + "," + ",".join(f"{v:.6g}" for v in row))
    return ("\n".join(lines) + "\n").encode()
