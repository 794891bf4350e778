"""Load other vectors, or more metadata, from a file the user picks in the page.

Each upload is bounded in size and parsed by embedlab's own readers from a temporary file (the
format is detected from the name and contents, as ``embedlab.load`` does); an unreadable file
answers 400 with the reader's sentence. New vectors replace the explorer's state at once: the
old search workers and layout jobs are stopped, and the page reloads.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from ...errors import EmbedlabError
from .._errors import ApiError
from ..bodies import read_body
from ..metadata import read_metadata
from ..state import ExplorerState
from ._params import explorer_of

router = APIRouter(prefix="/api/upload", tags=["upload"])

MAX_VECTORS_BYTES = 64 * 2**20
MAX_METADATA_BYTES = 16 * 2**20
SUFFIXES = (".txt", ".vec", ".tsv", ".bin", ".npz", ".gz", ".xz", ".bz2", ".zip", ".csv")

Name = Annotated[str, Query(min_length=1, max_length=200, description="The file's name (its "
                            "extension helps detect the format).")]


def _suffix(name: str) -> str:
    suffix = "".join(Path(name).suffixes[-2:]).lower()
    return suffix if all(part in SUFFIXES for part in Path(name).suffixes[-2:]) else ".txt"


@router.post("/vectors", summary="Replace the vectors with an uploaded file (at most 64 MiB)")
async def upload_vectors(request: Request, name: Name) -> dict[str, Any]:
    """The body is the file itself (word2vec text or binary, GloVe, fastText .vec, a projector
    TSV...). Answers the new `count` and `dim`; every route then serves the new vectors."""
    body = await read_body(request, MAX_VECTORS_BYTES)
    if not body:
        raise ApiError(400, f"{name}: the file is empty")
    from ... import load

    def parse() -> ExplorerState:
        with tempfile.TemporaryDirectory(prefix="embedlab-upload-") as folder:
            path = Path(folder) / ("upload" + _suffix(name))
            path.write_bytes(body)
            try:
                vectors = load(path)
            except EmbedlabError as exc:
                raise ApiError(400, f"{name}: {str(exc).replace(str(path), name)}") from None
        fresh: ExplorerState = request.app.state.explorer_for(vectors, None)
        return fresh

    fresh = await asyncio.to_thread(parse)
    old = explorer_of(request)
    request.app.state.explorer = fresh
    old.search.close()
    old.jobs.close()
    return {"name": name, "count": len(fresh.vectors), "dim": fresh.vectors.dim}


@router.post("/metadata", summary="Add metadata columns from an uploaded TSV (at most 16 MiB)")
async def upload_metadata(
    request: Request, name: Name,
    header: Annotated[bool | None, Query(description="Is the first row a header? Default: "
                                        "detected (see --metadata-header).")] = None,
) -> dict[str, Any]:
    """key<TAB>columns..., as `--metadata`; the columns join (or replace) the ones there."""
    state = explorer_of(request)
    body = await read_body(request, MAX_METADATA_BYTES)

    def parse() -> dict[str, list[str]]:
        with tempfile.TemporaryDirectory(prefix="embedlab-upload-") as folder:
            path = Path(folder) / "metadata.tsv"
            path.write_bytes(body)
            try:
                return read_metadata(path, state.vectors, header=header)
            except (EmbedlabError, UnicodeDecodeError) as exc:
                raise ApiError(400, f"{name}: {str(exc).replace(str(path), name)}") from None

    columns = await asyncio.to_thread(parse)
    state.columns.update(columns)
    return {"name": name, "columns": sorted(columns), "all_columns": sorted(state.columns)}
