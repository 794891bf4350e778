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
        method: str = typer.Option("exact", help="exact, faiss (approximate, extra [ann]) "
                                                 "or auto."),
    ) -> None:
        """Print the K nearest keys to WORD by cosine similarity, best first.

        Example: embedlab neighbors glove-6b-50d frog -k 5
        """
        from ..neighbors import build_index
        from ._load import load_vectors

        index = build_index(load_vectors(vectors), method=method)  # type: ignore[arg-type]
        for key, score in index.neighbors(word, k=k):
            typer.echo(f"{score:.4f}  {key}")

    @app.command()
    def analogy(
        vectors: str = typer.Argument(..., help=VECTORS_HELP),
        a: str = typer.Argument(..., help="Start from this word (king) ..."),
        b: str = typer.Argument(..., help="... take this one away (man) ..."),
        c: str = typer.Argument(..., help="... and add this one (woman)."),
        k: int = typer.Option(5, "-k", help="How many answers."),
        cosmul: bool = typer.Option(False, "--cosmul", help="Rank by 3CosMul instead of "
                                                            "3CosAdd."),
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

    @app.command()
    def evaluate(
        vectors: str = typer.Argument(..., help=VECTORS_HELP),
        restrict_vocab: int = typer.Option(300_000, help="Only the first N keys count as "
                                                         "known (as gensim)."),
        sections: bool = typer.Option(False, "--sections", help="Also show the accuracy of "
                                                                 "every analogy section."),
        cosmul: bool = typer.Option(False, "--cosmul", help="Also score analogies by "
                                                            "3CosMul."),
    ) -> None:
        """Score vectors on WordSim-353, SimLex-999 and the Google analogies (a table).

        The figures are gensim's evaluate_word_pairs / evaluate_word_analogies, to the digit.

        Example: embedlab evaluate glove-6b-50d --sections
        """
        from rich.console import Console
        from rich.table import Table

        from .. import datasets
        from .. import evaluate as ev
        from ..errors import DataError
        from ._load import load_vectors

        loaded = load_vectors(vectors)
        table = Table("benchmark", "metric", "score", "answered", "skipped (OOV)",
                      title=f"{vectors}: {len(loaded):,} x {loaded.dim}, first "
                            f"{min(restrict_vocab, len(loaded)):,} keys known")
        for name in ("wordsim353", "simlex999"):
            try:
                pairs = ev.word_pairs(loaded, datasets.load(name), restrict_vocab=restrict_vocab)
            except DataError:
                table.add_row(name, "Spearman", "-", "0", "100.0%")
                continue
            table.add_row(name, "Spearman", f"{pairs.spearman:.4f}", f"{pairs.pairs}",
                          f"{pairs.oov_ratio:.1f}%")
            table.add_row("", "Pearson", f"{pairs.pearson:.4f}", "", "")
        questions = datasets.load("google-analogy")
        for method in ("3cosadd", "3cosmul") if cosmul else ("3cosadd",):
            result = ev.analogies(loaded, questions, restrict_vocab=restrict_vocab,
                                  method=method)  # type: ignore[arg-type]
            label = "3CosAdd" if method == "3cosadd" else "3CosMul"
            if sections:
                for section, correct, asked, accuracy in result.rows()[:-1]:
                    table.add_row("  " + section, f"accuracy ({label})",
                                  f"{accuracy:.4f}" if asked else "-", f"{correct}/{asked}", "")
            table.add_row("google-analogy", f"accuracy ({label})", f"{result.accuracy:.4f}",
                          f"{result.correct}/{result.asked}", f"{result.oov_ratio:.1f}%")
        Console(width=110).print(table)
