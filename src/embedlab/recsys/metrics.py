"""Rating and ranking metrics: pure functions of predictions and held-out truth.

Ranking metrics take, per user, the ranked list of recommended item indices and the set of
relevant (held-out) items, and average over users that have at least one relevant item.
Definitions follow the common top-k conventions:

- precision@k = hits in the top k / k
- recall@k    = hits in the top k / number of relevant items
- NDCG@k      = DCG of the list / DCG of an ideal list, with gain 1 per hit and
  discount 1 / log2(rank + 1)
- MAP@k       = mean over users of (sum of precision@i at each hit rank i) / min(k, relevant)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..errors import DataError, check_param


def rmse(predicted: Sequence[float] | np.ndarray, actual: Sequence[float] | np.ndarray) -> float:
    """Root mean squared error.

    Args:
        predicted: Predicted ratings, one per test rating.
        actual: The true ratings, in the same order.

    Returns:
        The error, a float.

    Raises:
        DataError: The two are not 1-D of the same length, or are empty.

    Example:
        >>> rmse([1.0, 2.0], [1.0, 4.0])        # sqrt((0 + 4) / 2)
        1.4142135623730951
    """
    p, a = _pair(predicted, actual)
    return float(np.sqrt(np.mean((p - a) ** 2)))


def mae(predicted: Sequence[float] | np.ndarray, actual: Sequence[float] | np.ndarray) -> float:
    """Mean absolute error.

    Args:
        predicted: Predicted ratings, one per test rating.
        actual: The true ratings, in the same order.

    Returns:
        The error, a float.

    Raises:
        DataError: The two are not 1-D of the same length, or are empty.

    Example:
        >>> mae([1.0, 2.0], [1.0, 4.0])
        1.0
    """
    p, a = _pair(predicted, actual)
    return float(np.mean(np.abs(p - a)))


def _pair(predicted: Sequence[float] | np.ndarray, actual: Sequence[float] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    p = np.asarray(predicted, np.float64)
    a = np.asarray(actual, np.float64)
    if p.shape != a.shape or p.ndim != 1:
        raise DataError(f"predicted and actual must be 1-D of the same length; got {p.shape} and {a.shape}")
    if p.size == 0:
        raise DataError("no predictions to score")
    return p, a


def _hits(ranked: Sequence[int], relevant: set[int], k: int) -> np.ndarray:
    return np.array([item in relevant for item in list(ranked)[:k]], dtype=np.float64)


def precision_at_k(ranked: Sequence[Sequence[int]], relevant: Sequence[set[int]], k: int) -> float:
    """Mean over users of (hits in the top ``k``) / ``k``.

    Args:
        ranked: Per user, the recommended item indices, best first.
        relevant: Per user, the set of held-out items (users with none are left out).
        k: How many of each ranked list count; an int >= 1.

    Returns:
        The mean over users with at least one relevant item.

    Raises:
        InvalidParameterError: ``k`` below 1.
        DataError: A number of ranked lists other than the number of relevant sets, or no
            user with a relevant item.
    """
    return _mean_over_users(ranked, relevant, k, lambda h, rel: h.sum() / k)


def recall_at_k(ranked: Sequence[Sequence[int]], relevant: Sequence[set[int]], k: int) -> float:
    """Mean over users of (hits in the top ``k``) / (number of relevant items).

    Args:
        ranked: Per user, the recommended item indices, best first.
        relevant: Per user, the set of held-out items (users with none are left out).
        k: How many of each ranked list count; an int >= 1.

    Returns:
        The mean over users with at least one relevant item.

    Raises:
        InvalidParameterError: ``k`` below 1.
        DataError: A number of ranked lists other than the number of relevant sets, or no
            user with a relevant item.
    """
    return _mean_over_users(ranked, relevant, k, lambda h, rel: h.sum() / len(rel))


def ndcg_at_k(ranked: Sequence[Sequence[int]], relevant: Sequence[set[int]], k: int) -> float:
    """Mean over users of DCG@k / ideal DCG@k (binary gains, log2 discount).

    Args:
        ranked: Per user, the recommended item indices, best first.
        relevant: Per user, the set of held-out items (users with none are left out).
        k: How many of each ranked list count; an int >= 1.

    Returns:
        The mean over users with at least one relevant item.

    Raises:
        InvalidParameterError: ``k`` below 1.
        DataError: A number of ranked lists other than the number of relevant sets, or no
            user with a relevant item.
    """

    def one(h: np.ndarray, rel: set[int]) -> float:
        discounts = 1.0 / np.log2(np.arange(2, k + 2))
        ideal = discounts[: min(k, len(rel))].sum()
        return float((h * discounts[: len(h)]).sum() / ideal)

    return _mean_over_users(ranked, relevant, k, one)


def map_at_k(ranked: Sequence[Sequence[int]], relevant: Sequence[set[int]], k: int) -> float:
    """Mean average precision: per user, the mean of precision@i at each hit, over min(k, relevant).

    Args:
        ranked: Per user, the recommended item indices, best first.
        relevant: Per user, the set of held-out items (users with none are left out).
        k: How many of each ranked list count; an int >= 1.

    Returns:
        The mean over users with at least one relevant item.

    Raises:
        InvalidParameterError: ``k`` below 1.
        DataError: A number of ranked lists other than the number of relevant sets, or no
            user with a relevant item.
    """

    def one(h: np.ndarray, rel: set[int]) -> float:
        if not h.any():
            return 0.0
        precisions = np.cumsum(h) / np.arange(1, len(h) + 1)
        return float((precisions * h).sum() / min(k, len(rel)))

    return _mean_over_users(ranked, relevant, k, one)


def ranking_report(ranked: Sequence[Sequence[int]], relevant: Sequence[set[int]], k: int = 10) -> dict[str, float]:
    """precision, recall, NDCG and MAP at ``k`` in one dict.

    Args:
        ranked: Per user, the recommended item indices, best first.
        relevant: Per user, the set of held-out items (users with none are left out).
        k: How many of each ranked list count; an int >= 1.

    Returns:
        ``{'precision@k': ..., 'recall@k': ..., 'ndcg@k': ..., 'map@k': ...}``.

    Raises:
        InvalidParameterError: ``k`` below 1.
        DataError: A number of ranked lists other than the number of relevant sets, or no
            user with a relevant item.

    Example:
        >>> ranking_report([[3, 1, 2]], [{1}], k=2)     # one user; the hit is second of two
        {'precision@2': 0.5, 'recall@2': 1.0, 'ndcg@2': 0.6309297535714575, 'map@2': 0.5}
    """
    return {
        f"precision@{k}": precision_at_k(ranked, relevant, k),
        f"recall@{k}": recall_at_k(ranked, relevant, k),
        f"ndcg@{k}": ndcg_at_k(ranked, relevant, k),
        f"map@{k}": map_at_k(ranked, relevant, k),
    }


def _mean_over_users(ranked, relevant, k, score) -> float:  # type: ignore[no-untyped-def]
    check_param(isinstance(k, int) and k >= 1, "k", "ranking metrics", "an int >= 1", k)
    if len(ranked) != len(relevant):
        raise DataError(f"ranked lists ({len(ranked)}) and relevant sets ({len(relevant)}) differ in number")
    scores = [float(score(_hits(r, set(rel), k), set(rel))) for r, rel in zip(ranked, relevant, strict=True) if rel]
    if not scores:
        raise DataError("no user has a relevant item: nothing to score")
    return float(np.mean(scores))
