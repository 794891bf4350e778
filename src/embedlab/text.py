"""Tokenizers and streaming corpora.

The default tokenizer lower-cases text and keeps runs of Unicode letters and digits as
words, with apostrophes inside a word kept (``"Don't stop"`` -> ``["don't", "stop"]``;
``"Café au-lait"`` -> ``["café", "au", "lait"]``). Any ``Callable[[str], list[str]]`` can be
used instead wherever a ``tokenizer=`` parameter is taken.
"""

from __future__ import annotations

import codecs
import os
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from ._io import PathLike, open_binary
from .errors import DataError, FormatError, check_param

Tokenizer = Callable[[str], list[str]]

_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")


def tokenize(text: str) -> list[str]:
    """The default tokenizer: lower-cased Unicode words, inner apostrophes kept.

    Args:
        text: The text to split.

    Returns:
        The lower-cased words of ``text``, in order.

    Raises:
        InvalidParameterError: ``text`` is not a string.
    """
    if not isinstance(text, str):
        check_param(False, "text", "tokenize", "a string", text)
    return _WORD.findall(text.lower())


def whitespace_tokenize(text: str) -> list[str]:
    """Split on whitespace only, keeping case and punctuation (what word2vec's C tool does).

    Args:
        text: The text to split.

    Returns:
        The whitespace-separated tokens of ``text``, in order.

    Raises:
        InvalidParameterError: ``text`` is not a string.
    """
    if not isinstance(text, str):
        check_param(False, "text", "whitespace_tokenize", "a string", text)
    return text.split()


def corpus_files(path: PathLike) -> list[Path]:
    """The files of a corpus: ``path`` itself, or every regular file below a directory (sorted).

    Args:
        path: A corpus file, or a directory of corpus files (hidden files are skipped).

    Returns:
        ``[path]`` for a file; the sorted regular files below ``path`` for a directory.

    Raises:
        DataError: ``path`` does not exist, or is a directory that holds no files.
    """
    root = Path(path)
    if root.is_dir():
        files = sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))
        if not files:
            raise DataError(f"{root}: the corpus directory holds no files")
        return files
    if not root.exists():
        raise DataError(f"{root}: no such corpus file or directory")
    return [root]


class Corpus:
    """A re-iterable stream of tokenised lines (one sentence or document per line).

    ``source`` is a file (plain, gzip, bz2 or xz, detected by content), a directory of such
    files, or any iterable of strings. Nothing is held in memory: every ``iter()`` reads again,
    so trainers can make several passes.

    Args:
        source: A file, a directory of files, or an iterable of strings.
        tokenizer: Splits each line into tokens (default :func:`tokenize`).
        encoding: The text encoding of the files.

    Raises:
        InvalidParameterError: ``source`` is neither a path nor an iterable of strings,
            ``tokenizer`` is not callable, or ``encoding`` names no known text encoding.
    """

    def __init__(
        self,
        source: PathLike | Iterable[str],
        tokenizer: Tokenizer = tokenize,
        encoding: str = "utf-8",
    ) -> None:
        # A Corpus is a value, not an estimator: it checks what it is given at once, since a
        # wrong source would otherwise surface as a raw TypeError deep inside a trainer.
        source_ok = isinstance(source, str | os.PathLike) or (
            isinstance(source, Iterable) and not isinstance(source, bytes | bytearray))
        check_param(source_ok, "source", "Corpus",
                    "a path or an iterable of strings", _short(source))
        check_param(callable(tokenizer), "tokenizer", "Corpus", "a callable", tokenizer)
        check_param(isinstance(encoding, str) and _known_codec(encoding), "encoding", "Corpus",
                    "the name of a text encoding (such as 'utf-8')", encoding)
        self.source = source
        self.tokenizer = tokenizer
        self.encoding = encoding

    def lines(self) -> Iterator[str]:
        """The raw lines, without their line endings.

        Returns:
            An iterator over the lines of every file (or of the iterable), in order.

        Raises:
            DataError: The source path does not exist or holds no files, or the iterable
                yields something other than a string.
            FormatError: A file cannot be read, or a line is binary or mis-encoded.
        """
        if isinstance(self.source, str | os.PathLike):
            for file in corpus_files(self.source):
                yield from _read_lines(file, self.encoding)
        else:
            for line in self.source:
                if not isinstance(line, str):
                    raise DataError(
                        f"a corpus iterable must yield strings; got {type(line).__name__}"
                    )
                yield line

    def __iter__(self) -> Iterator[list[str]]:
        for line in self.lines():
            tokens = self.tokenizer(line)
            if tokens:
                yield tokens


def _short(value: object) -> object:
    return value if isinstance(value, int | float | type(None)) else type(value).__name__


def _known_codec(name: str) -> bool:
    try:
        codecs.lookup(name)
    except LookupError:
        return False
    return True


def _read_lines(path: Path, encoding: str) -> Iterator[str]:
    # Decode line by line (not through a text wrapper) so that an error names its true line.
    try:
        with open_binary(path) as handle:
            for number, raw in enumerate(handle, start=1):
                yield decode_line(raw, encoding, path, number)
    except (OSError, EOFError) as exc:
        raise FormatError(f"cannot be read: {exc}", path) from None


def decode_line(raw: bytes, encoding: str, path: Path, number: int) -> str:
    """Line ``number`` of ``path`` as text, without its line ending; a binary or mis-encoded
    line raises :class:`FormatError` naming it (the corpus kernels send such lines here too).

    Args:
        raw: The line's bytes, as read from the file.
        encoding: The text encoding to decode with.
        path: The file the line comes from (named in errors).
        number: The line's 1-based number (named in errors).

    Returns:
        The decoded line, without its line ending.

    Raises:
        FormatError: The line holds a NUL byte, or is not valid text in ``encoding``.
    """
    if b"\x00" in raw:
        raise FormatError("found a NUL byte: this looks like a binary file, not text", path, number)
    try:
        line = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise FormatError(
            f"not valid {encoding} text ({exc.reason} at byte {exc.start}); pass the right encoding=",
            path,
            number,
        ) from None
    return line.rstrip("\r\n")
