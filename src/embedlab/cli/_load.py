"""Loading vectors for CLI commands: a file in any format, or a named dataset (``glove-6b-50d``)."""

from __future__ import annotations

from ..vectors import Vectors


def load_vectors(source: str, limit: int | None = None) -> Vectors:
    """``source`` is a path; if no such path exists and it names a dataset of vectors, that."""
    from .. import datasets, load

    found = datasets.resolve(source, kind="vectors")
    if isinstance(found, datasets.Dataset):
        loaded: Vectors = datasets.load(found.name)
        return loaded if limit is None else loaded.top(limit)
    return load(found, limit=limit)
