"""``ImplicitALS``: weighted alternating least squares for implicit feedback ("what to show next").

Hu, Koren and Volinsky (2008): every user-item cell has preference 1 if the user interacted
with the item and 0 otherwise, weighted by confidence ``1 + alpha * count``; the users' and the
items' vectors are solved in turn. Each row's solve is a few conjugate-gradient steps started
from the previous answer (Takacs, Pilaszy and Tikk 2011), which is what keeps it cheap: the
unobserved cells enter only through the shared ``Y^T Y``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from .._params import PROGRESS, SEED, ConstraintSpec, Interval, validate_params
from .._progress import progress_bar
from ._checks import check_fold_in, check_interactions
from .base import FittedModel
from .interactions import Interactions


class ImplicitALS(FittedModel):
    """Implicit-feedback matrix factorisation by weighted ALS with conjugate gradient.

    Parameters
    ----------
    vector_size: size of the vectors.
    iterations: alternating sweeps (users, then items).
    regularization: L2 penalty ``lam``.
    alpha: confidence per unit of count (``c = 1 + alpha * count``).
    cg_steps: conjugate-gradient steps per row and sweep.
    seed: initialisation.

    Explicit ratings can be given too: each rating then counts as one interaction.
    """

    name = "ImplicitALS"

    def __init__(
        self, vector_size: int = 64, iterations: int = 15, regularization: float = 0.05,
        alpha: float = 2.0, cg_steps: int = 3, seed: int = 0, progress: bool = True,
    ) -> None:
        super().__init__()
        self.vector_size, self.iterations = vector_size, iterations
        self.regularization, self.alpha, self.cg_steps = regularization, alpha, cg_steps
        self.seed, self.progress = seed, progress

    # Every parameter, declared once; fit() checks them (see embedlab._params).
    _parameter_constraints: ClassVar[dict[str, list[ConstraintSpec]]] = {
        "vector_size": [Interval(int, 1, None)],
        "iterations": [Interval(int, 1, None)],
        "regularization": [Interval(float, 0, None)],
        "alpha": [Interval(float, 0, None, closed="right")],
        "cg_steps": [Interval(int, 1, None)],
        "seed": SEED,
        "progress": PROGRESS,
    }

    def config(self) -> dict[str, Any]:
        """The constructor arguments (saved beside the weights).

        Returns:
            The arguments by name.
        """
        return {"vector_size": self.vector_size, "iterations": self.iterations, "regularization": self.regularization,
                "alpha": self.alpha, "cg_steps": self.cg_steps, "seed": self.seed}

    def _confidence(self, data: Interactions) -> np.ndarray:
        counts = np.ones(len(data)) if data.kind == "explicit" else np.asarray(data.values, np.float64)
        return 1.0 + self.alpha * counts

    def fit(self, interactions: Interactions) -> ImplicitALS:
        """Fit on interactions (counts, or explicit ratings read as 'interacted'); returns ``self``.

        Args:
            interactions: The training interactions.

        Returns:
            The model itself, fitted.

        Raises:
            InvalidParameterError: A setting of the model is out of range, or ``interactions``
                is not an :class:`Interactions`.
            DataError: The interactions are empty.
        """
        from ._factor_kernels import als_cg_rows
        from .bayes import _csr

        validate_params(self)
        data = check_interactions(interactions, self.name)
        conf = self._confidence(data)
        by_user = _csr(data.users, data.items, conf, data.n_users)
        by_item = _csr(data.items, data.users, conf, data.n_items)
        rng = np.random.default_rng(self.seed)
        x = rng.standard_normal((data.n_users, self.vector_size)) * 0.01
        y = rng.standard_normal((data.n_items, self.vector_size)) * 0.01
        with progress_bar(self.iterations, "implicit ALS", self.progress, unit="iterations") as bar:
            for _ in range(self.iterations):
                als_cg_rows(*by_user, x, y, y.T @ y, float(self.regularization), int(self.cg_steps))
                als_cg_rows(*by_item, y, x, x.T @ x, float(self.regularization), int(self.cg_steps))
                bar.advance(1)
        self._set_factors(data, x, y)
        return self

    def fold_in(
        self, ratings: Mapping[Any, float], k: int = 10, regularization: float | None = None
    ) -> list[tuple[str, float]]:
        """Recommendations for a new user from ``{item: count}`` (any positive value works):
        the exact weighted-least-squares user solve of ALS, against the fitted item vectors.

        Args:
            ratings: The new user's ``{item title or id: count}``.
            k: How many items to recommend.
            regularization: The ridge penalty, or None for the model's ``regularization``.

        Returns:
            Up to ``k`` pairs ``(item title or id, score)``, best first, the given items left out.

        Raises:
            NotFittedError: The model is not fitted yet.
            InvalidParameterError: ``ratings`` is not a mapping.
            DataError: ``ratings`` is empty or holds a count that is not a positive number.
            UnknownKeyError: An item is not in the training data.
        """
        data = self._fitted()
        counts = check_fold_in(ratings, data, self.name)
        rows = np.array([data.item_index(item) for item in ratings], np.int64)
        assert self.item_factors is not None
        y = self.item_factors.astype(np.float64)
        lam = self.regularization if regularization is None else regularization
        ys = y[rows]
        conf = 1.0 + self.alpha * counts
        a = y.T @ y + lam * np.eye(y.shape[1]) + (ys * (conf - 1.0)[:, None]).T @ ys
        vector = np.linalg.solve(a, (ys * conf[:, None]).sum(axis=0))
        return self._ranked(vector[None, :].astype(np.float32), k, rows)
