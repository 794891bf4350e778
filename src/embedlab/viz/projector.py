"""Export to the TensorBoard Embedding Projector (and its standalone version)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .._io import PathLike
from ..formats.projector import write_projector
from ..vectors import Vectors


def export_projector(
    vectors: Vectors,
    directory: PathLike,
    metadata: Sequence[str] | Mapping[str, Sequence[Any]] | None = None,
) -> dict[str, Path]:
    """Write ``tensors.tsv``, ``metadata.tsv`` and the projector configs into ``directory``.

    ``metadata`` picks the columns: names of ``vectors.metadata`` columns, or a mapping of
    extra columns (one value per key) to add; ``None`` exports every column the vectors have.
    Point TensorBoard at the folder, or load the two TSV files in projector.tensorflow.org.
    The folder is written whole and replaces the one there in one step, so ``directory`` must be
    new, empty or an earlier export (a folder holding other files is refused, never emptied).

    Args:
        vectors: The vectors to export.
        directory: The folder to write.
        metadata: Metadata column names, a mapping of extra columns, or ``None`` for all.

    Returns:
        The path of each file written, by kind: ``tensor``, ``metadata``, ``config``, ``json``.

    Raises:
        FormatError: A named column is not in the metadata, ``directory`` is a file, or it
            holds files other than an earlier export's.
        DataError: An extra column does not hold one value per key.
    """
    if isinstance(metadata, Mapping):
        merged = {**vectors.metadata, **{k: list(v) for k, v in metadata.items()}}
        tagged = Vectors(vectors.keys, vectors.matrix, vectors.counts, merged)
        return write_projector(tagged, directory, metadata_columns=list(metadata))
    return write_projector(vectors, directory, metadata_columns=metadata)
