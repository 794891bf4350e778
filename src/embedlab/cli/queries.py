"""``embedlab neighbors``, ``analogy`` and ``evaluate``: ask vectors questions."""

from __future__ import annotations

import typer

VECTORS_HELP = "A vector file in any format, or a dataset name such as glove-6b-50d."


def neighbors(
    vectors: str = typer.Argument(..., help=VECTORS_HELP),
    word: str = typer.Argument(..., help="The key to look around."),
    k: int = typer.Option(10, "-k", min=1, help="How many neighbours (1 or more)."),
    method: str = typer.Option("exact", help="exact, faiss (approximate, extra [ann]) or auto."),
) -> None:
    """Print the K nearest keys to WORD by cosine similarity, best first.

    Example: embedlab neighbors glove-6b-50d frog -k 5
    """
    from ..neighbors import build_index
    from ._load import load_vectors

    index = build_index(load_vectors(vectors), method=method)  # type: ignore[arg-type]
    for key, score in index.neighbors(word, k=k):
        typer.echo(f"{score:.4f}  {key}")


def analogy(
    vectors: str = typer.Argument(..., help=VECTORS_HELP),
    a: str = typer.Argument(..., help="Start from this word (king) ..."),
    b: str = typer.Argument(..., help="... take this one away (man) ..."),
    c: str = typer.Argument(..., help="... and add this one (woman)."),
    k: int = typer.Option(5, "-k", min=1, help="How many answers (1 or more)."),
    cosmul: bool = typer.Option(False, "--cosmul", help="Rank by 3CosMul instead of 3CosAdd."),
) -> None:
    """Solve A - B + C: `analogy V king man woman` answers queen.

    In words: B is to A as C is to the answer (man is to king as woman is to queen).
    The three query words are never answers.

    Example: embedlab analogy glove-6b-50d king man woman
    """
    from ._load import load_vectors

    loaded = load_vectors(vectors)
    typer.echo(f"{a} - {b} + {c} =")
    ask = loaded.most_similar_cosmul if cosmul else loaded.most_similar
    for key, score in ask(positive=[a, c], negative=[b], topn=k):
        typer.echo(f"{score:.4f}  {key}")


def evaluate(
    vectors: str = typer.Argument(..., help=VECTORS_HELP),
    restrict_vocab: int = typer.Option(300_000, help="Only the first N keys count as known (as gensim)."),
    sections: bool = typer.Option(False, "--sections", help="Also show the accuracy of every analogy section."),
    cosmul: bool = typer.Option(False, "--cosmul", help="Also score analogies by 3CosMul."),
) -> None:
    """Score vectors on WordSim-353, SimLex-999 and the Google analogies (a table).

    The figures are gensim's evaluate_word_pairs / evaluate_word_analogies, to the digit.

    Example: embedlab evaluate glove-6b-50d --sections
    """
    from rich.console import Console
    from rich.table import Table

    from ..evaluate import report
    from ._load import load_vectors

    loaded = load_vectors(vectors)
    scores = report(loaded, restrict_vocab=restrict_vocab, cosmul=cosmul)
    table = Table("benchmark", "metric", "score", "answered", "skipped (OOV)",
                  title=f"{vectors}: {scores.count:,} x {scores.dim}, first "
                        f"{min(restrict_vocab, scores.count):,} keys known")
    for row in scores.rows(sections=sections):
        table.add_row(*row)
    Console(width=110).print(table)


def register(app: typer.Typer) -> None:
    """Add the query commands to ``app``."""
    app.command()(neighbors)
    app.command()(analogy)
    app.command()(evaluate)
