"""Labelled scatter plots of words (the article's figure and more), drawn with matplotlib."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .._io import atomic_write
from ..errors import DataError, InvalidParameterError, require
from ..vectors import Vectors
from .project import Method, project

ARTICLE_WORDS = ("king", "queen", "man", "woman", "boy", "girl")
ARTICLE_GROUPS = {"king": "male", "man": "male", "boy": "male",
                  "queen": "female", "woman": "female", "girl": "female"}
ARTICLE_ARROWS = (("man", "woman"), ("king", "queen"), ("boy", "girl"))


def _pyplot() -> Any:
    matplotlib = require("matplotlib", "viz")
    matplotlib.use("Agg")  # files only: never needs a screen
    import matplotlib.pyplot as plt

    return plt


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
    figsize: tuple[float, float] = (7.0, 5.5),
) -> Any:
    """A labelled 2-D scatter of ``words`` (projected with ``method``); saved if ``path`` is given.

    ``color_by`` is a metadata column or a ``{word: group}`` mapping; ``analogies`` draws an
    arrow for each ``(from, to)`` pair (man -> woman beside king -> queen); ``neighbors=n``
    adds each word's ``n`` nearest neighbours, in grey, joined to it. PNG or SVG by extension.

    Args:
        vectors: Where the words' vectors come from.
        words: At least two words (repeats are dropped).
        method: ``"pca"``, ``"tsne"`` or ``"umap"`` (see :func:`project`).
        path: Write the figure there (``.png`` or ``.svg``, atomically); None to only return it.
        color_by: A metadata column of ``vectors`` or a ``{word: group}`` mapping.
        analogies: ``(from, to)`` pairs to join with an arrow.
        neighbors: Also draw each word's ``neighbors`` nearest keys, in grey.
        seed: Seed of the projection.
        title: The figure's title; None for one naming the method.
        figsize: Width and height in inches.

    Returns:
        The matplotlib figure.

    Raises:
        DataError: Fewer than two words.
        UnknownKeyError: A word that is not in ``vectors`` (with close spellings).
        MissingExtraError: matplotlib is not installed (extra ``[viz]``).
    """
    words = list(dict.fromkeys(words))
    if len(words) < 2:
        raise DataError("plot_words needs at least two words")
    for w in words:
        vectors.index_of(w)  # unknown words fail here, with suggestions
    extra: list[tuple[str, str]] = []
    if neighbors:
        for w in words:
            extra += [(w, k) for k, _ in vectors.most_similar(w, topn=neighbors) if k not in words]
    shown = words + list(dict.fromkeys(k for _, k in extra))
    coords = project(vectors[shown], method=method, dim=2, seed=seed, progress=False)  # a few points
    where = {w: coords[i] for i, w in enumerate(shown)}

    plt = _pyplot()
    fig, ax = plt.subplots(figsize=figsize, dpi=120)
    for word, near in extra:
        a, b = where[word], where[near]
        ax.plot([a[0], b[0]], [a[1], b[1]], color="0.85", lw=0.8, zorder=1)
    neighbour_words = shown[len(words):]
    if neighbour_words:
        pts = np.array([where[w] for w in neighbour_words])
        ax.scatter(pts[:, 0], pts[:, 1], s=18, color="0.6", zorder=2)
        for w in neighbour_words:
            ax.annotate(w, where[w], xytext=(4, 3), textcoords="offset points", fontsize=8,
                        color="0.4")
    groups = _groups(vectors, words, color_by)
    palette = plt.get_cmap("tab10")
    names = list(dict.fromkeys(groups)) if groups else []
    for i, word in enumerate(words):
        colour = palette(names.index(groups[i]) % 10) if groups else palette(0)
        x, y = where[word]
        ax.scatter([x], [y], s=70, color=colour, zorder=3, edgecolor="white", linewidth=0.8,
                   label=groups[i] if groups and groups.index(groups[i]) == i else None)
        ax.annotate(word, (x, y), xytext=(6, 5), textcoords="offset points", fontsize=12,
                    weight="bold", zorder=4)
    for start, end in analogies:
        if start not in where or end not in where:
            raise DataError(f"analogy arrow {start!r} -> {end!r}: both words must be plotted")
        ax.annotate("", xy=where[end], xytext=where[start], zorder=2,
                    arrowprops={"arrowstyle": "->", "color": "0.35", "lw": 1.4,
                                "shrinkA": 6, "shrinkB": 6})
    span = np.ptp(coords, axis=0)
    span[span == 0] = 1.0
    low, high = coords.min(axis=0) - 0.15 * span, coords.max(axis=0) + 0.15 * span
    ax.set_xlim(low[0], high[0])
    ax.set_ylim(low[1], high[1])
    ax.set_title(title or f"{len(words)} words, {method.upper() if method != 'tsne' else 't-SNE'}")
    ax.set_xticks([])
    ax.set_yticks([])
    if groups:
        ax.legend(loc="best", frameon=False)
    fig.tight_layout()
    if path is not None:
        save_figure(fig, path)
    return fig


def save_figure(fig: Any, path: str | Path) -> Path:
    """Write a figure as PNG or SVG (by extension), atomically.

    Args:
        fig: A matplotlib figure.
        path: The file to write; its extension (``.png`` or ``.svg``) picks the format.

    Returns:
        ``path``, as a :class:`~pathlib.Path`.

    Raises:
        InvalidParameterError: Any other extension.
    """
    target = Path(path)
    kind = target.suffix.lower().lstrip(".")
    if kind not in ("png", "svg"):
        raise InvalidParameterError(f"{target}: figures are written as .png or .svg, not {kind!r}")
    with atomic_write(target) as handle:
        fig.savefig(handle, format=kind)
    return target


def article_figure(
    vectors: Vectors,
    path: str | Path,
    words: Sequence[str] = ARTICLE_WORDS,
    method: Method = "tsne",
    seed: int = 0,
) -> Path:
    """The article's picture: king, queen, man, woman, boy, girl, coloured by gender, with the
    man->woman, king->queen, boy->girl arrows.

    Args:
        vectors: Vectors holding the words (GloVe 6B 50d in the article).
        path: Where to write the figure (``.png`` or ``.svg``).
        words: The words to draw; arrows join those of the article's pairs that are present.
        method: ``"pca"``, ``"tsne"`` or ``"umap"``.
        seed: Seed of the projection: the same seed draws the same picture.

    Returns:
        ``path``, as a :class:`~pathlib.Path`.

    Raises:
        UnknownKeyError: One of ``words`` is not in ``vectors``.
        MissingExtraError: matplotlib or openTSNE is not installed (extra ``[viz]``).
    """
    arrows = [(a, b) for a, b in ARTICLE_ARROWS if a in words and b in words]
    fig = plot_words(vectors, words, method=method, path=path, color_by=ARTICLE_GROUPS,
                     analogies=arrows, seed=seed,
                     title=f"GloVe vectors of the article's words ({'t-SNE' if method == 'tsne' else method.upper()}, 2-D)")
    _pyplot().close(fig)
    return Path(path)
