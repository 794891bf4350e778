"""``embedlab info`` and ``embedlab convert``: look inside vector files and change their format."""

from __future__ import annotations

from pathlib import Path

import typer

from ..formats import FORMATS


def info(
    path: Path = typer.Argument(..., help="A vector file or folder, in any format."),
    format: str = typer.Option("auto", "--format", "-f", help="Format, or auto to detect."),
) -> None:
    """Show the format, size and first keys of a vector file.

    Example: embedlab info glove.6B.50d.txt
    """
    from .. import load
    from ..formats import detect

    kind = detect(path) if format == "auto" else format
    vectors = load(path, format=kind)
    typer.echo(f"file       {path}")
    typer.echo(f"format     {kind}")
    typer.echo(f"vectors    {len(vectors):,}")
    typer.echo(f"dimensions {vectors.dim}")
    # a fastText model saved with maxn 0 carries a subword table but builds no n-grams
    has_subwords = vectors.subwords is not None and getattr(vectors.subwords, "uses_ngrams", True)
    typer.echo(f"subwords   {'yes' if has_subwords else 'no'}")
    typer.echo(f"first keys {', '.join(vectors.keys[:8])}")


def convert(
    source: str = typer.Argument(..., help="Input vector file (format detected) or a dataset name."),
    target: Path = typer.Argument(..., help="Output path."),
    to: str = typer.Option(..., "--to", help=f"Output format: {', '.join(FORMATS)}."),
    limit: int = typer.Option(0, help="Keep only the first N vectors (0: all)."),
) -> None:
    """Convert SOURCE to TARGET in another format (written atomically).

    Example: embedlab convert glove.6B.50d.txt glove50 --to native
    """
    from .. import save
    from ._load import load_vectors

    vectors = load_vectors(source, limit=limit or None)
    save(vectors, target, format=to)
    typer.echo(f"wrote {len(vectors):,} vectors of {vectors.dim} dimensions to {target} ({to})")


def register(app: typer.Typer) -> None:
    """Add ``info`` and ``convert`` to ``app``."""
    app.command()(info)
    app.command()(convert)
