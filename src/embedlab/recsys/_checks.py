"""Checks of what a recommender is given: the interactions to fit, the ratings to fold in,
the id lists to score. Each failure is one sentence naming the argument."""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..errors import DataError, InvalidParameterError
from .interactions import Interactions


def check_interactions(data: object, owner: str) -> Interactions:
    """``data`` itself when it is an :class:`Interactions` with at least one row."""
    if not isinstance(data, Interactions):
        raise InvalidParameterError(
            f"The 'interactions' parameter of {owner}.fit must be an embedlab.recsys.Interactions "
            f"(build one with Interactions.from_arrays or from_file). Got {type(data).__name__} instead."
        )
    if len(data) == 0:
        raise DataError("the interaction set is empty")
    return data


def check_fold_in(ratings: object, data: Interactions, owner: str) -> np.ndarray:
    """The values of ``{item: rating}`` as float64, each finite and, for explicit ratings,
    inside the rating scale the model was trained on (a 50-star rating would be extrapolated
    into a vector that means nothing)."""
    if not isinstance(ratings, Mapping):
        raise InvalidParameterError(
            f"The 'ratings' parameter of {owner}.fold_in must be a mapping {{item: rating}}. "
            f"Got {type(ratings).__name__} instead."
        )
    if not ratings:
        raise DataError("fold_in needs at least one rated item")
    values: list[float] = []
    scale = data.rating_scale if data.kind == "explicit" else None
    for item, value in ratings.items():
        real = isinstance(value, numbers.Real) and not isinstance(value, bool)
        if not real or not math.isfinite(float(value)):
            raise DataError(f"the rating of {item!r} must be a finite number; got {value!r}")
        if scale is not None and not scale[0] <= float(value) <= scale[1]:
            raise DataError(
                f"the rating of {item!r} is {value!r}, outside the rating scale "
                f"{scale[0]:g} .. {scale[1]:g} the model was trained on"
            )
        if data.kind == "implicit" and float(value) <= 0:
            raise DataError(f"the count of {item!r} must be > 0; got {value!r}")
        values.append(float(value))
    return np.array(values, np.float64)


def as_id_list(ids: Any) -> tuple[list[Any], bool]:
    """``ids`` as a list, and whether one id (not a list) was given."""
    if isinstance(ids, list | tuple | np.ndarray):
        return list(np.asarray(ids).ravel()) if isinstance(ids, np.ndarray) else list(ids), False
    return [ids], True


def check_pairs(users: Any, items: Any) -> tuple[list[Any], list[Any]]:
    """Users and items for ``predict``: one of each, one against a list, or two lists of one
    length. Lists of different lengths would broadcast silently or fail deep in numpy."""
    users_l, one_user = as_id_list(users)
    items_l, one_item = as_id_list(items)
    if not one_user and not one_item and len(users_l) != len(items_l):
        raise DataError(
            f"predict takes as many users as items; got {len(users_l)} users and {len(items_l)} items"
        )
    if one_user and not one_item:
        users_l = users_l * len(items_l)
    if one_item and not one_user:
        items_l = items_l * len(users_l)
    return users_l, items_l
