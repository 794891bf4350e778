"""``embedlab plot`` (a labelled figure of words) and ``embedlab projector`` (TensorBoard files)."""

from __future__ import annotations

from pathlib import Path

import typer

VECTORS_HELP = "A vector file in any format, or a dataset name such as glove-6b-50d."


def plot(
    vectors: str = typer.Argument(..., help=VECTORS_HELP),
    words: list[str] = typer.Argument(..., help="The words to plot (after --words, or directly)."),
    _words_flag: bool = typer.Option(
        False, "--words", "-w", help="Marks where the word list starts (for readability)."
    ),
    out: Path = typer.Option(Path("words.png"), "--out", "-o", help="Figure to write (.png or .svg)."),
    method: str = typer.Option("tsne", help="Projection: pca, tsne or umap."),
    neighbors: int = typer.Option(0, help="Also draw each word's N nearest neighbours."),
    analogy: list[str] = typer.Option([], help="Arrow between two words, as FROM:TO (repeatable)."),
    color_by: str = typer.Option(None, help="A metadata column to colour the points by."),
    seed: int = typer.Option(0, help="Random seed of the projection."),
    title: str = typer.Option(None, help="Figure title."),
) -> None:
    """Draw WORDS as a labelled 2-D scatter (the article's t-SNE figure and more).

    Example: embedlab plot glove-6b-50d --words king queen man woman boy girl -o fig.png
    --analogy man:woman --analogy king:queen
    """
    from ..errors import InvalidParameterError
    from ..viz import plot_words
    from ._load import load_vectors

    arrows = []
    for pair in analogy:
        if pair.count(":") != 1:
            raise InvalidParameterError(f"--analogy takes FROM:TO (man:woman); got {pair!r}")
        start, end = pair.split(":")
        arrows.append((start, end))
    plot_words(load_vectors(vectors), words, method=method,  # type: ignore[arg-type]
               path=out, color_by=color_by, analogies=arrows, neighbors=neighbors, seed=seed,
               title=title)
    typer.echo(f"wrote {out}")


def projector(
    vectors: str = typer.Argument(..., help=VECTORS_HELP),
    out: Path = typer.Argument(..., help="Folder for tensors.tsv, metadata.tsv and configs."),
    limit: int = typer.Option(None, help="Only the first N keys (the projector is happiest below 100k)."),
) -> None:
    """Write the TensorBoard Embedding Projector files for VECTORS into OUT.

    Example: embedlab projector glove-6b-50d proj/ --limit 10000
    """
    from ..viz import export_projector
    from ._load import load_vectors

    for kind, path in export_projector(load_vectors(vectors, limit=limit), out).items():
        typer.echo(f"{kind:9s} {path}")


def register(app: typer.Typer) -> None:
    """Add the plotting commands to ``app``."""
    app.command()(plot)
    app.command()(projector)
