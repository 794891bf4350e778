"""Metadata columns for the explorer from a TSV file (the projector's layout)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .._io import PathLike, open_text
from ..errors import DataError, FormatError
from ..vectors import Vectors

# First cells that name a key column: a first row starting with one of these is a header even
# when the word is also in the vocabulary (GloVe holds "word", "key" and "label").
HEADER_NAMES = frozenset({"word", "words", "key", "keys", "token", "label", "name", "id",
                          "item", "term", "vocab"})


def read_metadata(path: PathLike, vectors: Vectors, header: bool | None = None) -> dict[str, list[str]]:
    """Columns from a tab-separated file whose first column is the key.

    ``header=None`` detects a header row: the first row is one when its first cell is not a
    key of ``vectors`` or is a usual name of a key column (``word``, ``key``, ``label``,
    ``token``...); ``True`` or ``False`` says so explicitly. The header names the columns;
    without one a file of two columns is read as ``key<TAB>label`` (more: ``column1``...).
    Keys missing from the file get an empty value; keys not in the vectors are ignored.
    """
    if Path(path).is_dir():  # open() would raise a bare IsADirectoryError
        raise FormatError("is a folder; expected a TSV file of key<TAB>columns", path)
    with open_text(path) as handle:
        lines = [line.rstrip("\r\n") for line in handle if line.strip()]
    if not lines:
        raise FormatError("the metadata file is empty", path)
    first = lines[0].split("\t")
    if len(first) < 2:
        raise FormatError("expected key<TAB>value columns (a header row names them)", path, 1)
    if header is None:
        header_present = first[0] not in vectors.key_to_index or first[0].lower() in HEADER_NAMES
    else:
        header_present = header
    names = first[1:] if header_present else ["label"] * (len(first) - 1)
    if not header_present and len(names) > 1:
        names = [f"column{i}" for i in range(1, len(first))]
    columns: dict[str, list[str]] = {name: [""] * len(vectors) for name in names}
    for number, line in enumerate(lines[1:] if header_present else lines, start=2 if header_present else 1):
        cells = line.split("\t")
        row = vectors.key_to_index.get(cells[0])
        if row is None:
            continue
        if len(cells) != len(names) + 1:
            raise FormatError(f"expected {len(names) + 1} columns, found {len(cells)}", path, number)
        for name, value in zip(names, cells[1:], strict=True):
            columns[name][row] = value
    return columns


def merge_metadata(
    vectors: Vectors, extra: Mapping[str, Sequence[Any]] | None
) -> dict[str, list[Any]]:
    """The vectors' own columns plus ``extra`` (one value per key)."""
    merged: dict[str, list[Any]] = dict(vectors.metadata)
    for name, values in (extra or {}).items():
        values = list(values)
        if len(values) != len(vectors):
            raise DataError(f"metadata column {name!r} has {len(values)} values for {len(vectors)} keys")
        merged[name] = values
    return merged
