"""Loading vectors for CLI commands: a file in any format, or a named dataset (``glove-6b-50d``)."""

from __future__ import annotations

from pathlib import Path

from ..vectors import Vectors


def load_vectors(source: str, limit: int | None = None) -> Vectors:
    """``source`` is a path; if no such path exists and it names a dataset of vectors, that."""
    if not Path(source).exists():
        from .. import datasets

        names = {d.name for d in datasets.list()}
        if source in names:
            loaded = datasets.load(source)
            if isinstance(loaded, Vectors):
                return loaded if limit is None else loaded.top(limit)
    from .. import load

    return load(source, limit=limit)
