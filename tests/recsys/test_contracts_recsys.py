"""The contract every recommender keeps: each model of ``recsys.models()`` runs the same suite.

Fit, recommend, similar items, fold-in, a save/load round trip and unknown ids, on a tiny
rating set (two tribes of users with opposite tastes), with settings small enough to be quick.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from embedlab import InvalidParameterError, UnknownKeyError, Vectors
from embedlab.recsys import FittedModel, Interactions, NotFittedError, load_model, models

# Small settings per model; a model added to recsys.models() must add its line here.
QUICK: dict[str, dict[str, Any]] = {
    "MatrixFactorization": {"vector_size": 2, "epochs": 5, "validation": 0.0, "learning_rate": 0.05},
    "BayesianMatrixFactorization": {"vector_size": 2, "samples": 4, "burn_in": 2},
    "ImplicitALS": {"vector_size": 2, "iterations": 3},
}
ITEMS = ["i0", "i1", "i2", "i3", "i4", "i5"]


def _ratings() -> Interactions:
    # Tribe A (u0-u3) loves i0-i2 and dislikes i3-i5; tribe B the reverse. Each user leaves
    # two items unrated, so there is something to recommend.
    users, items, values = [], [], []
    for u in range(8):
        likes = ITEMS[:3] if u < 4 else ITEMS[3:]
        for j, item in enumerate(ITEMS):
            if (j + u) % 3 == 0:
                continue
            users.append(f"u{u}")
            items.append(item)
            values.append(5.0 if item in likes else 1.0)
    return Interactions.from_arrays(users, items, values, rating_scale=(1.0, 5.0))


@pytest.fixture(scope="module")
def data() -> Interactions:
    return _ratings()


@pytest.fixture(scope="module", params=sorted(models()))
def fitted(request: pytest.FixtureRequest, data: Interactions) -> FittedModel:
    cls: Any = models()[request.param]
    model: FittedModel = cls(**QUICK[request.param], seed=0, progress=False)
    returned: object = cls.fit(model, data)
    assert returned is model  # fit returns the model itself
    return model


def test_every_model_has_quick_settings() -> None:
    assert set(models()) == set(QUICK)


def test_recommend_leaves_out_what_the_user_saw(fitted: FittedModel, data: Interactions) -> None:
    seen = {data.item_ids[i] for u, i in zip(data.users, data.items, strict=True)
            if data.user_ids[u] == "u0"}
    found = fitted.recommend("u0", k=3)
    assert 1 <= len(found) <= 3
    assert all(isinstance(key, str) and isinstance(score, float) for key, score in found)
    assert not seen & {key for key, _ in found}
    scores = [score for _, score in found]
    assert scores == sorted(scores, reverse=True)
    with_seen = fitted.recommend("u0", k=len(ITEMS), exclude_seen=False)
    assert {key for key, _ in with_seen} == set(ITEMS)


def test_similar_items_are_other_items(fitted: FittedModel) -> None:
    found = fitted.similar_items("i0", k=3)
    assert len(found) == 3
    assert "i0" not in {key for key, _ in found}
    assert all(-1.0 - 1e-5 <= score <= 1.0 + 1e-5 for _, score in found)  # cosines


def test_fold_in_recommends_for_a_new_user(fitted: FittedModel) -> None:
    found = fitted.fold_in({"i0": 5.0, "i1": 5.0}, k=2)
    assert len(found) == 2
    assert not {"i0", "i1"} & {key for key, _ in found}


def test_vectors_views(fitted: FittedModel, data: Interactions) -> None:
    items, users = fitted.item_vectors, fitted.user_vectors
    assert isinstance(items, Vectors) and isinstance(users, Vectors)
    assert items.keys == data.item_keys() and len(users) == data.n_users
    assert items.dim == users.dim


def test_save_and_load_give_the_same_answers(fitted: FittedModel, tmp_path: Path) -> None:
    fitted.save(tmp_path / "model")
    again = load_model(tmp_path / "model")
    assert type(again) is type(fitted)
    assert again.config() == fitted.config()
    assert again.recommend("u5", k=3) == fitted.recommend("u5", k=3)
    assert again.similar_items("i4", k=2) == fitted.similar_items("i4", k=2)
    np.testing.assert_array_equal(again.item_vectors.matrix, fitted.item_vectors.matrix)


def test_unknown_ids_name_themselves(fitted: FittedModel) -> None:
    with pytest.raises(UnknownKeyError, match="user 'nobody'"):
        fitted.recommend("nobody")
    with pytest.raises(UnknownKeyError, match="'i9'"):
        fitted.similar_items("i9")
    with pytest.raises(UnknownKeyError, match="'i9'"):
        fitted.fold_in({"i9": 4.0})
    with pytest.raises(InvalidParameterError, match="The 'k' parameter of recommend must be an int >= 1. Got 0 instead."):
        fitted.recommend("u0", k=0)


@pytest.mark.parametrize("name", sorted(models()))
def test_questions_before_fit_say_so(name: str) -> None:
    model: Any = models()[name](**QUICK[name])
    with pytest.raises(NotFittedError, match="not fitted yet"):
        model.recommend("u0")
    with pytest.raises(NotFittedError):
        model.similar_items("i0")
