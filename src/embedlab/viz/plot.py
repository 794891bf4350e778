"""Labelled scatter plots of words (the article's figure and more), drawn with matplotlib."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import DataError, InvalidParameterError
from ..vectors import Vectors
from ._figure import new_axes, save_figure
from ._labels import place_labels
from .project import Method, project

ARTICLE_WORDS = ("king", "queen", "man", "woman", "boy", "girl")
ARTICLE_GROUPS = {"king": "male", "man": "male", "boy": "male",
                  "queen": "female", "woman": "female", "girl": "female"}
ARTICLE_ARROWS = (("man", "woman"), ("king", "queen"), ("boy", "girl"))

Label = int | Sequence[str] | None
_MANY = 25  # above this many points, smaller markers, labels and a bigger figure


def _groups(
    vectors: Vectors, words: Sequence[str], color_by: str | Mapping[str, str] | None
) -> list[str] | None:
    if color_by is None:
        return None
    if isinstance(color_by, str):
        if color_by not in vectors.metadata:
            raise InvalidParameterError(
                f"color_by={color_by!r} is not a metadata column; the vectors have "
                f"{sorted(vectors.metadata) or 'no metadata columns'}"
            )
        column = vectors.metadata[color_by]
        return [str(column[vectors.index_of(w)]) for w in words]
    return [str(color_by.get(w, "other")) for w in words]


def _labelled(label: Label, words: list[str], neighbour_words: list[str]) -> set[str]:
    """The words whose names are written: all (None), the first ``n`` words, or those listed."""
    if label is None:
        return set(words) | set(neighbour_words)
    if isinstance(label, bool | str) or not isinstance(label, int | Sequence):
        raise InvalidParameterError(
            f"label={label!r}: pass None (every word), a number n (the first n words) or a "
            "list of words"
        )
    if isinstance(label, int):
        if label < 0:
            raise InvalidParameterError(f"label={label}: the number of labelled words must be >= 0")
        return set(words[:label])
    return set(label)


def _neighbour_edges(vectors: Vectors, words: list[str], k: int) -> list[tuple[str, str]]:
    """Each word joined to each of its ``k`` nearest keys, plotted already or not; a pair once."""
    edges: dict[frozenset[str], tuple[str, str]] = {}
    for w in words:
        for near, _score in vectors.most_similar(w, topn=k):
            edges.setdefault(frozenset((w, near)), (w, near))
    return list(edges.values())


def plot_words(
    vectors: Vectors,
    words: Sequence[str],
    method: Method = "tsne",
    path: str | Path | None = None,
    color_by: str | Mapping[str, str] | None = None,
    analogies: Sequence[tuple[str, str]] = (),
    neighbors: int = 0,
    seed: int = 0,
    title: str | None = None,
    figsize: tuple[float, float] | None = None,
    dpi: float = 120,
    ax: Any | None = None,
    label: Label = None,
    fontsize: float | None = None,
) -> Any:
    """A labelled 2-D scatter of ``words`` (projected with ``method``); saved if ``path`` is given.

    ``color_by`` is a metadata column or a ``{word: group}`` mapping; ``analogies`` draws an
    arrow for each ``(from, to)`` pair (man -> woman beside king -> queen); ``neighbors=n``
    joins every word to its ``n`` nearest neighbours (those not among ``words`` are added in
    grey). Labels never overlap: each takes the nearest free place around its point, with a
    thin leader line when it had to move away; a label with no free place is left out.
    The figure is built without pyplot, so it never changes matplotlib's backend, never
    stays open in pyplot, and displays in Jupyter as a cell's value.

    Args:
        vectors: Where the words' vectors come from.
        words: At least two words (repeats are dropped), most important first: earlier
            words get the better label places.
        method: ``"pca"``, ``"tsne"`` or ``"umap"`` (see :func:`project`).
        path: Write the figure there (``.png``, ``.svg``, ``.pdf`` or ``.jpg``, atomically);
            None to only return it.
        color_by: A metadata column of ``vectors`` or a ``{word: group}`` mapping.
        analogies: ``(from, to)`` pairs to join with an arrow.
        neighbors: Join each word to its ``neighbors`` nearest keys.
        seed: Seed of the projection.
        title: The figure's title; None for one naming the method.
        figsize: Width and height in inches; None for 7 x 5.5 (11 x 8.5 above 25 points).
            Ignored with ``ax``.
        dpi: Pixels per inch of the figure and of a PNG or JPEG written. With ``ax``, the
            file gets that figure's own dpi.
        ax: Draw into these matplotlib axes (a cell of a subplot grid) instead of a new figure.
        label: Which words get a label: None for all, ``n`` for the first ``n`` of ``words``,
            or a list of words.
        fontsize: Label size in points; None for 11 (8 above 25 labels).

    Returns:
        The matplotlib figure (the one holding ``ax`` when given).

    Raises:
        DataError: Fewer than two words, or an analogy word that is not plotted.
        InvalidParameterError: An unknown ``color_by`` column, or a ``label`` of the wrong kind.
        UnknownKeyError: A word that is not in ``vectors`` (with close spellings).
        MissingExtraError: matplotlib is not installed (extra ``[viz]``).
    """
    words = list(dict.fromkeys(words))
    if len(words) < 2:
        raise DataError("plot_words needs at least two words")
    for w in words:
        vectors.index_of(w)  # unknown words fail here, with suggestions
    groups = _groups(vectors, words, color_by)
    edges = _neighbour_edges(vectors, words, neighbors) if neighbors else []
    neighbour_words = list(dict.fromkeys(k for _, k in edges if k not in words))
    shown = words + neighbour_words
    named = _labelled(label, words, neighbour_words)
    for start, end in analogies:
        if start not in shown or end not in shown:
            raise DataError(f"analogy arrow {start!r} -> {end!r}: both words must be plotted")
    many = len(shown) > _MANY
    fig, ax, owned = new_axes(ax, figsize or ((11.0, 8.5) if many else (7.0, 5.5)), dpi)
    coords = project(vectors[shown], method=method, dim=2, seed=seed, progress=False)
    where = {w: coords[i] for i, w in enumerate(shown)}

    from matplotlib import colormaps
    from matplotlib.collections import LineCollection

    if edges:
        segments = [[where[a], where[b]] for a, b in edges]
        ax.add_collection(LineCollection(segments, colors="0.82", linewidths=0.7, zorder=1,
                                         gid="neighbour-edges"))
    dot = 14.0 if many else 60.0  # marker area in points^2
    if neighbour_words:
        pts = np.array([where[w] for w in neighbour_words])
        ax.scatter(pts[:, 0], pts[:, 1], s=dot * 0.6, color="0.6", zorder=2)
    palette = colormaps["tab10"]
    names = list(dict.fromkeys(groups)) if groups else []
    for name in names or [""]:
        members = [w for i, w in enumerate(words) if not names or groups and groups[i] == name]
        pts = np.array([where[w] for w in members])
        colour = palette(names.index(name) % 10 if names else 0)
        ax.scatter(pts[:, 0], pts[:, 1], s=dot, zorder=3, edgecolor="white", linewidth=0.6,
                   color=colour, label=name or None)
    for start, end in analogies:
        ax.annotate("", xy=where[end], xytext=where[start], zorder=2,
                    arrowprops={"arrowstyle": "->", "color": "0.35", "lw": 1.4,
                                "shrinkA": 6, "shrinkB": 6})
    span = np.ptp(coords, axis=0)
    span[span == 0] = 1.0
    margin = 0.08 if many else 0.15
    low, high = coords.min(axis=0) - margin * span, coords.max(axis=0) + margin * span
    ax.set_xlim(low[0], high[0])
    ax.set_ylim(low[1], high[1])
    ax.set_title(title or f"{len(words)} words, {method.upper() if method != 'tsne' else 't-SNE'}")
    ax.set_xticks([])
    ax.set_yticks([])
    if groups:
        ax.legend(loc="best", frameon=False)
    if owned:
        fig.tight_layout()  # before the labels: they are placed in the final pixels
    order = [w for w in shown if w in named]
    size = fontsize if fontsize is not None else (8.0 if len(order) > _MANY else 11.0)
    styles = [{"fontsize": size if w in words else size * 0.9,
               "color": "0.1" if w in words else "0.45", "zorder": 4} for w in order]
    place_labels(ax, np.array([where[w] for w in order]).reshape(-1, 2), order, styles,
                 obstacles=coords, marker_px=float(np.sqrt(dot)) / 2 * fig.dpi / 72)
    if path is not None:
        save_figure(fig, path, dpi=dpi if owned else None)
    return fig


def article_figure(
    vectors: Vectors,
    path: str | Path,
    words: Sequence[str] = ARTICLE_WORDS,
    method: Method = "tsne",
    seed: int = 0,
    figsize: tuple[float, float] | None = None,
    dpi: float = 120,
    ax: Any | None = None,
) -> Path:
    """The article's picture: king, queen, man, woman, boy, girl, coloured by gender, with the
    man->woman, king->queen, boy->girl arrows.

    Args:
        vectors: Vectors holding the words (GloVe 6B 50d in the article).
        path: Where to write the figure (``.png``, ``.svg``, ``.pdf`` or ``.jpg``).
        words: The words to draw; arrows join those of the article's pairs that are present.
        method: ``"pca"``, ``"tsne"`` or ``"umap"``.
        seed: Seed of the projection: the same seed draws the same picture.
        figsize: Width and height in inches (see :func:`plot_words`).
        dpi: Pixels per inch of the figure and the file.
        ax: Draw into these axes instead of a new figure.

    Returns:
        ``path``, as a :class:`~pathlib.Path`.

    Raises:
        UnknownKeyError: One of ``words`` is not in ``vectors``.
        MissingExtraError: matplotlib or openTSNE is not installed (extra ``[viz]``).
    """
    arrows = [(a, b) for a, b in ARTICLE_ARROWS if a in words and b in words]
    name = "t-SNE" if method == "tsne" else method.upper()
    plot_words(vectors, words, method=method, path=path, color_by=ARTICLE_GROUPS,
               analogies=arrows, seed=seed, figsize=figsize, dpi=dpi, ax=ax,
               title=f"GloVe vectors of the article's words ({name}, 2-D)")
    return Path(path)
