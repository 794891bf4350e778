"""Recommendation: user and item embeddings from interactions, and the metrics to judge them.

>>> from embedlab.recsys import Interactions, MatrixFactorization
>>> data = Interactions.from_dataset("movielens-100k")
>>> model = MatrixFactorization(vector_size=64).fit(data)
>>> model.recommend("196", k=5)                   # [(title, score), ...]
>>> model.similar_items("Star Wars (1977)", k=5)
>>> model.item_vectors                             # Vectors keyed by title

Models: :class:`MatrixFactorization` (biased MF in torch, Adam or SGD, early stopping),
:class:`BayesianMatrixFactorization` (BPMF by Gibbs sampling, the most accurate on small
data) and :class:`ImplicitALS` (weighted ALS with conjugate gradient, for implicit feedback).
"""

from __future__ import annotations

from .als import ImplicitALS
from .base import FittedModel, NotFittedError, load_model
from .bayes import BayesianMatrixFactorization
from .interactions import Interactions
from .metrics import mae, map_at_k, ndcg_at_k, precision_at_k, ranking_report, recall_at_k, rmse
from .mf import MatrixFactorization
from .split import kfold, leave_last_out, train_test_split

# The models import numpy only at the top; torch (MatrixFactorization) and the numba kernels
# load inside fit.


def models() -> dict[str, type[FittedModel]]:
    """Every model class by name (used to load saved models).

    Returns:
        Each recsys model class keyed by its class name.
    """
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
