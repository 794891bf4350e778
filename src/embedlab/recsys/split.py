"""Train/test splits of :class:`Interactions`: random k-fold and per-user leave-last-out."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ..errors import DataError, check_param
from .interactions import Interactions


def kfold(data: Interactions, k: int = 5, seed: int = 0) -> Iterator[tuple[Interactions, Interactions]]:
    """``k`` (train, test) pairs from one shuffle: each interaction is tested exactly once.

    Args:
        data: The interactions to split.
        k: Number of folds; an int >= 2.
        seed: Seed of the shuffle.

    Returns:
        An iterator of ``k`` (train, test) pairs of :class:`Interactions`.

    Raises:
        InvalidParameterError: ``k`` below 2.
        DataError: Fewer interactions than folds.
    """
    check_param(isinstance(k, int) and k >= 2, "k", "kfold", "an int >= 2", k)
    if len(data) < k:
        raise DataError(f"{len(data)} interactions cannot make {k} folds")
    order = np.random.default_rng(seed).permutation(len(data))
    for part in np.array_split(order, k):
        mask = np.ones(len(data), bool)
        mask[part] = False
        yield data.take(np.nonzero(mask)[0]), data.take(np.sort(part))


def train_test_split(data: Interactions, test_size: float = 0.2, seed: int = 0) -> tuple[Interactions, Interactions]:
    """One random split; ``test_size`` is the fraction held out.

    Args:
        data: The interactions to split.
        test_size: The fraction held out for testing, in (0, 1).
        seed: Seed of the shuffle.

    Returns:
        (train, test), both :class:`Interactions` in their original row order.

    Raises:
        InvalidParameterError: ``test_size`` outside (0, 1).
    """
    check_param(0 < test_size < 1, "test_size", "train_test_split", "a float in (0, 1)", test_size)
    order = np.random.default_rng(seed).permutation(len(data))
    cut = int(round(len(data) * (1 - test_size)))
    return data.take(np.sort(order[:cut])), data.take(np.sort(order[cut:]))


def leave_last_out(data: Interactions, n: int = 1) -> tuple[Interactions, Interactions]:
    """For every user with more than ``n`` interactions, the latest ``n`` go to the test set.

    Ties in time break by row order (later rows count as later). Users with ``n`` or fewer
    interactions stay entirely in training.

    Args:
        data: Interactions with timestamps.
        n: How many of each user's latest interactions to hold out; an int >= 1.

    Returns:
        (train, test), both :class:`Interactions`.

    Raises:
        InvalidParameterError: ``n`` below 1.
        DataError: The interactions have no timestamps.
    """
    check_param(isinstance(n, int) and n >= 1, "n", "leave_last_out", "an int >= 1", n)
    if data.timestamps is None:
        raise DataError("leave_last_out needs timestamps; these interactions have none")
    rows = np.arange(len(data))
    order = np.lexsort((rows, data.timestamps, data.users))
    users = data.users[order]
    counts = np.bincount(users, minlength=data.n_users)
    ends = np.cumsum(counts)
    position_from_end = ends[users] - np.arange(len(order))  # 1 for each user's last row
    test = (position_from_end <= n) & (counts[users] > n)
    return data.take(np.sort(order[~test])), data.take(np.sort(order[test]))
