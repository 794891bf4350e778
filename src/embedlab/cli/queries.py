"""``embedlab neighbors``, ``analogy`` and ``evaluate``: ask vectors questions."""

from __future__ import annotations

import typer

VECTORS_HELP = "A vector file in any format, or a dataset name such as glove-6b-50d."


def register(app: typer.Typer) -> None:
    """Add the query commands to ``app``."""

    @app.command()
    def neighbors(
        vectors: str = typer.Argument(..., help=VECTORS_HELP),
        word: str = typer.Argument(..., help="The key to look around."),
        k: int = typer.Option(10, "-k", help="How many neighbours."),
    ) -> None:
        """Print the K nearest keys to WORD by cosine similarity.

        Example: embedlab neighbors glove-6b-50d frog -k 5
        """
        from ._load import load_vectors

        for key, score in load_vectors(vectors).most_similar(word, topn=k):
            typer.echo(f"{score:.4f}  {key}")

    @app.command()
    def analogy(
        vectors: str = typer.Argument(..., help=VECTORS_HELP),
        a: str = typer.Argument(..., help="Start from this word (king) ..."),
        b: str = typer.Argument(..., help="... take this one away (man) ..."),
        c: str = typer.Argument(..., help="... and add this one (woman)."),
        k: int = typer.Option(5, "-k", help="How many answers."),
    ) -> None:
        """Solve A - B + C: `analogy V king man woman` answers queen.

        Example: embedlab analogy glove-6b-50d king man woman
        """
        from ._load import load_vectors

        for key, score in load_vectors(vectors).most_similar(positive=[a, c], negative=[b], topn=k):
            typer.echo(f"{score:.4f}  {key}")

    @app.command()
    def evaluate(
        vectors: str = typer.Argument(..., help=VECTORS_HELP),
        restrict_vocab: int = typer.Option(300_000, help="Only the first N keys count as known."),
    ) -> None:
        """Score vectors on WordSim-353, SimLex-999 and the Google analogies (a table).

        Example: embedlab evaluate glove-6b-50d
        """
        from rich.console import Console
        from rich.table import Table

        from .. import datasets
        from .. import evaluate as ev
        from ._load import load_vectors

        loaded = load_vectors(vectors)
        table = Table("benchmark", "metric", "score", "skipped (OOV)")
        for name in ("wordsim353", "simlex999"):
            pairs = ev.word_pairs(loaded, datasets.load(name), restrict_vocab=restrict_vocab)
            table.add_row(name, "Spearman", f"{pairs.spearman:.4f}", f"{pairs.oov_ratio:.1f}%")
            table.add_row("", "Pearson", f"{pairs.pearson:.4f}", "")
        result = ev.analogies(loaded, datasets.load("google-analogy"), restrict_vocab=restrict_vocab)
        table.add_row("google-analogy", "accuracy (3CosAdd)", f"{result.accuracy:.4f}",
                      f"{result.oov_ratio:.1f}%")
        Console(width=100).print(table)
