"""distill: Model2Vec's recipe on the real teacher (all-MiniLM-L6-v2 from its package), checked
step by step: the teacher's outputs, the PCA, the Zipf weights, the added words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from embedlab import DataError, FormatError
from embedlab.sentences import distill, load_teacher, zipf_weights
from embedlab.sentences.distill import _teacher_outputs, pca

pytest.importorskip("sentence_transformers")


def test_zipf_weights_by_hand() -> None:
    # ranks 1, 2 -> 1/2, 1/3 -> probabilities 0.6, 0.4 -> a / (a + p) with a = 1e-4
    np.testing.assert_allclose(zipf_weights(2), [1e-4 / (1e-4 + 0.6), 1e-4 / (1e-4 + 0.4)],
                               rtol=1e-6)
    assert np.all(np.diff(zipf_weights(50)) > 0)  # rarer tokens weigh more


def test_pca_keeps_the_direction_of_most_variance() -> None:
    rng = np.random.default_rng(0)
    along = rng.normal(size=(200, 1)) * 10
    points = np.hstack([along, along, rng.normal(size=(200, 1)) * 0.1]) + 5
    projected = pca(points, 1)
    # the first axis is (1, 1, 0)/sqrt(2): coordinates are the centred sum over sqrt(2)
    expected = (points[:, 0] + points[:, 1] - (points[:, 0] + points[:, 1]).mean()) / np.sqrt(2)
    np.testing.assert_allclose(np.abs(projected[:, 0]), np.abs(expected), rtol=1e-3)
    np.testing.assert_array_equal(pca(points, 1), projected)  # same signs run to run


def test_token_outputs_are_the_teachers_own_embeddings(teacher: Any) -> None:
    ids = [[teacher.tokenizer.convert_tokens_to_ids(t)] for t in ("cat", "guitar")]
    raw = _teacher_outputs(teacher, ids, batch_size=1, progress=False)
    unit = raw / np.linalg.norm(raw, axis=1, keepdims=True)
    np.testing.assert_allclose(unit, teacher.encode(["cat", "guitar"]), atol=1e-5)


def test_small_model_agrees_with_the_teacher(small_model: Any, teacher: Any,
                                             sentences: list[str]) -> None:
    assert small_model.dim == 16
    assert small_model.vectors.keys[-1] == "embeddings"
    assert small_model.tokenize("Embeddings on a cat") == ["embeddings", "on", "a", "cat"]
    ours = small_model.encode(sentences)
    theirs = teacher.encode(sentences)
    for vectors in (ours, theirs):
        similarity = vectors @ vectors.T
        np.fill_diagonal(similarity, -np.inf)
        # the two guitar sentences and the two market sentences find each other
        assert similarity[2].argmax() == 3 and similarity[4].argmax() == 5


def test_a_folder_that_is_not_a_sentence_transformer(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(FormatError, match="is not a sentence-transformers model folder"):
        load_teacher(tmp_path)
    with pytest.raises(DataError, match="no such folder"):
        distill(tmp_path / "missing")


def test_a_folder_that_only_looks_like_a_sentence_transformer(tmp_path: Path,
                                                            teacher_folder: Path) -> None:
    import json
    import shutil

    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "modules.json").write_text("not json")
    with pytest.raises(FormatError, match="is not a sentence-transformers model this library can load"):
        load_teacher(broken)
    plain_bert = tmp_path / "bert"  # a modules.json naming a transformer without its files
    plain_bert.mkdir()
    (plain_bert / "modules.json").write_text(json.dumps([
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"}]))
    (plain_bert / "config.json").write_text("{}")
    with pytest.raises(FormatError, match="Should have a `model_type` key"):
        load_teacher(plain_bert)
    damaged = tmp_path / "damaged"  # the real teacher with its weights cut short
    shutil.copytree(teacher_folder, damaged)
    (damaged / "model.safetensors").write_bytes(b"garbage")
    with pytest.raises(FormatError, match="damaged: is not a sentence-transformers model"):
        load_teacher(damaged)


def test_bad_vocabularies_are_refused(teacher: Any) -> None:
    with pytest.raises(DataError, match=r"vocabulary entry 2 \('cat'\) repeats entry 0"):
        distill(teacher, ["cat", "dog", "cat"], teacher_tokens=["cat"], dims=1, progress=False)
    with pytest.raises(DataError, match="not one string"):
        distill(teacher, "cat dog", dims=1, progress=False)
    with pytest.raises(DataError, match=r"teacher_tokens entry 1 \('zzqqxx'\) is not in"):
        distill(teacher, teacher_tokens=["cat", "zzqqxx"], dims=1, progress=False)
    with pytest.raises(DataError, match="dims=3 needs at least 3 tokens"):
        distill(teacher, teacher_tokens=["cat", "dog"], dims=3, progress=False)
    with pytest.raises(DataError, match="dims=500 is more than the teacher's 384"):
        distill(teacher, teacher_tokens=["cat", "dog"], dims=500, progress=False)
