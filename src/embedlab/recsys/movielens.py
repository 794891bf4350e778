"""MovieLens as RecBole ships it: the ``.inter`` ratings and the ``.item`` titles and genres
beside them (``datasets.load("movielens-100k")``), read by ``_tables`` as
:meth:`~embedlab.recsys.Interactions.from_file` reads them, so there is one parser for both."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .._io import PathLike
from ..errors import FormatError
from ._tables import (
    ITEM_NAMES,
    TIME_NAMES,
    USER_NAMES,
    VALUE_NAMES,
    find_column,
    item_table,
    read_table,
)


@dataclass
class Ratings:
    """MovieLens-style ratings as the files hold them: parallel arrays of raw ids, ratings and
    times, plus item titles and genres by item id (``datasets.load("movielens-100k")``)."""

    users: np.ndarray
    items: np.ndarray
    ratings: np.ndarray
    timestamps: np.ndarray
    item_titles: dict[str, str]
    item_genres: dict[str, list[str]]

    def __len__(self) -> int:
        return int(self.ratings.shape[0])


def read_movielens(path: PathLike) -> Ratings:
    """Read a RecBole ``.inter`` file (user, item, rating, timestamp) and the ``.item`` file
    beside it (title, release year, genres) as :class:`Ratings`; ids stay strings.

    Args:
        path: The ``.inter`` file.

    Returns:
        The ratings with their titles and genres by item id.

    Raises:
        FormatError: a column is missing, a row has the wrong number of fields, or a rating
            or time is not a number.
        DataError: The file has a header and no rows.
    """
    source = Path(path)
    columns, rows = read_table(source, "\t")
    found = [
        find_column(columns, names, what, source)
        for names, what in ((USER_NAMES, "user"), (ITEM_NAMES, "item"),
                            (VALUE_NAMES, "rating"), (TIME_NAMES, "timestamp"))
    ]
    user_col, item_col, value_col, time_col = (int(c or 0) for c in found)
    ratings = np.empty(len(rows), np.float32)
    stamps = np.empty(len(rows), np.int64)
    for n, row in enumerate(rows):
        try:
            ratings[n] = float(row[value_col])
            stamps[n] = int(float(row[time_col]))
        except ValueError:
            raise FormatError(
                f"rating {row[value_col]!r} or time {row[time_col]!r} is not a number", source, n + 2
            ) from None
    item_file = source.with_suffix(".item")
    table = item_table(item_file) if item_file.exists() else None
    titles, genres = table if table is not None else ({}, {})
    return Ratings(
        np.asarray([row[user_col] for row in rows]), np.asarray([row[item_col] for row in rows]),
        ratings, stamps, titles, genres,
    )
