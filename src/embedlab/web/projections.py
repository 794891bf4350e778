"""Projections computed at once on the server: PCA components of the page's choice, with the
variance each explains, and the projector's "Custom" projection onto two word directions."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ..vectors import Vectors
from ._errors import ApiError

MAX_COMPONENTS = 10
MAX_TERMS = 20


@dataclass(frozen=True)
class PcaBasis:
    """The leading principal axes of the table, and the share of the variance each explains."""

    mean: np.ndarray  # dim
    axes: np.ndarray  # components x dim, unit rows, largest variance first
    explained: np.ndarray  # components: share of the total variance

    @classmethod
    def fit(cls, vectors: Vectors, components: int = MAX_COMPONENTS, step: int = 65_536) -> PcaBasis:
        """From the covariance matrix (dim x dim), accumulated a block of rows at a time so that
        400,000 rows cost one pass and no copy of the table."""
        matrix, n, dim = vectors.matrix, len(vectors), vectors.dim
        total = np.zeros(dim, dtype=np.float64)
        products = np.zeros((dim, dim), dtype=np.float64)
        for start in range(0, n, step):
            block = np.asarray(matrix[start:start + step], dtype=np.float64)
            total += block.sum(axis=0)
            products += block.T @ block
        mean = total / n
        covariance = products / n - np.outer(mean, mean)
        values, vectors_ = np.linalg.eigh(covariance)  # ascending
        order = np.argsort(values)[::-1][: min(components, dim)]
        values = np.clip(values, 0, None)
        axes = vectors_[:, order].T
        # A fixed sign (largest coordinate positive) so that a restart draws the same picture.
        axes *= np.where(axes[np.arange(len(axes)), np.abs(axes).argmax(axis=1)] < 0, -1, 1)[:, None]
        explained = values[order] / max(float(values.sum()), 1e-30)
        return cls(mean.astype(np.float32), axes.astype(np.float32), explained)

    def project(self, vectors: Vectors, components: list[int]) -> np.ndarray:
        """Coordinates of every row on the given components (0 is the first), float32."""
        for c in components:
            if not 0 <= c < len(self.axes):
                raise ApiError(400, f"components: each must be between 1 and {len(self.axes)}; got {c + 1}")
        centred = np.asarray(vectors.matrix, dtype=np.float32) - self.mean
        return np.ascontiguousarray(centred @ self.axes[components].T, dtype="<f4")


def parse_terms(expression: str, name: str) -> list[tuple[int, str]]:
    """``"king - man + woman"`` -> ``[(1, "king"), (-1, "man"), (1, "woman")]``. Operators stand
    apart (spaces around them), so keys holding a hyphen (``well-known``) stay whole."""
    terms: list[tuple[int, str]] = []
    sign = 1
    for token in expression.split():
        if token in ("+", "-"):
            sign = -1 if token == "-" else 1
            continue
        terms.append((sign, token))
        sign = 1
    if not terms:
        raise ApiError(400, f"{name}: give a word or words joined by ' + ' and ' - ' (king - man + woman)")
    if len(terms) > MAX_TERMS:
        raise ApiError(400, f"{name}: at most {MAX_TERMS} words; got {len(terms)}")
    return terms


def direction(vectors: Vectors, start: str, end: str, name: str) -> np.ndarray:
    """The unit vector from ``start`` to ``end`` (each a sum of unit word vectors)."""
    total = np.zeros(vectors.dim, dtype=np.float64)
    for expression, weight, side in ((end, 1, f"{name}_to"), (start, -1, f"{name}_from")):
        for sign, word in parse_terms(expression, side):
            row = vectors.key_to_index.get(word)
            if row is None:
                raise ApiError(404, f"{side}: {word!r} is not in the vocabulary", key=word,
                               suggestions=vectors.suggest(word[:200], n=5))
            total += weight * sign * vectors.unit[row]
    length = float(np.linalg.norm(total))
    if length < 1e-9:
        raise ApiError(400, f"{name}: {start!r} and {end!r} are the same point, so they define no direction")
    return (total / length).astype(np.float32)


def custom_projection(vectors: Vectors, x: tuple[str, str], y: tuple[str, str]) -> np.ndarray:
    """Each row's cosine with the direction ``x`` (from, to) and with ``y``: n x 2 float32, as
    the TensorBoard projector's Custom tab places points."""
    axes = np.stack([direction(vectors, *x, "x"), direction(vectors, *y, "y")])
    return np.ascontiguousarray(np.asarray(vectors.unit, dtype=np.float32) @ axes.T, dtype="<f4")


def compile_search(query: str, regex: bool, case_sensitive: bool) -> re.Pattern[str]:
    """The pattern a search matches: the text itself (a substring) or a regular expression;
    case-insensitive unless asked otherwise. A bad expression is a 400 naming the problem."""
    flags = 0 if case_sensitive else re.IGNORECASE
    try:
        return re.compile(query if regex else re.escape(query), flags)
    except re.error as exc:
        raise ApiError(400, f"q: not a regular expression ({exc}); untick 'regex' to search the text as typed") from None
