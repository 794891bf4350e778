"""The ``embedlab`` command: a thin shell over the library.

Each command group lives in its own module with a ``register(app)`` function; this module
only assembles them. Heavy imports happen inside the commands, so ``--help`` stays fast.
"""

from __future__ import annotations

import typer

from . import (
    classify,
    crossmodal,
    datasets,
    demo,
    formats,
    graph,
    plot,
    queries,
    recommend,
    sentences,
    serve,
    tag,
    train,
)

app = typer.Typer(
    name="embedlab",
    help="Embeddings end to end: load, train, query, evaluate, plot and use vectors.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain help text: rich markup would swallow "[ann]" in "pip install embedlab[ann]" and
    # print a type such as <bool> beside every flag.
    rich_markup_mode=None,
)


def _print_version(value: bool) -> None:
    if value:
        from .. import __version__

        typer.echo(f"embedlab {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True,
                                 help="Print embedlab's version and exit."),
) -> None:
    """Embeddings end to end: load, train, query, evaluate, plot and use vectors."""


for _module in (
    demo, datasets, formats, queries, classify, plot, serve, train, recommend, graph, crossmodal,
    sentences, tag,
):
    _module.register(app)


def main() -> None:
    """Entry point of the console script: library errors become one clear line and exit 1."""
    from ..errors import EmbedlabError

    try:
        app()
    except EmbedlabError as exc:
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        raise SystemExit(1) from None
    except OSError as exc:  # a missing file, a folder where a file was expected, a full disk
        where = f"{exc.filename}: " if exc.filename else ""
        typer.secho(f"error: {where}{exc.strerror or exc}", fg=typer.colors.RED, err=True)
        raise SystemExit(1) from None
