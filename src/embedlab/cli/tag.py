"""``embedlab tag train|predict|evaluate``: tag words (part of speech, name spans).

Training and evaluation data: a CoNLL file (a token per line, the tag in ``--tag-column``,
a blank line between sentences), or ``brown``: the Brown corpus's training or held-out files
(every tenth file of each genre is held out) with ``--tagset`` full, universal or names.
"""

from __future__ import annotations

from pathlib import Path

import typer

tag_app = typer.Typer(
    help="Sequence tagging: a tag per word (word vectors + character CNN -> BiLSTM).",
    no_args_is_help=True,
)

_DATA = typer.Argument(
    ..., help="A CoNLL file (token per line, blank line between sentences) or 'brown'."
)
_TAG_COLUMN = typer.Option(-1, "--tag-column", help="CoNLL column of the tag (0 = the word; -1: last).")
_TAGSET = typer.Option(
    "universal", "--tagset",
    help="For brown: full (Brown's own tags), universal (the 12 of Petrov et al.) or names (BIO spans).",
)


def register(app: typer.Typer) -> None:
    """Add the ``tag`` group to ``app``."""
    app.add_typer(tag_app, name="tag")


def _read(data: str, tag_column: int, tagset: str, part: str) -> tuple[list[list[str]], list[list[str]]]:
    from ..errors import check_param
    from ..tag import read_conll

    if data != "brown" or Path(data).exists():
        return read_conll(data, tag_column=tag_column)
    from .. import datasets

    check_param(tagset in ("full", "universal", "names"), "tagset", "embedlab tag",
                "'full', 'universal' or 'names'", tagset)
    train, test = datasets.load("brown").split()
    corpus = train if part == "train" else test
    tags = {"full": corpus.tags, "universal": corpus.universal(), "names": corpus.names()}[tagset]
    return corpus.sentences, tags


@tag_app.command("train")
def train(
    data: str = _DATA,
    out: Path = typer.Option(..., "--out", "--output", "-o", help="Folder to save the tagger into."),
    tag_column: int = _TAG_COLUMN,
    tagset: str = _TAGSET,
    epochs: int = typer.Option(5, help="Most epochs to train."),
    pretrained: str | None = typer.Option(
        None, help="Vectors to start the word table from: a file or a dataset name (glove-6b-50d)."
    ),
    freeze: bool = typer.Option(False, help="Keep the pretrained word vectors fixed."),
    hidden: int = typer.Option(100, help="LSTM units per direction."),
    char_filters: int = typer.Option(50, help="Filters of the character CNN."),
    crf: bool = typer.Option(False, help="A CRF with Viterbi decoding instead of a softmax per word."),
    word_dropout: float = typer.Option(
        0.0, help="Chance a training word's own row is swapped for <unk>'s (its pretrained vector stays)."
    ),
    batch_size: int = typer.Option(32, help="Sentences per training step."),
    validation: Path | None = typer.Option(
        None, help="A CoNLL file to report validation figures on and stop early."
    ),
    patience: int = typer.Option(2, help="Epochs without a better validation loss before stopping."),
    seed: int = typer.Option(0, help="Seed for every random choice."),
    device: str = typer.Option("cpu", help="cpu, cuda or cuda:N."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars."),
) -> None:
    """Train a tagger on DATA and save it to --out.

    Example: embedlab tag train brown --tagset universal -o pos-model --epochs 3
    """
    from ..tag import SequenceTagger

    sentences, tags = _read(data, tag_column, tagset, "train")
    vectors = None
    if pretrained is not None:
        from ._load import load_vectors

        vectors = load_vectors(pretrained)
    tagger = SequenceTagger(pretrained=vectors, freeze=freeze, hidden=hidden,
                            char_filters=char_filters, crf=crf, word_dropout=word_dropout)
    held = None
    if validation is not None:
        from ..tag import read_conll

        held = read_conll(validation, tag_column=tag_column)
    history = tagger.fit(sentences, tags, validation=held, epochs=epochs, batch_size=batch_size,
                         early_stopping=patience if held else None, seed=seed,
                         progress=not quiet, device=device)
    kept = history.best_epoch or history.epochs
    typer.echo(
        f"trained on {len(sentences):,} sentences, {len(tagger.tags)} tags; kept epoch {kept} of "
        f"{history.epochs}: " + ", ".join(f"{k} {v:.4f}" for k, v in history.best().items())
    )
    typer.echo(f"saved to {tagger.save(out)}")


@tag_app.command("predict")
def predict(
    model_dir: Path = typer.Argument(..., help="A folder written by `embedlab tag train`."),
    file: Path = typer.Argument(..., help="Text: one sentence per line, words split by spaces."),
) -> None:
    """Print each word and its tag, a word per line, a blank line after each sentence (CoNLL).

    Example: embedlab tag predict pos-model sentences.txt
    """
    from .._io import open_text
    from ..tag import SequenceTagger

    tagger = SequenceTagger.load(model_dir)
    with open_text(file) as lines:
        sentences = [line.split() for line in lines if line.strip()]
    if not sentences:
        return
    for words, tags in zip(sentences, tagger.predict(sentences), strict=True):
        for word, tag in zip(words, tags, strict=True):
            typer.echo(f"{word} {tag}")
        typer.echo("")


@tag_app.command("evaluate")
def evaluate(
    model_dir: Path = typer.Argument(..., help="A folder written by `embedlab tag train`."),
    data: str = _DATA,
    tag_column: int = _TAG_COLUMN,
    tagset: str = _TAGSET,
) -> None:
    """Print token accuracy (and span precision, recall, F1 for BIO tags) on DATA; for brown,
    on its held-out files.

    Example: embedlab tag evaluate pos-model brown --tagset universal
    """
    from ..tag import SequenceTagger

    tagger = SequenceTagger.load(model_dir)
    sentences, tags = _read(data, tag_column, tagset, "test")
    figures = tagger.evaluate(sentences, tags)
    tokens = sum(map(len, sentences))
    typer.echo("  ".join(f"{k} {v:.4f}" for k, v in figures.items())
               + f"  ({len(sentences):,} sentences, {tokens:,} tokens)")
