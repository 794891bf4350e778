"""``ImplicitALS``: weighted alternating least squares for implicit feedback ("what to show next").

Hu, Koren and Volinsky (2008): every user-item cell has preference 1 if the user interacted
with the item and 0 otherwise, weighted by confidence ``1 + alpha * count``; the users' and the
items' vectors are solved in turn. Each row's solve is a few conjugate-gradient steps started
from the previous answer (Takacs, Pilaszy and Tikk 2011), which is what keeps it cheap: the
unobserved cells enter only through the shared ``Y^T Y``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .._progress import progress_bar
from ..errors import DataError, check_param
from .base import FittedModel
from .interactions import Interactions


class ImplicitALS(FittedModel):
    """Implicit-feedback matrix factorisation by weighted ALS with conjugate gradient.

    Parameters
    ----------
    dim: size of the vectors.
    iterations: alternating sweeps (users, then items).
    regularization: L2 penalty ``lam``.
    alpha: confidence per unit of count (``c = 1 + alpha * count``).
    cg_steps: conjugate-gradient steps per row and sweep.
    seed: initialisation.

    Explicit ratings can be given too: each rating then counts as one interaction.
    """

    name = "ImplicitALS"

    def __init__(
        self, dim: int = 64, iterations: int = 15, regularization: float = 0.05,
        alpha: float = 2.0, cg_steps: int = 3, seed: int = 0, progress: bool = True,
    ) -> None:
        owner = "ImplicitALS"
        check_param(isinstance(dim, int) and dim >= 1, "dim", owner, "an int >= 1", dim)
        check_param(isinstance(iterations, int) and iterations >= 1, "iterations", owner, "an int >= 1", iterations)
        check_param(isinstance(regularization, int | float) and regularization >= 0, "regularization", owner, "a number >= 0", regularization)
        check_param(isinstance(alpha, int | float) and alpha > 0, "alpha", owner, "a number > 0", alpha)
        check_param(isinstance(cg_steps, int) and cg_steps >= 1, "cg_steps", owner, "an int >= 1", cg_steps)
        super().__init__()
        self.dim, self.iterations = dim, iterations
        self.regularization, self.alpha, self.cg_steps = float(regularization), float(alpha), cg_steps
        self.seed, self.progress = seed, progress

    def config(self) -> dict[str, Any]:
        return {"dim": self.dim, "iterations": self.iterations, "regularization": self.regularization,
                "alpha": self.alpha, "cg_steps": self.cg_steps, "seed": self.seed}

    def _confidence(self, data: Interactions) -> np.ndarray:
        counts = np.ones(len(data)) if data.kind == "explicit" else np.asarray(data.values, np.float64)
        return 1.0 + self.alpha * counts

    def fit(self, interactions: Interactions) -> ImplicitALS:
        """Fit on interactions (counts, or explicit ratings read as 'interacted'); returns ``self``."""
        from ._factor_kernels import als_cg_rows
        from .bayes import _csr

        data = interactions
        if len(data) == 0:
            raise DataError("the interaction set is empty")
        conf = self._confidence(data)
        by_user = _csr(data.users, data.items, conf, data.n_users)
        by_item = _csr(data.items, data.users, conf, data.n_items)
        rng = np.random.default_rng(self.seed)
        x = rng.standard_normal((data.n_users, self.dim)) * 0.01
        y = rng.standard_normal((data.n_items, self.dim)) * 0.01
        with progress_bar(self.iterations, "implicit ALS", self.progress) as bar:
            for _ in range(self.iterations):
                als_cg_rows(*by_user, x, y, y.T @ y, self.regularization, self.cg_steps)
                als_cg_rows(*by_item, y, x, x.T @ x, self.regularization, self.cg_steps)
                bar.advance(1)
        self._set_factors(data, x, y)
        return self

    def fold_in(
        self, ratings: Mapping[Any, float], k: int = 10, regularization: float | None = None
    ) -> list[tuple[str, float]]:
        """Recommendations for a new user from ``{item: count}`` (any positive value works):
        the exact weighted-least-squares user solve of ALS, against the fitted item vectors."""
        data = self._fitted()
        if not ratings:
            raise DataError("fold_in needs at least one item")
        rows = np.array([data.item_index(item) for item in ratings], np.int64)
        counts = np.array(list(ratings.values()), np.float64)
        assert self.item_factors is not None
        y = self.item_factors.astype(np.float64)
        lam = self.regularization if regularization is None else regularization
        ys = y[rows]
        conf = 1.0 + self.alpha * counts
        a = y.T @ y + lam * np.eye(y.shape[1]) + (ys * (conf - 1.0)[:, None]).T @ ys
        vector = np.linalg.solve(a, (ys * conf[:, None]).sum(axis=0))
        return self._ranked(vector[None, :].astype(np.float32), k, rows)
