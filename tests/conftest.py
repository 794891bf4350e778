"""Fixtures shared across the test folders (each folder mirrors a package of src/embedlab)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import embedlab
from embedlab import Vectors

ROYAL_KEYS = ["king", "queen", "man", "woman", "apple"]
# king and queen share a "royal" axis, man and woman a "gender" one, apple stands apart; the
# 0.1 on the royals' third axis keeps every cosine distinct, so rankings have no ties.
ROYAL_MATRIX = np.array(
    [[1, 1, 0.1], [1, -1, 0.1], [0, 1, 0], [0, -1, 0], [0, 0, 3]], dtype=np.float32
)


@pytest.fixture
def royal() -> Vectors:
    """Five words in three dimensions whose neighbours can be worked out by hand."""
    return Vectors(ROYAL_KEYS, ROYAL_MATRIX)


@pytest.fixture
def royal_file(tmp_path: Path, royal: Vectors) -> Path:
    """``royal`` written as a word2vec text file, for the CLI and the loaders."""
    path = tmp_path / "royal.txt"
    embedlab.save(royal, path, format="word2vec")
    return path
