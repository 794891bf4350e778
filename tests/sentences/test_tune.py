"""fine_tune: the student moves toward the teacher on the corpus it is tuned on."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from embedlab import DataError
from embedlab.evaluate import spearman
from embedlab.sentences import StaticModel, fine_tune


def _pair_cosines(vectors: np.ndarray) -> np.ndarray:
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    upper = np.triu_indices(len(vectors), 1)
    return (unit @ unit.T)[upper]


@pytest.fixture(scope="module")
def corpus(sentences: list[str]) -> list[str]:
    return [f"{a} and {b}" for a in sentences for b in sentences if a != b]  # 56 texts


def test_fine_tune_agrees_more_with_the_teacher(small_model: StaticModel, teacher: Any,
                                                corpus: list[str]) -> None:
    targets = teacher.encode(corpus)
    before_table = np.array(small_model.vectors.matrix)
    tuned = fine_tune(small_model, corpus, teacher, epochs=3, batch_size=8,
                      progress=False, targets=targets)
    np.testing.assert_array_equal(small_model.vectors.matrix, before_table)  # left unchanged
    teacher_cosines = _pair_cosines(targets)
    before = spearman(_pair_cosines(small_model.encode(corpus)), teacher_cosines)
    after = spearman(_pair_cosines(tuned.encode(corpus)), teacher_cosines)
    assert after > before + 0.05, (before, after)
    # re-weighted by corpus frequency: 'the' is in most texts, 'guitar' in a few, 'embeddings'
    # in none (weight 1)
    weight = dict(zip(tuned.vectors.keys, tuned.weights, strict=True))  # type: ignore[arg-type]
    assert weight["the"] < weight["guitar"] < weight["embeddings"] == 1.0
    assert (tuned.dim, tuned.pooling) == (384, "mean")  # the teacher's dimensions


def test_fine_tune_refuses_what_cannot_work(small_model: StaticModel, teacher: Any,
                                            corpus: list[str]) -> None:
    with pytest.raises(DataError, match="the corpus has 3 texts; fitting a map from 16 dimensions"):
        fine_tune(small_model, corpus[:3], teacher, progress=False)
    with pytest.raises(DataError, match="not one string"):
        fine_tune(small_model, "a cat", teacher, progress=False)
    with pytest.raises(DataError, match="2 targets for 56 texts"):
        fine_tune(small_model, corpus, teacher, targets=np.zeros((2, 384)), progress=False)
