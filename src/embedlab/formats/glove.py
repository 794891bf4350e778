"""GloVe's text format: one line per vector, the key and then the numbers, no header.

A GloVe key may itself contain spaces (the 840B release has ``". . ."`` and e-mail addresses
with spaces): the vector is always the last ``dim`` fields, and ``dim`` is read from the first
line.
"""

from __future__ import annotations

from .._io import PathLike
from ..vectors import Vectors
from ._source import Input
from ._text import read_text, write_text


def read_glove(path: PathLike | Input, **options: object) -> Vectors:
    """Read GloVe text; options as :func:`embedlab.formats.load`.

    Args:
        path: The file to read, or an already opened :class:`Input`.
        **options: ``limit``, ``encoding``, ``unicode_errors``, ``allow_nonfinite``,
            ``on_duplicate`` and ``progress``, as :func:`embedlab.formats.load` takes them.

    Returns:
        The vectors read.

    Raises:
        InvalidParameterError: An option is out of range.
        FormatError: The file does not follow the format.
    """
    return read_text(path, header=False, **options)  # type: ignore[arg-type]


def write_glove(vectors: Vectors, path: PathLike, precision: int | None = None) -> None:
    """Write GloVe text atomically (9 significant digits by default, so float32 values read
    back exactly; GloVe's own files use ``precision=5`` or ``6``).

    Args:
        vectors: The vectors to write.
        path: The file to write.
        precision: Digits after the point; None writes 9 significant digits.

    Raises:
        InvalidParameterError: ``precision`` is negative, or a key cannot be written in this
            format (empty, holding a line break, or a space where the format forbids it).
    """
    write_text(vectors, path, header=False, precision=precision)
