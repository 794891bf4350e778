"""Node labels from a text file, for node classification."""

from __future__ import annotations

from pathlib import Path

from .._io import PathLike, open_text
from ..errors import DataError, FormatError


def read_labels(path: PathLike) -> dict[str, str]:
    """``node label`` per line (tab or spaces between them; ``#`` starts a comment).

    Args:
        path: The labels file.

    Returns:
        A mapping from node id to label, in file order; a later line for the same node wins.

    Raises:
        DataError: The file is missing or is a folder.
        FormatError: A line has not exactly two fields (the error names the line).

    >>> read_labels("karate-labels.txt")  # doctest: +SKIP
    {'1': 'Mr. Hi', '2': 'Mr. Hi', ...}
    """
    where = Path(path)
    if not where.exists():
        raise DataError(f"{where}: no such labels file (expected 'node label' lines)")
    if where.is_dir():
        raise DataError(f"{where}: is a folder; expected a file of 'node label' lines")
    labels: dict[str, str] = {}
    with open_text(where) as handle:
        for number, raw in enumerate(handle, start=1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            fields = line.split("\t") if "\t" in line else line.split()
            if len(fields) != 2:
                raise FormatError("expected 'node label' (two fields)", where, number)
            labels[fields[0].strip()] = fields[1].strip()
    return labels
