"""``embedlab demo``: the introductory article on embedding layers, end to end, on real data."""

from __future__ import annotations

from pathlib import Path

import typer

ARTICLE_WORDS = ["king", "queen", "man", "woman", "boy", "girl"]


def demo(
    out: Path = typer.Option(Path("demo-output"), "--out", "-o", help="Folder for the figure."),
    epochs: int = typer.Option(10, help="Most training epochs for each classifier."),
    seed: int = typer.Option(0, help="Seed for every random choice."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars."),
) -> None:
    """Run the article end to end: GloVe neighbours and analogies, the Keras-style model
    summary, a sentiment classifier with and without GloVe, and the t-SNE figure.

    Example: embedlab demo --out demo-output
    """
    run_demo(out, epochs=epochs, seed=seed, progress=not quiet)


def run_demo(out: Path, epochs: int = 10, seed: int = 0, progress: bool = True) -> dict[str, object]:
    """The demo as a function (the CLI and the tests call it); returns the figures it printed."""
    from rich.console import Console
    from rich.table import Table

    from .. import datasets
    from ..nn import TextClassifier

    console = Console(soft_wrap=True)
    results: dict[str, object] = {}

    console.rule("[bold]1. Pretrained embeddings: GloVe 6B 50d")
    glove = datasets.load("glove-6b-50d")
    console.print(f"{glove!r} loaded from {datasets.path('glove-6b-50d')}")
    for word in ("cat", "dog"):
        near = glove.most_similar(word, topn=8)
        console.print(f"nearest to [bold]{word}[/]: " + ", ".join(f"{k} {s:.2f}" for k, s in near))
        results[f"neighbors_{word}"] = near
    answer = glove.most_similar(positive=["king", "woman"], negative=["man"], topn=3)
    console.print(
        "king - man + woman = " + ", ".join(f"[bold]{k}[/] {s:.3f}" for k, s in answer)
    )
    console.print(f"similarity(cat, dog) = {glove.similarity('cat', 'dog'):.3f}")
    results["king-man+woman"] = answer[0][0]

    console.rule("[bold]2. The article's model")
    article = TextClassifier(vocab_size=10000, embedding_dim=128, input_length=100)
    article.summary()  # plain print: the table must not be re-wrapped by the console

    console.rule("[bold]3. Rotten Tomatoes, fresh vs rotten: random vs GloVe-initialised embedding")
    reviews = datasets.load("rotten-tomatoes")
    train, test = reviews.split(test_size=0.2, seed=seed)
    majority = max(test.labels.count(c) for c in set(test.labels)) / len(test.labels)
    console.print(
        f"{len(train.texts):,} training and {len(test.texts):,} test reviews; "
        f"majority class = {majority:.1%} of the test set"
    )
    table = Table("embedding", "test accuracy", "epochs run")
    for name, pretrained in (("random", None), ("GloVe 6B 50d", glove)):
        # Settings tuned on this task (see docs/nn.md): short inputs, a faster Adam.
        model = TextClassifier(
            vocab_size=10000, embedding_dim=50, input_length=40, pretrained=pretrained,
            freeze=False, learning_rate=3e-3,
        )
        history = model.fit(
            train.texts, train.labels, validation=0.1, epochs=epochs, batch_size=32,
            early_stopping=2, seed=seed, progress=progress,
        )
        accuracy = model.evaluate(test.texts, test.labels)["accuracy"]
        table.add_row(name, f"{accuracy:.1%}", str(len(history.history["loss"])))
        results[f"accuracy_{name}"] = accuracy
    results["majority"] = majority
    console.print(table)

    console.rule("[bold]4. Seeing the space: the article's t-SNE figure")
    from ..viz import article_figure

    figure = article_figure(glove, Path(out) / "article_tsne.png", words=ARTICLE_WORDS, seed=seed)
    console.print(f"figure written to [bold]{figure}[/]")
    results["figure"] = figure
    return results


def register(app: typer.Typer) -> None:
    """Add ``demo`` to ``app``."""
    app.command()(demo)
