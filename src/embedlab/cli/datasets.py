"""``embedlab datasets``: list the named datasets and fetch them into the cache."""

from __future__ import annotations

import typer

datasets_app = typer.Typer(help="Named real datasets, fetched once and used offline.",
                           no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add the ``datasets`` group to ``app``."""
    app.add_typer(datasets_app, name="datasets")


@datasets_app.command("list")
def list_datasets() -> None:
    """Show every named dataset, where it comes from and whether it is cached.

    Example: embedlab datasets list
    """
    from rich.console import Console
    from rich.table import Table

    from .. import datasets

    table = Table("name", "description", "source", "licence", "cached")
    for entry in datasets.list():
        cached = all((datasets.home() / "datasets" / entry.name / f).exists() for f in entry.files)
        table.add_row(entry.name, entry.description, entry.requirement, entry.licence,
                      "yes" if cached else "no")
    Console(width=160).print(table)


@datasets_app.command("get")
def get(
    name: str = typer.Argument(..., help="Dataset name, as `embedlab datasets list` shows it."),
    force: bool = typer.Option(False, "--force", help="Fetch again even if cached."),
) -> None:
    """Fetch NAME into the cache (checking its sha256) and print where it lies.

    Example: embedlab datasets get wordsim353
    """
    from .. import datasets

    typer.echo(str(datasets.path(name, force=force)))
