"""``embedlab distill|encode|search``: static sentence models from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

_MODEL = typer.Argument(
    ..., help="A static model folder (saved by embedlab or Model2Vec), or 'wordllama' for the "
              "table shipped in the wordllama package."
)
_TEXTS = typer.Argument(
    ..., help="A text file, one text per line; with --ids, each line is 'id<TAB>text'."
)
_IDS = typer.Option(False, "--ids", help="Each line starts with its id and a tab.")
_KEYS = typer.Option(
    None, "--keys", help="The file is a CSV (a TSV when it ends in .tsv) with a header: this "
                         "column gives the keys (e.g. title); repeated keys get ' (2)', ' (3)'.")
_TEXT = typer.Option("text", "--text", help="With --keys: the column that holds the texts.")
_QUIET = typer.Option(False, "--quiet", "-q", help="No progress bar or summary.")


def register(app: typer.Typer) -> None:
    """Add ``distill``, ``encode`` and ``search`` to ``app``."""
    app.command("distill")(distill)
    app.command("encode")(encode)
    app.command("search")(search)


def _model(name: str) -> Any:
    from ..sentences import StaticModel

    return StaticModel.from_wordllama() if name == "wordllama" else StaticModel.load(name)


def _texts(path: Path, with_ids: bool, keys: str | None, text: str) -> tuple[list[str], list[str]]:
    return _read(path, with_ids) if keys is None else _read_table(path, keys, text)


def _read_table(path: Path, key_column: str, text_column: str) -> tuple[list[str], list[str]]:
    """Keys and texts from two columns of a CSV/TSV with a header; rows without a key or a
    text are skipped, and a key seen before gets ' (2)', ' (3)', ... (keys must be unique)."""
    import csv

    from .._io import open_text
    from ..errors import FormatError

    csv.field_size_limit(1 << 30)  # an article is one field
    keys: list[str] = []
    texts: list[str] = []
    seen: dict[str, int] = {}
    with open_text(path) as handle:
        rows = csv.DictReader(handle, delimiter="\t" if path.suffix.lower() == ".tsv" else ",")
        header = rows.fieldnames or []
        for column, option in ((key_column, "--keys"), (text_column, "--text")):
            if column not in header:
                raise FormatError(f"has no column {column!r} ({option}); its header is "
                                  f"{', '.join(map(repr, header)) or 'empty'}", path)
        for row in rows:
            key = " ".join((row.get(key_column) or "").split())
            body = " ".join((row.get(text_column) or "").split())
            if not key or not body:
                continue
            seen[key] = seen.get(key, 0) + 1
            keys.append(key if seen[key] == 1 else f"{key} ({seen[key]})")
            texts.append(body)
    if not keys:
        raise FormatError(f"has no row with both a {key_column!r} and a {text_column!r}", path)
    return keys, texts


def _read(path: Path, with_ids: bool) -> tuple[list[str], list[str]]:
    from .._io import open_text
    from ..errors import FormatError

    ids: list[str] = []
    texts: list[str] = []
    with open_text(path) as handle:
        for number, line in enumerate(handle, 1):
            line = line.rstrip("\n")
            if not line.strip():
                continue
            if with_ids:
                key, tab, text = line.partition("\t")
                if not tab:
                    raise FormatError("expected 'id<TAB>text' (no tab on this line)", path, number)
                ids.append(key)
                texts.append(text)
            else:
                ids.append(str(number))
                texts.append(line)
    return ids, texts


def distill(
    teacher: Path = typer.Argument(..., help="The folder of a sentence-transformers model."),
    output: Path = typer.Option(..., "--output", "-o", help="Folder to write the model to."),
    dims: int = typer.Option(256, "--dims", help="Dimensions after PCA."),
    vocabulary: Path | None = typer.Option(
        None, "--vocabulary", help="A file of extra words, one per line, added as tokens."),
    weighting: str = typer.Option("zipf", "--weighting", help="zipf (SIF on Zipf ranks) or none."),
    quiet: bool = _QUIET,
) -> None:
    """Distil a static model from a sentence transformer (Model2Vec's recipe).

    Example: embedlab distill path/to/all-MiniLM-L6-v2 -o minilm-static --dims 256
    """
    from ..sentences import distill as run

    words = None
    if vocabulary is not None:
        words = [w.strip() for w in vocabulary.read_text(encoding="utf-8").splitlines() if w.strip()]
    model = run(teacher, words, dims=dims, weighting=weighting, progress=not quiet)  # type: ignore[arg-type]
    model.save(output)
    if not quiet:
        typer.echo(f"{len(model.vectors):,} tokens x {model.dim} dims; wrote {output}")


def encode(
    model: str = _MODEL, texts: Path = _TEXTS,
    output: Path = typer.Option(..., "--output", "--out", "-o", help="Where to write the vectors."),
    format: str = typer.Option("native", "--format", "-f", help="Any format of `embedlab convert`."),
    ids: bool = _IDS, keys: str | None = _KEYS, text: str = _TEXT, quiet: bool = _QUIET,
) -> None:
    """Encode every text of a file into a vector (keys: line numbers, --ids, or a --keys
    column). The native format keeps the texts as a metadata column 'text', which
    `embedlab serve` shows and searches.

    Example: embedlab encode minilm-static articles.csv --keys title --out articles-docs/
    """
    from .. import save
    from ..vectors import Vectors

    names, lines = _texts(texts, ids, keys, text)
    static = _model(model)
    vectors = static.encode(lines, progress=not quiet)
    save(Vectors(names, vectors, metadata={"text": lines}), output, format=format)
    if not quiet:
        cut = f"; {static.last_truncated:,} texts cut to {static.max_tokens} tokens" \
            if static.last_truncated else ""
        typer.echo(f"{len(names):,} texts x {static.dim} dims; wrote {output} ({format}){cut}")


def search(
    model: str = _MODEL, texts: Path = _TEXTS,
    query: list[str] = typer.Argument(..., help="One or more queries."),
    k: int = typer.Option(5, "-k", help="How many texts to show per query."),
    ids: bool = _IDS, keys: str | None = _KEYS, text: str = _TEXT,
) -> None:
    """Find the texts closest in meaning to each query.

    Example: embedlab search minilm-static articles.txt "interest rates rise" -k 3
    """
    from ..sentences import SentenceIndex

    names, lines = _texts(texts, ids, keys, text)
    index = SentenceIndex(_model(model)).add(lines, names, progress=False)
    for text in query:
        if len(query) > 1:
            typer.echo(f"# {text}")
        for key, score in index.search(text, k):
            shown = index.text(key)
            shown = shown if len(shown) <= 80 else shown[:77] + "..."
            typer.echo(f"{score:.4f}\t{key}\t{shown}")
