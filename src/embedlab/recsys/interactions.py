"""``Interactions``: who rated (or clicked, bought, watched) what, as contiguous integer indices.

:meth:`Interactions.from_file` reads interaction files through ``_tables`` (CSV/TSV with a
header, RecBole's atomic ``.inter`` and ``.item`` files), the reader :func:`read_movielens`
shares.

User and item ids may be any strings or ints; they are kept as strings (``42`` and ``"42"``
are the same user, as in :class:`~embedlab.Vectors`) and mapped to rows ``0 .. n-1`` in sorted
order (numeric order when every id is an int). Everything downstream (models, splits, metrics)
works on the index arrays; the id lists turn answers back into the caller's ids.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

from .._io import PathLike
from ..errors import DataError, FormatError, InvalidParameterError, UnknownKeyError
from ._tables import (
    ITEM_NAMES,
    TIME_NAMES,
    USER_NAMES,
    VALUE_NAMES,
    find_column,
    read_table,
    sibling_titles,
)

Kind = Literal["explicit", "implicit"]



def _ids_to_index(values: Sequence[Any] | np.ndarray) -> tuple[list[str], np.ndarray]:
    array = np.asarray(values)
    if array.dtype.kind in "iu":
        uniq, index = np.unique(array, return_inverse=True)
        return [str(v) for v in uniq.tolist()], index.astype(np.int32)
    uniq, index = np.unique(array.astype(str), return_inverse=True)
    keys = [str(v) for v in uniq.tolist()]
    # Ids read from text that are plain integers ("7", "242") sort as numbers, like int ids.
    if all(k.isdigit() and (k == "0" or not k.startswith("0")) for k in keys):
        order = np.argsort(np.array([int(k) for k in keys]), kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        return [keys[i] for i in order], rank[index].astype(np.int32)
    return keys, index.astype(np.int32)


def _suggest(key: str, ids: Sequence[str], n: int = 3) -> list[str]:
    """Ids that contain ``key`` (titles typed without the year), then ids spelt like it."""
    lowered = key.lower()
    found = [k for k in ids if lowered and lowered in k.lower()][:n]
    if len(found) < n:
        pool = [k for k in ids if abs(len(k) - len(key)) <= 3][:50_000]
        found += [k for k in difflib.get_close_matches(key, pool, n=n, cutoff=0.6) if k not in found]
    return found[:n]


class Interactions:
    """User-item interactions: explicit ratings or implicit counts, with optional timestamps.

    Build one with :meth:`from_arrays`, :meth:`from_file`, :meth:`from_dataframe` or
    :meth:`from_dataset`. The arrays are read-only; :meth:`take` makes subsets (the splits)
    that share the id maps, so indices mean the same users and items in every subset.

    Attributes
    ----------
    users, items:
        int32 row indices, one per interaction.
    values:
        float32 ratings (``kind="explicit"``) or counts / confidences (``kind="implicit"``).
    timestamps:
        int64 times or ``None``.
    user_ids, item_ids:
        The original ids, as strings, indexed by row.
    item_titles:
        Display names of the items (from the data), or ``None``.
    rating_scale:
        ``(low, high)`` of explicit ratings; predictions are clipped to it.
    """

    def __init__(
        self,
        users: np.ndarray,
        items: np.ndarray,
        values: np.ndarray,
        user_ids: list[str],
        item_ids: list[str],
        *,
        timestamps: np.ndarray | None = None,
        kind: Kind = "explicit",
        rating_scale: tuple[float, float] | None = None,
        item_titles: list[str] | None = None,
    ) -> None:
        self.users = _frozen(np.asarray(users, np.int32))
        self.items = _frozen(np.asarray(items, np.int32))
        self.values = _frozen(np.asarray(values, np.float32))
        self.timestamps = None if timestamps is None else _frozen(np.asarray(timestamps, np.int64))
        self.user_ids = user_ids
        self.item_ids = item_ids
        self.kind: Kind = kind
        self.rating_scale = rating_scale
        self.item_titles = item_titles
        self._user_index = {k: i for i, k in enumerate(user_ids)}
        self._item_index = {k: i for i, k in enumerate(item_ids)}

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_arrays(
        cls,
        users: Sequence[Any] | np.ndarray,
        items: Sequence[Any] | np.ndarray,
        ratings: Sequence[float] | np.ndarray | None = None,
        timestamps: Sequence[int] | np.ndarray | None = None,
        *,
        kind: Kind | None = None,
        rating_scale: tuple[float, float] | None = None,
        item_titles: dict[str, str] | None = None,
    ) -> Interactions:
        """Interactions from parallel sequences.

        ``ratings=None`` means implicit feedback with weight 1 per row. ``kind`` defaults to
        ``"explicit"`` when ratings are given. ``rating_scale`` is inferred from the data
        (its min and max) unless declared; declared, every rating must fall inside it.
        ``item_titles`` maps item id to a display name (used to key ``item_vectors``).

        Args:
            users: The user id of each interaction.
            items: The item id of each interaction.
            ratings: The rating (or count) of each interaction, or None for implicit weight 1.
            timestamps: The time of each interaction, or None.
            kind: ``"explicit"`` or ``"implicit"``; None to decide from ``ratings``.
            rating_scale: The ``(low, high)`` rating scale, or None to infer it.
            item_titles: Item id -> display name, or None.

        Returns:
            The interactions, with users and items indexed in order of first appearance.

        Raises:
            DataError: The sequences are empty or differ in length, explicit data has no
                ratings, a rating or timestamp is not a finite number, an implicit count is
                negative, or a rating lies outside the declared scale.
            InvalidParameterError: ``kind`` or ``rating_scale`` is malformed.
        """
        n = len(users)
        if n == 0:
            raise DataError("the interaction set is empty: give at least one (user, item) pair")
        lengths = {"users": n, "items": len(items)}
        if ratings is not None:
            lengths["ratings"] = len(ratings)
        if timestamps is not None:
            lengths["timestamps"] = len(timestamps)
        if len(set(lengths.values())) != 1:
            shown = ", ".join(f"{k}={v}" for k, v in lengths.items())
            raise DataError(f"users, items, ratings and timestamps must have the same length; got {shown}")
        if kind is None:
            kind = "implicit" if ratings is None else "explicit"
        if kind not in ("explicit", "implicit"):
            raise InvalidParameterError(
                f"The 'kind' parameter of Interactions must be 'explicit' or 'implicit'. Got {kind!r} instead."
            )
        if ratings is None:
            if kind == "explicit":
                raise DataError("explicit interactions need ratings; pass ratings= or kind='implicit'")
            values = np.ones(n, np.float32)
        else:
            try:
                values = np.asarray(ratings, dtype=np.float64)
            except (TypeError, ValueError) as exc:
                raise DataError(f"ratings must be numbers ({exc})") from None
            if not np.isfinite(values).all():
                row = int(np.nonzero(~np.isfinite(values))[0][0])
                raise DataError(f"rating {values[row]} at row {row} is not a finite number")
        if kind == "explicit":
            rating_scale = _check_scale(values, rating_scale)
        elif (values < 0).any():
            row = int(np.nonzero(values < 0)[0][0])
            raise DataError(f"implicit counts must be >= 0; row {row} has {values[row]}")
        user_ids, user_index = _ids_to_index(users)
        item_ids, item_index = _ids_to_index(items)
        stamps = None
        if timestamps is not None:
            try:
                stamps = np.asarray(timestamps, dtype=np.float64).astype(np.int64)
            except (TypeError, ValueError) as exc:
                raise DataError(f"timestamps must be numbers ({exc})") from None
        titles = None
        if item_titles:
            titles = [item_titles.get(k, k) for k in item_ids]
        return cls(
            user_index, item_index, values.astype(np.float32), user_ids, item_ids,
            timestamps=stamps, kind=kind, rating_scale=rating_scale, item_titles=titles,
        )

    @classmethod
    def from_file(
        cls,
        path: PathLike,
        *,
        kind: Kind | None = None,
        rating_scale: tuple[float, float] | None = None,
        delimiter: str | None = None,
    ) -> Interactions:
        """Read a CSV/TSV file with a header row, or a RecBole atomic ``.inter`` file.

        The header names the columns (``user``/``user_id``/``userId``, ``item``/``item_id``/
        ``movieId``, ``rating``/``count``/``weight``, ``timestamp``); RecBole's typed headers
        (``user_id:token``) work as they are. A directory is searched for one ``*.inter``
        file. Beside an ``X.inter`` file, an ``X.item`` file with a title column supplies item
        titles. The delimiter (tab, comma, semicolon) is detected unless given.

        Args:
            path: The file, or a folder holding one ``*.inter`` file.
            kind: ``"explicit"`` or ``"implicit"``; None to decide from the columns.
            rating_scale: The ``(low, high)`` rating scale, or None to infer it.
            delimiter: The field separator, or None to detect it.

        Returns:
            The interactions of the file, with item titles when an ``.item`` file supplies them.

        Raises:
            FormatError: The file is missing or empty, a folder holds no or several ``*.inter``
                files, a column is missing, a row is malformed or a rating is not a number.
            DataError: The file has no rows, or its values fail the checks of
                :meth:`from_arrays`.
            InvalidParameterError: ``kind`` or ``rating_scale`` is malformed.
        """
        source = Path(path)
        if source.is_dir():
            found = sorted(source.glob("*.inter"))
            if len(found) != 1:
                raise FormatError(f"expected one *.inter file in the folder, found {len(found)}", source)
            source = found[0]
        if not source.exists():
            raise FormatError("no such file", source)
        columns, rows = read_table(source, delimiter)
        user_col = find_column(columns, USER_NAMES, "user", source) or 0
        item_col = find_column(columns, ITEM_NAMES, "item", source) or 0
        value_col = find_column(columns, VALUE_NAMES, "rating", source, required=False)
        time_col = find_column(columns, TIME_NAMES, "timestamp", source, required=False)
        users = [row[user_col] for row in rows]
        items = [row[item_col] for row in rows]
        values = None
        if value_col is not None:
            values = np.empty(len(rows))
            for n, row in enumerate(rows):
                try:
                    values[n] = float(row[value_col])
                except ValueError:
                    raise FormatError(
                        f"{columns[value_col]!r} value {row[value_col]!r} is not a number", source, n + 2
                    ) from None
        stamps = None
        if time_col is not None:
            try:
                stamps = np.array([float(row[time_col]) for row in rows])
            except ValueError:
                stamps = None  # dates as text: keep the order of the file instead
        titles = sibling_titles(source)
        return cls.from_arrays(
            users, items, values, stamps, kind=kind, rating_scale=rating_scale, item_titles=titles,
        )

    @classmethod
    def from_dataframe(
        cls,
        frame: Any,
        user: str | None = None,
        item: str | None = None,
        rating: str | None = None,
        timestamp: str | None = None,
        *,
        kind: Kind | None = None,
        rating_scale: tuple[float, float] | None = None,
    ) -> Interactions:
        """Interactions from a pandas DataFrame; columns found by name unless given.

        Args:
            frame: The DataFrame.
            user: The user column, or None to find it by name.
            item: The item column, or None to find it by name.
            rating: The rating column, or None to find it (or go without).
            timestamp: The timestamp column, or None to find it (or go without).
            kind: ``"explicit"`` or ``"implicit"``; None to decide from the ratings.
            rating_scale: The ``(low, high)`` rating scale, or None to infer it.

        Returns:
            The interactions of the DataFrame's rows.

        Raises:
            DataError: A named column is missing, or the values fail the checks of
                :meth:`from_arrays`.
            FormatError: No user or item column is found by name.
            InvalidParameterError: ``kind`` or ``rating_scale`` is malformed.
        """
        columns = [str(c) for c in frame.columns]

        def pick(given: str | None, names: tuple[str, ...], what: str, required: bool) -> str | None:
            if given is not None:
                if given not in columns:
                    raise DataError(f"the DataFrame has no column {given!r}; it has {columns}")
                return given
            index = find_column(columns, names, what, "the DataFrame", required=required)
            return None if index is None else columns[index]

        u = pick(user, USER_NAMES, "user", True)
        i = pick(item, ITEM_NAMES, "item", True)
        r = pick(rating, VALUE_NAMES, "rating", False)
        t = pick(timestamp, TIME_NAMES, "timestamp", False)
        return cls.from_arrays(
            frame[u].to_numpy(), frame[i].to_numpy(),
            None if r is None else frame[r].to_numpy(),
            None if t is None else frame[t].to_numpy(),
            kind=kind, rating_scale=rating_scale,
        )

    @classmethod
    def from_dataset(cls, name: str = "movielens-100k") -> Interactions:
        """A named dataset (``movielens-100k``), with item titles; fetched once, then cached.

        Args:
            name: The registry's name of the dataset.

        Returns:
            The dataset's interactions on the rating scale 1 to 5.

        Raises:
            DatasetError: ``name`` is unknown, or the dataset cannot be fetched.
            FormatError: The fetched files are malformed.
        """
        from .. import datasets

        folder = datasets.path(name, progress=False)
        return cls.from_file(folder, rating_scale=(1.0, 5.0))

    # ------------------------------------------------------------------ views
    def __len__(self) -> int:
        return int(self.users.shape[0])

    def __repr__(self) -> str:
        scale = f", scale {self.rating_scale}" if self.rating_scale else ""
        return (
            f"Interactions({len(self):,} {self.kind} interactions, {self.n_users:,} users, "
            f"{self.n_items:,} items{scale})"
        )

    @property
    def n_users(self) -> int:
        return len(self.user_ids)

    @property
    def n_items(self) -> int:
        return len(self.item_ids)

    def take(self, rows: np.ndarray) -> Interactions:
        """The interactions at ``rows`` (indices or a boolean mask), sharing the id maps.

        Args:
            rows: Row indices or a boolean mask.

        Returns:
            A new :class:`Interactions` with the same users, items and rating scale.
        """
        rows = np.asarray(rows)
        return Interactions(
            self.users[rows], self.items[rows], self.values[rows], self.user_ids, self.item_ids,
            timestamps=None if self.timestamps is None else self.timestamps[rows],
            kind=self.kind, rating_scale=self.rating_scale, item_titles=self.item_titles,
        )

    def user_index(self, user: object) -> int:
        """Row of a user id; unknown ids raise :class:`UnknownKeyError` with close ids.

        Args:
            user: The user id.

        Returns:
            The user's index.

        Raises:
            UnknownKeyError: ``user`` is not in the data.
        """
        key = str(user)
        try:
            return self._user_index[key]
        except KeyError:
            raise UnknownKeyError(key, _suggest(key, self.user_ids), what="user") from None

    def item_index(self, item: object) -> int:
        """Row of an item, by id or by title; unknown ones raise with suggestions.

        Args:
            item: The item's id or title.

        Returns:
            The item's index.

        Raises:
            UnknownKeyError: ``item`` is neither an item id nor a title in the data.
        """
        key = str(item)
        found = self._item_index.get(key)
        if found is not None:
            return found
        if self.item_titles is not None:
            by_title = self._title_index()
            if key in by_title:
                return by_title[key]
            suggestions = _suggest(key, list(by_title))
        else:
            suggestions = _suggest(key, self.item_ids)
        raise UnknownKeyError(key, suggestions, what="item")

    def _title_index(self) -> dict[str, int]:
        cached: dict[str, int] | None = getattr(self, "_titles_cache", None)
        if cached is None:
            cached = {}
            for n, key in enumerate(self.item_keys()):
                cached[key] = n
            self._titles_cache = cached
        return cached

    def item_keys(self) -> list[str]:
        """One unique display key per item: its title (with `` [id]`` added to repeated
        titles), or its id when the data has no titles.

        Returns:
            One key per item, in index order.
        """
        return unique_titles(self.item_titles, self.item_ids)

    def seen(self) -> tuple[np.ndarray, np.ndarray]:
        """CSR view (``indptr``, ``indices``) of the items each user interacted with.

        Returns:
            ``(indptr, indices)``: user ``u``'s items are ``indices[indptr[u]:indptr[u + 1]]``.
        """
        order = np.lexsort((self.items, self.users))
        indptr = np.zeros(self.n_users + 1, np.int64)
        np.cumsum(np.bincount(self.users, minlength=self.n_users), out=indptr[1:])
        return indptr, self.items[order].astype(np.int32)


def unique_titles(titles: list[str] | None, ids: list[str]) -> list[str]:
    """Titles made unique: a title shared by several items gets `` [id]`` after it.

    Args:
        titles: One title per item, or None.
        ids: One id per item.

    Returns:
        One unique key per item: its title (with `` [id]`` when shared), or its id without titles.
    """
    if titles is None:
        return list(ids)
    counts: dict[str, int] = {}
    for title in titles:
        counts[title] = counts.get(title, 0) + 1
    return [t if counts[t] == 1 else f"{t} [{i}]" for t, i in zip(titles, ids, strict=True)]


def _frozen(array: np.ndarray) -> np.ndarray:
    array = array.view()
    array.flags.writeable = False
    return array


def _check_scale(values: np.ndarray, declared: tuple[float, float] | None) -> tuple[float, float]:
    if declared is None:
        return float(values.min()), float(values.max())
    if (
        not isinstance(declared, tuple | list)
        or len(declared) != 2
        or not float(declared[0]) < float(declared[1])
    ):
        raise InvalidParameterError(
            "The 'rating_scale' parameter of Interactions must be a (low, high) pair with "
            f"low < high. Got {declared!r} instead."
        )
    low, high = float(declared[0]), float(declared[1])
    outside = (values < low) | (values > high)
    if outside.any():
        row = int(np.nonzero(outside)[0][0])
        raise DataError(
            f"rating {values[row]:g} at row {row} is outside the declared scale "
            f"[{low:g}, {high:g}] ({int(outside.sum())} ratings are)"
        )
    return low, high
