"""Recommendation: user and item embeddings from interactions, and the metrics to judge them.

>>> from embedlab.recsys import Interactions, MatrixFactorization
>>> data = Interactions.from_dataset("movielens-100k")
>>> model = MatrixFactorization(dim=64).fit(data)
>>> model.recommend("196", k=5)                   # [(title, score), ...]
>>> model.similar_items("Star Wars (1977)", k=5)
>>> model.item_vectors                             # Vectors keyed by title

Models: :class:`MatrixFactorization` (biased MF in torch, Adam or SGD, early stopping),
:class:`BayesianMatrixFactorization` (BPMF by Gibbs sampling, the most accurate on small
data) and :class:`ImplicitALS` (weighted ALS with conjugate gradient, for implicit feedback).
"""

from __future__ import annotations

from typing import Any

from .base import FittedModel, NotFittedError, load_model
from .interactions import Interactions
from .metrics import mae, map_at_k, ndcg_at_k, precision_at_k, ranking_report, recall_at_k, rmse
from .split import kfold, leave_last_out, train_test_split


def __getattr__(name: str) -> Any:
    # The trainers import torch / numba; load them on first use only.
    if name == "MatrixFactorization":
        from .mf import MatrixFactorization

        return MatrixFactorization
    if name == "BayesianMatrixFactorization":
        from .bayes import BayesianMatrixFactorization

        return BayesianMatrixFactorization
    if name == "ImplicitALS":
        from .als import ImplicitALS

        return ImplicitALS
    raise AttributeError(f"module 'embedlab.recsys' has no attribute {name!r}")


def models() -> dict[str, type[FittedModel]]:
    """Every model class by name (used to load saved models)."""
    from .als import ImplicitALS
    from .bayes import BayesianMatrixFactorization
    from .mf import MatrixFactorization

    return {c.__name__: c for c in (MatrixFactorization, BayesianMatrixFactorization, ImplicitALS)}


__all__ = [
    "BayesianMatrixFactorization",
    "FittedModel",
    "ImplicitALS",
    "Interactions",
    "MatrixFactorization",
    "NotFittedError",
    "kfold",
    "leave_last_out",
    "load_model",
    "mae",
    "map_at_k",
    "models",
    "ndcg_at_k",
    "precision_at_k",
    "ranking_report",
    "recall_at_k",
    "rmse",
    "train_test_split",
]
