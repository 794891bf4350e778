"""What every fitted recommender can do once it has user and item factors.

A model is a score ``global_mean + user_bias[u] + item_bias[i] + user_factors[u] . item_factors[i]``
(implicit models keep the biases at zero). Everything here — ranking, similar items, the
``Vectors`` views, folding in a new user, saving — works on those arrays alone, so the
trainers (torch SGD, Gibbs sampling, ALS) only have to fill them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from .._io import Folder, PathLike, atomic_folder, read_folder
from ..errors import DataError, EmbedlabError, FormatError, check_param
from ..neighbors.topk import top_k
from ..vectors import Vectors
from ._checks import check_fold_in, check_pairs
from .interactions import Interactions, unique_titles

FORMAT_VERSION = 1
_FILES = ("model.json", "model.safetensors")  # what a saved model folder holds
# Parameter names of older versions, as a saved model.json may hold them.
_RENAMED = {"dim": "vector_size", "lr": "learning_rate"}


class NotFittedError(EmbedlabError, RuntimeError):
    """A model was asked a question before ``fit``."""


class FittedModel:
    """Factors, biases and id maps of a trained recommender, and the questions they answer."""

    name = "Recommender"

    def __init__(self) -> None:
        self.user_factors: np.ndarray | None = None
        self.item_factors: np.ndarray | None = None
        self.user_bias: np.ndarray | None = None
        self.item_bias: np.ndarray | None = None
        self.global_mean = 0.0
        self.interactions_: Interactions | None = None
        self.history: list[dict[str, float]] = []

    # ------------------------------------------------------------------ filled by fit()
    def _set_factors(
        self,
        data: Interactions,
        user_factors: np.ndarray,
        item_factors: np.ndarray,
        user_bias: np.ndarray | None = None,
        item_bias: np.ndarray | None = None,
        global_mean: float = 0.0,
    ) -> None:
        self.interactions_ = data
        self.user_factors = np.ascontiguousarray(user_factors, np.float32)
        self.item_factors = np.ascontiguousarray(item_factors, np.float32)
        self.user_bias = np.zeros(data.n_users, np.float32) if user_bias is None else np.asarray(user_bias, np.float32)
        self.item_bias = np.zeros(data.n_items, np.float32) if item_bias is None else np.asarray(item_bias, np.float32)
        self.global_mean = float(global_mean)
        self._seen = data.seen()

    def _fitted(self) -> Interactions:
        if self.interactions_ is None or self.item_factors is None:
            raise NotFittedError(f"this {self.name} is not fitted yet; call fit(interactions) first")
        return self.interactions_

    # ------------------------------------------------------------------ predictions
    def predict(self, users: Any, items: Any) -> np.ndarray:
        """Predicted scores (ratings, clipped to the rating scale) for ids or id lists.

        Args:
            users: A user id or a list of them.
            items: An item id or title, or a list of them: one of each, one against a list,
                or two lists of one length.

        Returns:
            One float32 score per (user, item) pair.

        Raises:
            NotFittedError: The model is not fitted yet.
            DataError: ``users`` and ``items`` differ in length.
            UnknownKeyError: A user or item is not in the training data.
        """
        data = self._fitted()
        users_l, items_l = check_pairs(users, items)
        u = np.array([data.user_index(x) for x in users_l], np.int64)
        i = np.array([data.item_index(x) for x in items_l], np.int64)
        return self.predict_indices(u, i)

    def predict_indices(self, users: np.ndarray, items: np.ndarray) -> np.ndarray:
        """Predicted scores for index arrays (as in :class:`Interactions`).

        Args:
            users: User indices.
            items: Item indices, paired with ``users``.

        Returns:
            One float32 score per pair (clipped to the rating scale for explicit ratings).

        Raises:
            NotFittedError: The model is not fitted yet.
        """
        data = self._fitted()
        assert self.user_factors is not None and self.item_factors is not None
        assert self.user_bias is not None and self.item_bias is not None
        scores: np.ndarray = (
            self.global_mean + self.user_bias[users] + self.item_bias[items]
            + np.einsum("ij,ij->i", self.user_factors[users], self.item_factors[items])
        )
        if data.rating_scale is not None and data.kind == "explicit":
            scores = np.clip(scores, *data.rating_scale)
        return scores.astype(np.float32)

    def evaluate(self, test: Interactions) -> dict[str, float]:
        """RMSE and MAE of the predictions on ``test`` (a split of the same interactions).

        Args:
            test: Held-out interactions indexed like the training data.

        Returns:
            ``{"rmse": ..., "mae": ...}``.

        Raises:
            NotFittedError: The model is not fitted yet.
        """
        from .metrics import mae, rmse

        predicted = self.predict_indices(test.users, test.items)
        return {"rmse": rmse(predicted, test.values), "mae": mae(predicted, test.values)}

    # ------------------------------------------------------------------ ranking
    def _item_scores(self, user_vectors: np.ndarray) -> np.ndarray:
        assert self.item_factors is not None and self.item_bias is not None
        scores: np.ndarray = user_vectors @ self.item_factors.T + self.item_bias[None, :]
        return scores

    def recommend_indices(
        self, users: np.ndarray, k: int = 10, exclude_seen: bool = True
    ) -> np.ndarray:
        """Top-``k`` item indices for each user index (best first), as one array.

        Equal scores keep the lower item index first; a user with fewer than ``k`` items left
        to recommend gets -1 in the free places.

        Args:
            users: User indices.
            k: Items per user.
            exclude_seen: Leave out the items each user interacted with in training.

        Returns:
            A ``len(users) x k`` int array of item indices.

        Raises:
            NotFittedError: The model is not fitted yet.
        """
        self._fitted()
        assert self.user_factors is not None
        users = np.asarray(users, np.int64)
        scores = self._item_scores(self.user_factors[users]).astype(np.float32)
        if exclude_seen:
            indptr, indices = self._seen
            for row, user in enumerate(users):
                scores[row, indices[indptr[user]:indptr[user + 1]]] = -np.inf
        return top_k(scores, k)[0]

    def recommend(self, user: object, k: int = 10, exclude_seen: bool = True) -> list[tuple[str, float]]:
        """The ``k`` best items for ``user`` as (title or id, score), leaving out what they saw.

        For rating models the score is the predicted rating, clipped to the rating scale
        (the order comes from the unclipped prediction).

        Args:
            user: The user id.
            k: How many items; an int >= 1.
            exclude_seen: Leave out the items the user interacted with in training.

        Returns:
            Up to ``k`` pairs ``(item title or id, score)``, best first.

        Raises:
            NotFittedError: The model is not fitted yet.
            InvalidParameterError: ``k`` is not an int >= 1.
            UnknownKeyError: ``user`` is not in the training data.
        """
        data = self._fitted()
        check_param(isinstance(k, int) and k >= 1, "k", "recommend", "an int >= 1", k)
        u = data.user_index(user)
        assert self.user_factors is not None and self.user_bias is not None
        offset = self.global_mean + float(self.user_bias[u])  # scores read as predicted ratings
        return self._ranked(self.user_factors[u : u + 1], k, self._seen_of(u) if exclude_seen else None, offset)

    def _seen_of(self, user: int) -> np.ndarray:
        indptr, indices = self._seen
        return indices[indptr[user]:indptr[user + 1]]

    def _ranked(
        self, user_vector: np.ndarray, k: int, exclude: np.ndarray | None, offset: float = 0.0
    ) -> list[tuple[str, float]]:
        data = self._fitted()
        scores = (self._item_scores(user_vector) + offset).astype(np.float32)
        if exclude is not None and len(exclude):
            scores[0, exclude] = -np.inf
        index, values = top_k(scores, k)
        if data.kind == "explicit" and data.rating_scale is not None and offset:
            values = np.where(np.isfinite(values), np.clip(values, *data.rating_scale), values)
        keys = data.item_keys()
        return [(keys[i], float(v)) for i, v in zip(index[0], values[0], strict=True) if np.isfinite(v)]

    def similar_items(self, item: object, k: int = 10) -> list[tuple[str, float]]:
        """The ``k`` items whose factors are closest by cosine to ``item`` (by title or id).

        Args:
            item: The item, by title or id.
            k: How many items; an int >= 1.

        Returns:
            Up to ``k`` pairs ``(item key, cosine)``, best first.

        Raises:
            NotFittedError: The model is not fitted yet.
            InvalidParameterError: ``k`` is not an int >= 1.
            UnknownKeyError: ``item`` is not in the training data.
        """
        data = self._fitted()
        check_param(isinstance(k, int) and k >= 1, "k", "similar_items", "an int >= 1", k)
        row = data.item_index(item)
        vectors = self.item_vectors
        return vectors.most_similar(vectors.keys[row], topn=k)

    # ------------------------------------------------------------------ Vectors views
    @property
    def item_vectors(self) -> Vectors:
        """Item factors keyed by title (repeated titles get `` [id]``), with ids as metadata."""
        data = self._fitted()
        meta: dict[str, list[Any]] = {"id": list(data.item_ids)}
        if data.item_titles is not None:
            meta["title"] = list(data.item_titles)
        counts = np.bincount(data.items, minlength=data.n_items)
        return Vectors(data.item_keys(), self.item_factors, counts=counts, metadata=meta)  # type: ignore[arg-type]

    @property
    def user_vectors(self) -> Vectors:
        """User factors keyed by user id."""
        data = self._fitted()
        counts = np.bincount(data.users, minlength=data.n_users)
        return Vectors(data.user_ids, self.user_factors, counts=counts)  # type: ignore[arg-type]

    # ------------------------------------------------------------------ new users
    def fold_in(
        self, ratings: Mapping[Any, float], k: int = 10, regularization: float | None = None
    ) -> list[tuple[str, float]]:
        """Recommendations for a new user from a few ``{item: rating}`` pairs, without refitting.

        The user's vector is the ridge-regression answer to "which vector, dotted with the
        items' vectors, gives back these ratings (less the global mean and item biases)?".

        Args:
            ratings: The new user's ``{item title or id: rating}``.
            k: How many items to recommend.
            regularization: The ridge penalty, or None for the model's own.

        Returns:
            Up to ``k`` pairs ``(item title or id, score)``, best first, the rated items left out.

        Raises:
            NotFittedError: The model is not fitted yet.
            InvalidParameterError: ``ratings`` is not a mapping.
            DataError: ``ratings`` is empty or holds a value that is not a valid rating.
            UnknownKeyError: An item is not in the training data.
        """
        data = self._fitted()
        values = check_fold_in(ratings, data, self.name)
        rows = np.array([data.item_index(item) for item in ratings], np.int64)
        vector = self._fold_in_vector(rows, values, regularization)
        return self._ranked(vector[None, :].astype(np.float32), k, rows, self.global_mean)

    def _fold_in_vector(self, rows: np.ndarray, values: np.ndarray, regularization: float | None) -> np.ndarray:
        assert self.item_factors is not None and self.item_bias is not None
        lam = self._fold_in_regularization() if regularization is None else regularization
        q = self.item_factors[rows].astype(np.float64)
        target = values - self.global_mean - self.item_bias[rows]
        a = q.T @ q + lam * np.eye(q.shape[1])
        return np.linalg.solve(a, q.T @ target)

    def _fold_in_regularization(self) -> float:
        return 1.0

    # ------------------------------------------------------------------ files
    def config(self) -> dict[str, Any]:
        """The constructor arguments (saved beside the weights).

        Returns:
            The arguments by name.
        """
        return {}

    def save(self, path: PathLike) -> None:
        """Write a folder: ``model.safetensors`` (factors, biases, interactions) and ``model.json``
        (ids, titles, settings), the two replacing a model saved there before in one step (an
        interrupted save leaves the previous model; a reader never gets one of each).

        Args:
            path: The folder to write.

        Raises:
            NotFittedError: The model is not fitted yet.
            DataError: ``path`` is a file, or a folder holding files other than a saved model.
        """
        from safetensors.numpy import save as save_arrays

        data = self._fitted()
        out = Path(path)
        if out.is_dir():
            others = sorted(p.name for p in out.iterdir() if p.name not in _FILES)
            if others:
                raise DataError(
                    f"{out}: holds files other than a saved recommender ({', '.join(others[:3])}); "
                    "the folder is replaced whole, so choose a new or empty one"
                )
        elif out.exists():
            raise DataError(f"{out}: is a file; give a folder to save the recommender into")
        arrays = {
            "user_factors": self.user_factors, "item_factors": self.item_factors,
            "user_bias": self.user_bias, "item_bias": self.item_bias,
            "users": np.asarray(data.users), "items": np.asarray(data.items),
            "values": np.asarray(data.values),
        }
        meta = {
            "format": "embedlab-recsys", "version": FORMAT_VERSION, "model": type(self).__name__,
            "config": self.config(), "global_mean": self.global_mean, "kind": data.kind,
            "rating_scale": data.rating_scale, "user_ids": data.user_ids, "item_ids": data.item_ids,
            "item_titles": data.item_titles,
        }
        with atomic_folder(out) as staging:
            (staging / "model.safetensors").write_bytes(
                save_arrays({k: np.ascontiguousarray(v) for k, v in arrays.items()})
            )
            (staging / "model.json").write_text(json.dumps(meta), encoding="utf-8")


def load_model(path: PathLike) -> FittedModel:
    """Read a model written by ``save`` (any of the recsys models).

    Args:
        path: The folder that ``save`` wrote.

    Returns:
        The fitted model, of the class that was saved.

    Raises:
        FormatError: The folder is missing or unreadable, or its files are not a saved
            recommender (bad JSON, corrupt or missing weights, unknown model type).
    """
    from safetensors.numpy import load as load_arrays

    from . import models

    root = Path(path)

    def read(folder: Folder) -> tuple[bytes, bytes | None]:
        # Both files opened before either is read: they come from one save.
        try:
            meta_file = folder.open("model.json")
        except FileNotFoundError:
            raise FormatError("not a saved recommender (no model.json)", root) from None
        with meta_file:
            try:
                weights_file = folder.open("model.safetensors")
            except FileNotFoundError:
                return meta_file.read(), None
            with weights_file:
                return meta_file.read(), weights_file.read()

    try:
        meta_bytes, weights = read_folder(root, read)
    except (FileNotFoundError, NotADirectoryError):
        raise FormatError("not a saved recommender (no model.json)", root) from None
    except OSError as exc:
        raise FormatError(f"cannot be read: {exc.strerror}", root) from None
    try:
        meta = json.loads(meta_bytes.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise FormatError(f"model.json is not UTF-8 ({exc.reason} at byte {exc.start})", root / "model.json") from None
    except json.JSONDecodeError as exc:
        raise FormatError(f"model.json is not valid JSON ({exc})", root / "model.json", exc.lineno) from None
    except RecursionError:
        raise FormatError("model.json is not a saved recommender (nested too deeply)", root / "model.json") from None
    if not isinstance(meta, dict) or meta.get("format") != "embedlab-recsys":
        raise FormatError("model.json is not an embedlab recommender", root / "model.json")
    try:
        if weights is None:
            raise FileNotFoundError("no model.safetensors")
        arrays = load_arrays(weights)
    except Exception as exc:  # safetensors raises its own error type on corrupt bytes
        raise FormatError(f"corrupt or missing weights ({exc})", root / "model.safetensors") from None
    cls = models().get(meta["model"])
    if cls is None:
        raise FormatError(f"unknown model type {meta['model']!r}", root / "model.json")
    config = {_RENAMED.get(name, name): value for name, value in meta["config"].items()}
    model: FittedModel = cls(**config)
    scale = meta["rating_scale"]
    data = Interactions(
        arrays["users"], arrays["items"], arrays["values"], meta["user_ids"], meta["item_ids"],
        kind=meta["kind"], rating_scale=None if scale is None else tuple(scale),
        item_titles=meta["item_titles"],
    )
    model._set_factors(
        data, arrays["user_factors"], arrays["item_factors"], arrays["user_bias"],
        arrays["item_bias"], meta["global_mean"],
    )
    return model


__all__ = ["FittedModel", "NotFittedError", "load_model", "unique_titles"]
