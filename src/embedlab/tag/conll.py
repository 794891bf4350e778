"""CoNLL-style files: one token per line, columns split by white space, a blank line between
sentences. The word is in column 0; the tag in the column you choose (the last by default)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .._io import atomic_write, open_text
from ..errors import DataError, FormatError

Sentences = list[list[str]]


def read_conll(path: str | Path, tag_column: int = -1) -> tuple[Sentences, Sentences]:
    """``(sentences, tags)`` from a CoNLL file; ``tag_column`` counts from 0 (-1: the last).

    Lines starting with ``-DOCSTART-`` are skipped. Every token line must have as many
    columns as the first one, and enough to hold ``tag_column``.

    Args:
        path: The CoNLL file (compressed files are read by content).
        tag_column: The column holding the tag, counted from 0 (negative counts from the end).

    Returns:
        ``(sentences, tags)``: the words of each sentence and their tags, in file order.

    Raises:
        FormatError: a line with too few columns (or none at ``tag_column``), or with a column
            count unlike the first line's; the message names the file and line.
    """
    sentences: Sentences = []
    tags: Sentences = []
    words: list[str] = []
    labels: list[str] = []
    width: int | None = None
    first_line = 0
    with open_text(path) as lines:
        for number, line in enumerate(lines, 1):
            fields = line.split()
            if not fields:
                if words:
                    sentences.append(words)
                    tags.append(labels)
                    words, labels = [], []
                continue
            if fields[0] == "-DOCSTART-":
                continue
            if width is None:
                width, first_line = len(fields), number
                if not -width <= tag_column < width:
                    raise FormatError(
                        f"has {width} column(s), so there is no tag column {tag_column}; "
                        "choose tag_column between 1 and the last column",
                        path, number,
                    )
                if width < 2:
                    raise FormatError(
                        "has one column only: a CoNLL line needs the word and its tag", path, number
                    )
            elif len(fields) != width:
                raise FormatError(
                    f"has {len(fields)} columns but line {first_line} has {width}: every token "
                    "line must have the same columns",
                    path, number,
                )
            words.append(fields[0])
            labels.append(fields[tag_column])
    if words:
        sentences.append(words)
        tags.append(labels)
    return sentences, tags


def write_conll(
    path: str | Path, sentences: Sequence[Sequence[str]], *columns: Sequence[Sequence[str]]
) -> Path:
    """Write words and one or more tag columns (each a list of tag lists), atomically.

    Args:
        path: The file to write (replaced whole on success).
        sentences: The words of each sentence.
        *columns: Tag columns, each holding one tag list per sentence, one tag per word.

    Returns:
        The path written.

    Raises:
        DataError: a column whose sentences or tags do not line up with the words, or an
            empty token or one holding white space (it would split into two columns).
    """
    for c, column in enumerate(columns):
        if len(column) != len(sentences):
            raise DataError(f"tag column {c + 1} has {len(column)} sentences, words have {len(sentences)}")
    target = Path(path)
    with atomic_write(target, "w") as out:
        for s, words in enumerate(sentences):
            rows: list[list[str]] = [list(words)]
            for c, column in enumerate(columns):
                if len(column[s]) != len(words):
                    raise DataError(
                        f"sentence {s}: {len(words)} words but {len(column[s])} tags in "
                        f"column {c + 1}"
                    )
                rows.append(list(column[s]))
            for i, fields in enumerate(zip(*rows, strict=True)):
                for field in fields:
                    if not field or any(ch.isspace() for ch in field):
                        raise DataError(
                            f"sentence {s}, token {i}: {field!r} is empty or holds white "
                            "space and cannot be written as one CoNLL column"
                        )
                out.write(" ".join(fields) + "\n")
            out.write("\n")
    return target
