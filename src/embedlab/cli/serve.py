"""``embedlab serve``: the explorer in the browser."""

from __future__ import annotations

from pathlib import Path

import typer

VECTORS_HELP = "A vector file in any format, or a dataset name such as glove-6b-50d."


def serve(
    vectors: str = typer.Argument(..., help=VECTORS_HELP),
    metadata: Path = typer.Option(None, help="TSV of key<TAB>columns... (a header row names them)."),
    metadata_header: bool = typer.Option(
        None, "--metadata-header/--no-metadata-header",
        help="Whether the metadata file's first row is a header (default: detected: it is when "
        "its first cell is not a key, or is a usual column name such as word, key, label)."),
    host: str = typer.Option("127.0.0.1", help="Address to bind; loopback unless you say otherwise."),
    port: int = typer.Option(8000, help="Port to listen on."),
    limit: int = typer.Option(None, help="Only the first N keys (the most frequent)."),
    seed: int = typer.Option(0, help="Seed of the t-SNE and UMAP layouts (and their samples)."),
    index: str = typer.Option(
        "exact", help="Neighbour index: exact, faiss (HNSW built in the background: for "
        "large tables under many clients) or auto (faiss above 200,000 keys)."),
    index_cache: Path = typer.Option(
        None, help="Folder where the HNSW graph is kept and reused while the vectors are "
        "unchanged (default: explorer-index in the embedlab cache)."),
) -> None:
    """Explore VECTORS in the browser: scatter (2-D/3-D), search, neighbours, analogies,
    t-SNE/UMAP in the background, colour by metadata, CSV export; API docs at /docs.

    Example: embedlab serve glove-6b-50d --limit 100000 --port 8000
    """
    from ..datasets import home
    from ..web import serve as run_server
    from ..web.metadata import read_metadata
    from ._load import load_vectors

    loaded = load_vectors(vectors, limit=limit)
    columns = read_metadata(metadata, loaded, header=metadata_header) if metadata is not None else None
    typer.echo(f"{len(loaded):,} vectors; open http://{host}:{port}/ (Ctrl-C stops)")
    run_server(loaded, columns, host=host, port=port, seed=seed, index=index,  # type: ignore[arg-type]
               index_cache=index_cache if index_cache is not None else home() / "explorer-index")


def register(app: typer.Typer) -> None:
    """Add ``serve`` to ``app``."""
    app.command()(serve)
