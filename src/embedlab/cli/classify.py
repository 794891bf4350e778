"""``embedlab classify``: train the article's text classifier on a labelled file, and use it.

Training data: one example per line, ``label<TAB>text`` or fastText's ``__label__x text``
(see :mod:`embedlab.nn.data`).
"""

from __future__ import annotations

from pathlib import Path

import typer

classify_app = typer.Typer(
    help="Text classification with the article's model (Embedding -> average -> Dense).",
    no_args_is_help=True,
)

DATA_HELP = "Labelled text: one 'label<TAB>text' or '__label__LABEL text' per line (.gz/.bz2/.xz ok)."


def register(app: typer.Typer) -> None:
    """Add the ``classify`` group to ``app``."""
    app.add_typer(classify_app, name="classify")


@classify_app.command("train")
def train(
    data: Path = typer.Argument(..., help=DATA_HELP),
    out: Path = typer.Option(..., "--out", "-o", help="Folder to save the trained model into."),
    epochs: int = typer.Option(10, help="Most epochs to train."),
    vocab_size: int = typer.Option(10000, help="Vocabulary size, <pad> and <unk> included."),
    embedding_dim: int = typer.Option(50, help="Embedding size (taken from --pretrained if given)."),
    input_length: int = typer.Option(40, help="Tokens kept per text (cut or padded)."),
    hidden: int = typer.Option(64, help="Units of the hidden Dense layer."),
    learning_rate: float = typer.Option(3e-3, help="Adam's learning rate."),
    batch_size: int = typer.Option(32, help="Texts per training step."),
    validation: float = typer.Option(0.1, help="Fraction held out to stop early (0: none)."),
    patience: int = typer.Option(2, help="Epochs without a better validation loss before stopping."),
    pretrained: str | None = typer.Option(
        None, help="Vectors to start the embedding from: a file or a dataset name (glove-6b-50d)."
    ),
    freeze: bool = typer.Option(False, help="Keep the pretrained embedding fixed."),
    test: Path | None = typer.Option(None, help="A labelled file to report test accuracy on."),
    seed: int = typer.Option(0, help="Seed for every random choice."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars."),
) -> None:
    """Train a classifier on DATA and save it to --out.

    Example: embedlab classify train reviews.tsv -o sentiment-model --pretrained glove-6b-50d
    """
    from ..nn import TextClassifier
    from ..nn.data import read_labelled

    texts, labels = read_labelled(data)
    vectors = None
    if pretrained is not None:
        from ._load import load_vectors

        vectors = load_vectors(pretrained)
        embedding_dim = vectors.dim
    model = TextClassifier(
        vocab_size=vocab_size, embedding_dim=embedding_dim, input_length=input_length,
        hidden=hidden, pretrained=vectors, freeze=freeze, learning_rate=learning_rate,
    )
    history = model.fit(
        texts, labels, validation=validation or None, epochs=epochs, batch_size=batch_size,
        early_stopping=patience if validation else None, seed=seed, progress=not quiet,
    )
    kept = history.best_epoch or history.epochs
    typer.echo(
        f"trained on {len(texts):,} texts, classes {', '.join(map(str, model.classes))}; "
        f"kept epoch {kept} of {history.epochs}: "
        + ", ".join(f"{name} {value:.4f}" for name, value in history.best().items())
    )
    if model.coverage is not None:
        typer.echo(f"pretrained vectors cover {model.coverage}")
    if test is not None:
        test_texts, test_labels = read_labelled(test)
        figures = model.evaluate(test_texts, test_labels)
        typer.echo(f"test accuracy {figures['accuracy']:.4f}, loss {figures['loss']:.4f}")
    typer.echo(f"saved to {model.save(out)}")


@classify_app.command("predict")
def predict(
    model_dir: Path = typer.Argument(..., help="A folder written by `embedlab classify train`."),
    texts: list[str] = typer.Argument(..., help="One or more texts to classify."),
) -> None:
    """Print the predicted label and its probability for each text, tab-separated.

    Example: embedlab classify predict sentiment-model "a warm, funny and wise film"
    """
    from ..nn import TextClassifier

    model = TextClassifier.load(model_dir)
    proba = model.predict_proba(texts)
    for text, row in zip(texts, proba, strict=True):
        best = int(row.argmax())
        typer.echo(f"{model.classes[best]}\t{row[best]:.4f}\t{text}")


@classify_app.command("evaluate")
def evaluate(
    model_dir: Path = typer.Argument(..., help="A folder written by `embedlab classify train`."),
    data: Path = typer.Argument(..., help=DATA_HELP),
) -> None:
    """Print the accuracy and loss of a saved classifier on a labelled file.

    Example: embedlab classify evaluate sentiment-model test.tsv
    """
    from ..nn import TextClassifier
    from ..nn.data import read_labelled

    model = TextClassifier.load(model_dir)
    texts, labels = read_labelled(data)
    figures = model.evaluate(texts, labels)
    typer.echo(f"accuracy {figures['accuracy']:.4f}  loss {figures['loss']:.4f}  ({len(texts):,} texts)")
