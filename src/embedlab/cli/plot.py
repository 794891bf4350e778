"""``embedlab plot`` (a labelled figure of words) and ``embedlab projector`` (TensorBoard files)."""

from __future__ import annotations

from pathlib import Path

import typer

VECTORS_HELP = "A vector file in any format, or a dataset name such as glove-6b-50d."


def _read_words(path: Path) -> list[str]:
    """One word per line; blank lines and lines starting with # are skipped."""
    from ..errors import DataError

    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise DataError(f"--words-file {path}: cannot be read ({exc.strerror})") from exc
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def _read_metadata(path: Path) -> dict[str, str]:
    """A TSV with a header row, words in the first column and their group in the second."""
    from ..errors import DataError

    try:
        rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines() if line]
    except OSError as exc:
        raise DataError(f"--metadata {path}: cannot be read ({exc.strerror})") from exc
    if len(rows) < 2 or len(rows[0]) < 2:
        raise DataError(f"--metadata {path}: needs a header row and two tab-separated columns "
                        "(word, group)")
    for number, row in enumerate(rows[1:], start=2):
        if len(row) < 2:
            raise DataError(f"--metadata {path} line {number}: expected word<TAB>group")
    return {row[0]: row[1] for row in rows[1:]}


def _parse_size(size: str) -> tuple[float, float]:
    from ..errors import InvalidParameterError

    try:
        width, height = (float(part) for part in size.lower().split("x"))
    except ValueError:
        raise InvalidParameterError(
            f"--size takes WIDTHxHEIGHT in inches (11x8.5); got {size!r}") from None
    if width <= 0 or height <= 0:
        raise InvalidParameterError(f"--size {size!r}: width and height must be positive")
    return width, height


def plot(
    vectors: str = typer.Argument(..., help=VECTORS_HELP),
    words: list[str] = typer.Argument(None, help="The words to plot (after --words, or directly)."),
    _words_flag: bool = typer.Option(
        False, "--words", "-w", help="Marks where the word list starts (for readability)."
    ),
    words_file: Path = typer.Option(
        None, "--words-file", help="A file of words to plot, one a line (# starts a comment)."
    ),
    out: Path = typer.Option(
        Path("words.png"), "--out", "-o", help="Figure to write (.png, .svg, .pdf or .jpg)."
    ),
    method: str = typer.Option("tsne", help="Projection: pca, tsne or umap."),
    neighbors: int = typer.Option(0, help="Also draw each word's N nearest neighbours."),
    analogy: list[str] = typer.Option([], help="Arrow between two words, as FROM:TO (repeatable)."),
    metadata: Path = typer.Option(
        None, help="A TSV with a header row, word<TAB>group: colours the points by group."
    ),
    color_by: str = typer.Option(None, help="A metadata column to colour the points by."),
    label: int = typer.Option(None, help="Label only the first N words (all by default)."),
    fontsize: float = typer.Option(None, help="Label size in points."),
    size: str = typer.Option(None, help="Figure size in inches, WIDTHxHEIGHT (11x8.5)."),
    dpi: float = typer.Option(120, help="Pixels per inch of a PNG or JPEG."),
    seed: int = typer.Option(0, help="Random seed of the projection."),
    title: str = typer.Option(None, help="Figure title."),
) -> None:
    """Draw WORDS as a labelled 2-D scatter (the article's t-SNE figure and more).

    Example: embedlab plot glove-6b-50d --words king queen man woman boy girl -o fig.png
    --analogy man:woman --analogy king:queen
    """
    from ..errors import DataError, InvalidParameterError
    from ..viz import plot_words
    from ._load import load_vectors

    arrows = []
    for pair in analogy:
        if pair.count(":") != 1:
            raise InvalidParameterError(f"--analogy takes FROM:TO (man:woman); got {pair!r}")
        start, end = pair.split(":")
        arrows.append((start, end))
    chosen = list(words or []) + (_read_words(words_file) if words_file is not None else [])
    if not chosen:
        raise DataError("embedlab plot: give the words after --words, or --words-file FILE")
    colours: str | dict[str, str] | None = color_by
    if metadata is not None:
        if color_by is not None:
            raise InvalidParameterError("--metadata and --color-by both colour the points: "
                                        "pass one of them")
        colours = _read_metadata(metadata)
    plot_words(load_vectors(vectors), chosen, method=method,
               path=out, color_by=colours, analogies=arrows, neighbors=neighbors, seed=seed,
               title=title, label=label, fontsize=fontsize,
               figsize=_parse_size(size) if size is not None else None, dpi=dpi)
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
