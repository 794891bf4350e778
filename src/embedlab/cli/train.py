"""``embedlab train word2vec|fasttext|glove``: learn vectors from a text corpus and save them."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import typer

from ..formats import FORMATS

train_app = typer.Typer(
    help="Learn word vectors from raw text: word2vec (skip-gram, CBOW), fastText subwords, GloVe.",
    no_args_is_help=True,
)

_CORPUS = typer.Argument(
    ..., help="A text file (one sentence or document per line; gz/bz2/xz fine) or a directory of them."
)
_OUTPUT = typer.Option(..., "--output", "-o", help="Where to write the vectors.")
_FORMAT = typer.Option(
    "auto", "--format", "-f",
    help=f"Output format: {', '.join(FORMATS)}; or auto: .txt/.vec word2vec text, .bin "
         "word2vec binary (fastText .bin for `train fasttext`), else native.",
)
_DIM = typer.Option(100, "--vector-size", "--dim", help="Dimensions of the vectors.")
_MIN_COUNT = typer.Option(5, "--min-count", help="Ignore words seen fewer times.")
_WORKERS = typer.Option(2, "--workers", help="Threads (1 with a fixed seed: identical results run to run).")
_SEED = typer.Option(1, "--seed", help="Seed of every random choice.")
_TOKENIZER = typer.Option(
    "default", "--tokenizer",
    help="default: lower-cased Unicode words; whitespace: split on spaces only (keep case, punctuation).",
)
_QUIET = typer.Option(False, "--quiet", "-q", help="No progress bar or summary.")


@train_app.callback()
def _group(
    distributed: bool = typer.Option(
        False, "--distributed",
        help="Join the torchrun launch that started this process (gloo on CPU, NCCL on GPU); "
             "rank 0 alone writes the output. Without torchrun: one process, as usual. Example: "
             "torchrun --nproc_per_node 2 -m embedlab train --distributed word2vec news.txt -o news.vec",
    ),
) -> None:
    """Learn word vectors from raw text: word2vec (skip-gram, CBOW), fastText subwords, GloVe."""
    if distributed:
        from .. import distributed as ranks

        ranks.init()


def register(app: typer.Typer) -> None:
    """Add the ``train`` group to ``app``."""
    app.add_typer(train_app, name="train")


def _corpus(path: str, tokenizer: str) -> Any:
    from ..errors import check_param
    from ..text import Corpus, tokenize, whitespace_tokenize

    check_param(tokenizer in ("default", "whitespace"), "tokenizer", "embedlab train",
                "'default' or 'whitespace'", tokenizer)
    return Corpus(path, tokenizer=tokenize if tokenizer == "default" else whitespace_tokenize)


def _output_format(path: Path, format: str, fasttext: bool = False) -> str:
    from ..formats import format_for

    return format_for(path, subwords=fasttext) if format == "auto" else format


def _finish(model: Any, vectors: Any, output: Path, format: str, started: float, quiet: bool) -> None:
    from .. import save
    from ..distributed import context, shutdown

    if context().is_main:  # under torchrun, rank 0 writes the file and reports
        save(vectors, output, format=format)
        if not quiet:
            loss = f", final loss {model.losses[-1]:.4f}" if model.losses else ""
            typer.echo(f"{len(vectors):,} words x {vectors.dim} dims in {time.perf_counter() - started:.1f}s"
                       f"{loss}; wrote {output} ({format})")
    # Every rank leaves the process group together: one left open until the interpreter exits
    # can abort a rank as its peer goes (seen about once in four 2-rank runs).
    shutdown()


@train_app.command("word2vec")
def word2vec(
    corpus: str = _CORPUS, output: Path = _OUTPUT, format: str = _FORMAT,
    mode: str = typer.Option("skipgram", "--mode", help="skipgram or cbow."),
    vector_size: int = _DIM,
    window: int = typer.Option(5, "--window", help="Largest distance to a context word."),
    negative: int = typer.Option(5, "--negative", help="Negative samples per prediction (0: none)."),
    hs: bool = typer.Option(False, "--hs", help="Hierarchical softmax (with --negative 0 alone)."),
    min_count: int = _MIN_COUNT,
    sample: float = typer.Option(1e-3, "--sample", help="Subsampling threshold of frequent words (0: off)."),
    alpha: float = typer.Option(0.025, "--alpha", help="Initial learning rate."),
    epochs: int = typer.Option(5, "--epochs", help="Passes over the corpus."),
    workers: int = _WORKERS,
    replicas: bool = typer.Option(
        False, "--replicas",
        help="Each thread trains its own copy of the model, the copies merged every few jobs: "
             "identical results run to run with any --workers, for workers + 1 times the "
             "model's memory (default: the threads share one model, Hogwild).",
    ),
    seed: int = _SEED, tokenizer: str = _TOKENIZER, quiet: bool = _QUIET,
) -> None:
    """Train word2vec (skip-gram or CBOW) on CORPUS and save the vectors.

    Example: embedlab train word2vec news.txt -o news.vec --mode cbow --epochs 5 --min-count 5
    """
    from ..train import Word2Vec

    started = time.perf_counter()
    model = Word2Vec(mode=mode, vector_size=vector_size, window=window, negative=negative, hs=hs,  # type: ignore[arg-type]
                     min_count=min_count, sample=sample, learning_rate=alpha, epochs=epochs,
                     workers=workers, thread_updates="replicas" if replicas else "hogwild",
                     seed=seed, progress=not quiet)
    vectors = model.fit(_corpus(corpus, tokenizer))
    _finish(model, vectors, output, _output_format(output, format), started, quiet)


@train_app.command("fasttext")
def fasttext(
    corpus: str = _CORPUS, output: Path = _OUTPUT, format: str = _FORMAT,
    mode: str = typer.Option("skipgram", "--mode", help="skipgram or cbow."),
    vector_size: int = _DIM,
    window: int = typer.Option(5, "--window", help="Largest distance to a context word."),
    negative: int = typer.Option(5, "--negative", help="Negative samples per prediction."),
    minn: int = typer.Option(3, "--minn", help="Shortest character n-gram."),
    maxn: int = typer.Option(6, "--maxn", help="Longest character n-gram (0: no subwords)."),
    bucket: int = typer.Option(2_000_000, "--bucket", help="Hash rows for the n-grams."),
    min_count: int = _MIN_COUNT,
    sample: float = typer.Option(1e-3, "--sample", help="Subsampling threshold of frequent words (0: off)."),
    alpha: float = typer.Option(0.025, "--alpha", help="Initial learning rate."),
    epochs: int = typer.Option(5, "--epochs", help="Passes over the corpus."),
    workers: int = _WORKERS, seed: int = _SEED, tokenizer: str = _TOKENIZER, quiet: bool = _QUIET,
) -> None:
    """Train fastText subword vectors on CORPUS; a .bin output opens in the official fastText.

    Example: embedlab train fasttext news.txt -o news.bin --minn 3 --maxn 6 --bucket 200000
    """
    from ..train import FastText

    started = time.perf_counter()
    model = FastText(mode=mode, vector_size=vector_size, window=window, negative=negative,  # type: ignore[arg-type]
                     minn=minn, maxn=maxn, bucket=bucket, min_count=min_count, sample=sample,
                     learning_rate=alpha, epochs=epochs, workers=workers, seed=seed, progress=not quiet)
    vectors = model.fit(_corpus(corpus, tokenizer))
    _finish(model, vectors, output, _output_format(output, format, fasttext=True), started, quiet)


@train_app.command("glove")
def glove(
    corpus: str = _CORPUS, output: Path = _OUTPUT, format: str = _FORMAT,
    vector_size: int = _DIM,
    window: int = typer.Option(10, "--window", help="Largest distance counted (weight 1/distance)."),
    x_max: float = typer.Option(100.0, "--x-max", help="Counts above this get full weight."),
    alpha: float = typer.Option(0.75, "--alpha", help="Exponent of the weighting function."),
    learning_rate: float = typer.Option(0.05, "--learning-rate", help="AdaGrad's initial step."),
    min_count: int = _MIN_COUNT,
    epochs: int = typer.Option(25, "--epochs", help="Passes over the co-occurrence entries."),
    workers: int = _WORKERS, seed: int = _SEED, tokenizer: str = _TOKENIZER, quiet: bool = _QUIET,
) -> None:
    """Count co-occurrences in CORPUS, fit GloVe vectors (word + context) and save them.

    Example: embedlab train glove news.txt -o news-glove.txt -f glove --epochs 25
    """
    from ..train import GloVe

    started = time.perf_counter()
    model = GloVe(vector_size=vector_size, window=window, x_max=x_max, weighting_exponent=alpha,
                  learning_rate=learning_rate, min_count=min_count, epochs=epochs,
                  workers=workers, seed=seed, progress=not quiet)
    vectors = model.fit(_corpus(corpus, tokenizer))
    _finish(model, vectors, output, _output_format(output, format), started, quiet)
