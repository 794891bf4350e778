"""Reading interaction tables: CSV/TSV files with a header row and RecBole's atomic ``.inter``
and ``.item`` files. Columns are found by name (case and RecBole's ``:type`` suffix ignored),
so ``user_id:token``, ``userId`` and ``user`` all name the user column.

:meth:`~embedlab.recsys.Interactions.from_file` and :func:`~embedlab.recsys.movielens.read_movielens`
both read through these functions.
"""

from __future__ import annotations

import csv
from pathlib import Path

from .._io import open_text
from ..errors import DataError, FormatError

# Column names recognised in file headers and DataFrames, lower-cased, RecBole ':type' removed.
USER_NAMES = ("user", "user_id", "userid", "uid", "customer", "customer_id")
ITEM_NAMES = ("item", "item_id", "itemid", "iid", "movie", "movie_id", "movieid", "product",
               "product_id")
VALUE_NAMES = ("rating", "ratings", "score", "value", "count", "weight", "plays", "clicks")
TIME_NAMES = ("timestamp", "time", "ts", "date", "datetime")
TITLE_NAMES = ("movie_title", "title", "name", "item_name")
GENRE_NAMES = ("class", "genre", "genres", "category", "categories")


def clean(name: str) -> str:
    return name.split(":", 1)[0].strip().lower()


def find_column(
    columns: list[str], names: tuple[str, ...], what: str, source: object, required: bool = True
) -> int | None:
    cleaned = [clean(c) for c in columns]
    for name in names:
        if name in cleaned:
            return cleaned.index(name)
    if required:
        raise FormatError(
            f"no {what} column in the header {columns}; name it one of {', '.join(names[:4])}",
            source, 1 if isinstance(source, Path) else None,
        )
    return None


def read_table(path: Path, delimiter: str | None) -> tuple[list[str], list[list[str]]]:
    with open_text(path) as handle:
        header_line = handle.readline()
        if not header_line.strip():
            raise FormatError("the file is empty (expected a header row)", path, 1)
        if delimiter is None:
            delimiter = max("\t,;", key=header_line.count)
        columns = next(csv.reader([header_line], delimiter=delimiter))
        rows: list[list[str]] = []
        for n, row in enumerate(csv.reader(handle, delimiter=delimiter), start=2):
            if not row:
                continue
            if len(row) != len(columns):
                raise FormatError(
                    f"expected {len(columns)} fields like the header, found {len(row)}", path, n
                )
            rows.append(row)
    if not rows:
        raise DataError(f"{path}: the interaction set is empty (a header and no rows)")
    return columns, rows


def item_table(item_file: Path) -> tuple[dict[str, str], dict[str, list[str]]] | None:
    """Titles (with the release year when there is one) and genres by item id, from a RecBole
    ``.item`` file; None when it has no title column."""
    columns, rows = read_table(item_file, "\t")
    id_col = find_column(columns, ITEM_NAMES, "item", item_file)
    title_col = find_column(columns, TITLE_NAMES, "title", item_file, required=False)
    if id_col is None or title_col is None:
        return None
    genre_col = find_column(columns, GENRE_NAMES, "genre", item_file, required=False)
    cleaned = [clean(c) for c in columns]
    year_col = cleaned.index("release_year") if "release_year" in cleaned else None
    titles: dict[str, str] = {}
    genres: dict[str, list[str]] = {}
    for row in rows:
        title = row[title_col]
        if year_col is not None and row[year_col]:
            title = f"{title} ({row[year_col]})"
        titles[row[id_col]] = title
        genres[row[id_col]] = row[genre_col].split() if genre_col is not None else []
    return titles, genres


def sibling_titles(inter: Path) -> dict[str, str] | None:
    item_file = inter.with_suffix(".item")
    if inter.suffix != ".inter" or not item_file.exists():
        return None
    table = item_table(item_file)
    return None if table is None else table[0]
