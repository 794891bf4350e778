"""The questions ``Vectors`` answer, with gensim's ``KeyedVectors`` names and semantics.

A mixin of :class:`~embedlab.vectors.Vectors`: ``most_similar`` (3CosAdd),
``most_similar_cosmul`` (3CosMul), ``most_similar_batch``, ``analogy``, ``doesnt_match``,
``similarity``, ``distance``, ``distances``, ``closer_than``, ``rank``, ``n_similarity`` and
``get_mean_vector``. Rankings go through the one exact top-k (:mod:`embedlab.neighbors.topk`),
so they share its rule: best first, equal scores to the lower row, NaN never returned.

Cosine with a zero vector is undefined: a query made with a zero vector gets no neighbours
(``[]``; all-NaN scores with ``topn=None``), and a zero row is nobody's neighbour (NaN score).
A query vector holding NaN or infinity is a :class:`~embedlab.errors.DataError`. The
pairwise numbers (``similarity``, ``n_similarity``) stay gensim's: 0 for a zero vector.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING, overload

import numpy as np

from .errors import DataError, InvalidParameterError, UnknownKeyError, check_param
from .neighbors.topk import top_k

Query = str | np.ndarray
"""A query term: a key, or a raw vector of the right dimension."""

Terms = Query | Sequence[Query] | None


class Neighbours(list[tuple[str, float]]):
    """A ranking: a plain ``list`` of ``(key, score)``, best first, that a notebook shows as a table.

    It stays a list (equal to the same list of tuples, indexable, JSON-serialisable), so code
    written for gensim's answers keeps working; only ``_repr_html_`` is added.
    """

    def _repr_html_(self) -> str:
        if not self:
            return "<i>no neighbours</i>"
        rows = "".join(
            f'<tr><td>{rank}</td><td style="text-align:left">{html.escape(str(key))}</td>'
            f"<td>{score:.4f}</td>"
            f'<td><div style="background:#4c78a8;height:0.7em;'
            f'width:{max(0.0, min(1.0, score)) * 120:.0f}px"></div></td></tr>'
            for rank, (key, score) in enumerate(self, 1)
        )
        return ('<table class="embedlab-neighbours"><tr><th>#</th><th style="text-align:left">key</th>'
                "<th>score</th>"
                f"<th></th></tr>{rows}</table>")


def _check_topn(topn: object, owner: str, allow_none: bool = True) -> None:
    ok = (topn is None and allow_none) or (
        isinstance(topn, int | np.integer) and not isinstance(topn, bool) and topn >= 0)
    check_param(bool(ok), "topn", owner, "an int >= 0 or None" if allow_none else "an int >= 0", topn)


def _unitvec_like_gensim(vec: np.ndarray) -> np.ndarray:
    """gensim's ``matutils.unitvec``: scaled by 1/length in float64 (BLAS dnrm2), back to
    float32; a zero vector stays zero."""
    wide = vec.astype(np.float64)
    length = float(np.sqrt(np.sum(wide.astype(np.longdouble) ** 2)))
    return (wide * (1.0 / length)).astype(np.float32) if length > 0 else vec.astype(np.float32)


class VectorQueries:
    """Neighbour and similarity queries; mixed into :class:`~embedlab.vectors.Vectors`."""

    if TYPE_CHECKING:  # provided by Vectors
        _keys: list[str]

        @property
        def _index(self) -> dict[str, int]: ...
        @property
        def unit(self) -> np.ndarray: ...
        @property
        def matrix(self) -> np.ndarray: ...
        @property
        def dim(self) -> int: ...
        def _zero_rows(self) -> np.ndarray: ...
        def __getitem__(self, key: object) -> np.ndarray: ...
        def get(self, key: object, default: np.ndarray | None = None) -> np.ndarray | None: ...
        def index_of(self, key: object) -> int: ...

    # ------------------------------------------------------------------ query terms
    def _vector_of(self, term: Query) -> np.ndarray:
        vec = np.asarray(self[term] if isinstance(term, str) else term, dtype=np.float32)
        if vec.shape != (self.dim,):
            raise DataError(f"a query vector must have {self.dim} values; got shape {vec.shape}")
        return vec

    def _unit_vector(self, term: Query) -> np.ndarray:
        """``term`` scaled to unit length (a key's row of ``unit``, as gensim's ``get_vector(
        key, norm=True)``); a zero vector stays zero."""
        row = self._index.get(term) if isinstance(term, str) else None
        if row is not None:
            return np.asarray(self.unit[row])
        vec = self._vector_of(term)
        norm = float(np.linalg.norm(vec))
        return vec / norm if norm > 0 else vec

    def _direction(self, term: Query) -> np.ndarray | None:
        """The unit vector of a ranking query term; ``None`` for a zero vector (no direction)."""
        vec = self._unit_vector(term)
        if not np.isfinite(vec).all():
            name = repr(term) if isinstance(term, str) else "a query vector"
            raise DataError(f"the vector of {name} holds NaN or infinite values; it cannot be "
                            "ranked against (give finite vectors)")
        return vec if vec.any() else None

    def _query_terms(self, positive: Terms, negative: Terms) -> tuple[list[Query], list[Query]]:
        def as_list(terms: Terms) -> list[Query]:
            if terms is None:
                return []
            if isinstance(terms, str) or (isinstance(terms, np.ndarray) and terms.ndim == 1):
                return [terms]
            return list(terms)

        pos, neg = as_list(positive), as_list(negative)
        if not pos and not neg:
            raise InvalidParameterError("give at least one positive or negative query term")
        return pos, neg

    def _excluded(self, terms: Sequence[Query]) -> list[int]:
        return [self._index[t] for t in terms if isinstance(t, str) and t in self._index]

    def _candidates(self, restrict_vocab: int | None) -> np.ndarray:
        if restrict_vocab is None:
            return self.unit
        check_param(
            isinstance(restrict_vocab, int) and restrict_vocab >= 1,
            "restrict_vocab", "most_similar", "an int >= 1 or None", restrict_vocab,
        )
        return self.unit[:restrict_vocab]

    def _cosines(self, directions: np.ndarray, restrict_vocab: int | None) -> np.ndarray:
        """Cosine of every candidate row with each unit direction (rows x candidates, or one
        row for a 1-D direction); zero rows score NaN."""
        candidates = self._candidates(restrict_vocab)
        scores = np.asarray(directions @ candidates.T, dtype=np.float32)
        zero = self._zero_rows()
        scores[..., zero[zero < len(candidates)]] = np.nan
        return scores

    def _ranked(self, scores: np.ndarray, topn: int, exclude: list[int]) -> list[tuple[str, float]]:
        scores[[r for r in exclude if r < len(scores)]] = -np.inf  # never an answer
        rows, values = top_k(scores, int(topn))
        return Neighbours((self._keys[r], float(s)) for r, s in zip(rows.tolist(), values.tolist(),
                                                                    strict=True) if r >= 0)

    # ------------------------------------------------------------------ rankings
    @overload
    def most_similar(self, positive: Terms = None, negative: Terms = None, topn: int = 10,
                     restrict_vocab: int | None = None) -> list[tuple[str, float]]: ...
    @overload
    def most_similar(self, positive: Terms = None, negative: Terms = None, *, topn: None,
                     restrict_vocab: int | None = None) -> np.ndarray: ...

    def most_similar(self, positive: Terms = None, negative: Terms = None,
                     topn: int | None = 10,
                     restrict_vocab: int | None = None) -> list[tuple[str, float]] | np.ndarray:
        """The ``topn`` keys closest by cosine to the mean of ``positive`` minus ``negative``.

        Terms are keys or raw vectors; each is scaled to unit length first, and keys given as
        terms are left out of the answer (gensim's ``most_similar`` does the same). As in
        gensim, ``topn=None`` returns the cosine of every key (the first ``restrict_vocab``)
        as one float32 array, the query keys included, and ``topn=0`` returns ``[]``.

        Args:
            positive: Terms (keys or raw vectors) that pull towards them: one or a sequence.
            negative: Terms that push away from them: one or a sequence.
            topn: How many keys to return; ``None`` for the cosine of every key.
            restrict_vocab: Only rank the first ``restrict_vocab`` keys (``None``: all).

        Returns:
            Up to ``topn`` ``(key, cosine)`` pairs, best first (``[]`` when the query has no
            direction), or with ``topn=None`` a float32 array of every cosine.

        Raises:
            InvalidParameterError: ``topn`` is not an int >= 0 or None, ``restrict_vocab`` is
                not an int >= 1 or None, or no term is given.
            UnknownKeyError: A key term is not in the table.
            DataError: A raw vector has the wrong dimension, or a term's vector holds NaN or
                infinite values.
        """
        _check_topn(topn, "most_similar")
        if topn == 0:  # as gensim: nothing asked, nothing looked up
            return []
        pos, neg = self._query_terms(positive, negative)
        parts: list[np.ndarray] = []
        for sign, term in [(1.0, t) for t in pos] + [(-1.0, t) for t in neg]:
            direction = self._direction(term)
            if direction is not None:
                parts.append(sign * direction)
        mean = None
        if len(parts) == len(pos) + len(neg):  # else a term has no direction
            total = np.mean(parts, axis=0)
            norm = float(np.linalg.norm(total))
            mean = (total / norm).astype(np.float32) if norm > 0 else None  # terms cancelled
        if mean is None:  # no direction to rank by
            if topn is None:
                return np.full(len(self._candidates(restrict_vocab)), np.nan, np.float32)
            return []
        scores = self._cosines(mean, restrict_vocab)
        if topn is None:
            return scores
        return self._ranked(scores, topn, self._excluded(pos + neg))

    @overload
    def most_similar_cosmul(self, positive: Terms = None, negative: Terms = None,
                            topn: int = 10,
                            restrict_vocab: int | None = None) -> list[tuple[str, float]]: ...
    @overload
    def most_similar_cosmul(self, positive: Terms = None, negative: Terms = None, *,
                            topn: None, restrict_vocab: int | None = None) -> np.ndarray: ...

    def most_similar_cosmul(
        self, positive: Terms = None, negative: Terms = None, topn: int | None = 10,
        restrict_vocab: int | None = None,
    ) -> list[tuple[str, float]] | np.ndarray:
        """3CosMul (Levy and Goldberg, 2014): product of positive over product of negative.

        Cosines are shifted to [0, 1] first and the denominator gets 1e-6, as in gensim;
        ``topn=None`` returns every score, ``topn=0`` returns ``[]``.

        Args:
            positive: Terms (keys or raw vectors) in the numerator: one or a sequence.
            negative: Terms in the denominator: one or a sequence.
            topn: How many keys to return; ``None`` for the score of every key.
            restrict_vocab: Only rank the first ``restrict_vocab`` keys (``None``: all).

        Returns:
            Up to ``topn`` ``(key, score)`` pairs, best first (``[]`` when a term has no
            direction), or with ``topn=None`` a float32 array of every score.

        Raises:
            InvalidParameterError: ``topn`` is not an int >= 0 or None, ``restrict_vocab`` is
                not an int >= 1 or None, or no term is given.
            UnknownKeyError: A key term is not in the table.
            DataError: A raw vector has the wrong dimension, or a term's vector holds NaN or
                infinite values.
        """
        _check_topn(topn, "most_similar_cosmul")
        if topn == 0:  # as gensim: nothing asked, nothing looked up
            return []
        pos, neg = self._query_terms(positive, negative)
        pos_dirs = [d for d in map(self._direction, pos) if d is not None]
        neg_dirs = [d for d in map(self._direction, neg) if d is not None]
        if len(pos_dirs) + len(neg_dirs) < len(pos) + len(neg):  # a term has no direction
            if topn is None:
                return np.full(len(self._candidates(restrict_vocab)), np.nan, np.float32)
            return []
        pos_scores = [(1 + self._cosines(d, restrict_vocab)) / 2 for d in pos_dirs]
        neg_scores = [(1 + self._cosines(d, restrict_vocab)) / 2 for d in neg_dirs]
        scores = np.asarray(np.prod(pos_scores, axis=0) / (np.prod(neg_scores, axis=0) + 1e-6),
                            dtype=np.float32)
        if topn is None:
            return scores
        return self._ranked(scores, topn, self._excluded(pos + neg))

    def most_similar_batch(
        self, keys: Sequence[Query], topn: int = 10, restrict_vocab: int | None = None
    ) -> list[list[tuple[str, float]]]:
        """``most_similar(positive=[k])`` for many keys at once, as one matrix product.

        Args:
            keys: The query terms (keys or raw vectors).
            topn: How many neighbours to return for each term.
            restrict_vocab: Only rank the first ``restrict_vocab`` keys (``None``: all).

        Returns:
            One list of up to ``topn`` ``(key, cosine)`` pairs per term, best first.

        Raises:
            InvalidParameterError: ``topn`` is not an int >= 0, or ``restrict_vocab`` is not
                an int >= 1 or None.
            UnknownKeyError: A key is not in the table.
            DataError: A raw vector has the wrong dimension, or a term's vector holds NaN or
                infinite values.
        """
        _check_topn(topn, "most_similar_batch", allow_none=False)
        if not keys:
            return []
        directions = [self._direction(k) for k in keys]
        queries = np.stack([np.full(self.dim, np.nan, np.float32) if d is None else d
                            for d in directions])  # a zero query scores NaN: no neighbours
        scores = self._cosines(queries, restrict_vocab)
        return [self._ranked(scores[i], topn, self._excluded([k])) for i, k in enumerate(keys)]

    def analogy(self, a: str, b: str, c: str, topn: int = 1) -> str | list[tuple[str, float]]:
        """``a`` is to ``b`` as ``c`` is to ... ? (``b - a + c``; king - man + woman = queen).

        With ``topn=1`` the answer is the key; otherwise a list of ``(key, score)``.

        Args:
            a: The first key of the known pair.
            b: The second key of the known pair.
            c: The first key of the asked pair.
            topn: How many answers to give.

        Returns:
            The best key with ``topn=1``; otherwise up to ``topn`` ``(key, score)`` pairs.

        Raises:
            DataError: With ``topn=1``, no key answers (a query key has a zero vector, or no
                other key has a finite score); or a key's vector holds NaN or infinite values.
            UnknownKeyError: ``a``, ``b`` or ``c`` is not in the table.
            InvalidParameterError: ``topn`` is not an int >= 0.
        """
        found = self.most_similar(positive=[b, c], negative=[a], topn=topn)
        if topn != 1:
            return found
        if not found:
            raise DataError(f"no key answers {a!r} : {b!r} :: {c!r} : ?; a query word has a "
                            "zero vector, or no other key has a finite score")
        return found[0][0]

    def doesnt_match(self, words: Sequence[str]) -> str:
        """The key that fits least with the others (furthest from their mean direction).

        Args:
            words: At least two keys.

        Returns:
            The key of ``words`` furthest from the mean direction of them all.

        Raises:
            InvalidParameterError: Fewer than two words are given.
            UnknownKeyError: A word is not in the table.
        """
        words = list(words)
        if len(words) < 2:
            raise InvalidParameterError("doesnt_match needs at least two words")
        unit = np.stack([self._unit_vector(w) for w in words])
        mean = unit.mean(axis=0)
        mean /= max(float(np.linalg.norm(mean)), 1e-12)
        return words[int(np.argmin(unit @ mean))]

    # ------------------------------------------------------------------ pairwise numbers
    def similarity(self, a: Query, b: Query) -> float:
        """Cosine similarity of two keys (or vectors); 0 when one is a zero vector (gensim).

        Args:
            a: A key or raw vector.
            b: A key or raw vector.

        Returns:
            The cosine of ``a`` and ``b``.

        Raises:
            UnknownKeyError: A key is not in the table.
            DataError: A raw vector has the wrong dimension.
        """
        return float(self._similarity32(a, b))

    def _similarity32(self, a: Query, b: Query) -> np.float32:
        # gensim's arithmetic to the last digit: unitvec in float64, a float32 dot product.
        first = _unitvec_like_gensim(self._vector_of(a))
        second = _unitvec_like_gensim(self._vector_of(b))
        cosine: np.float32 = np.float32(first @ second)
        return cosine

    def distance(self, w1: Query, w2: Query) -> float:
        """Cosine distance, ``1 - similarity(w1, w2)`` (0 for a key and itself).

        Args:
            w1: A key or raw vector.
            w2: A key or raw vector.

        Returns:
            ``1 - similarity(w1, w2)``.

        Raises:
            UnknownKeyError: A key is not in the table.
            DataError: A raw vector has the wrong dimension.
        """
        return float(np.float32(1) - self._similarity32(w1, w2))

    def distances(self, word_or_vector: Query, other_words: Sequence[str] = ()) -> np.ndarray:
        """Cosine distances (float32) from a key or vector to each of ``other_words``, or to
        every key when none are given (itself included). A zero vector gives NaN.

        Args:
            word_or_vector: A key or raw vector.
            other_words: The keys to measure to; empty for every key.

        Returns:
            A float32 array of distances, one per key of ``other_words`` (or of the table).

        Raises:
            UnknownKeyError: A key is not in the table.
            DataError: A raw vector has the wrong dimension.
        """
        vector = self._vector_of(word_or_vector)
        if other_words:
            others = np.asarray(self.matrix[[self.index_of(w) for w in other_words]])
        else:
            others = np.asarray(self.matrix)
        # gensim's arithmetic: raw dot products over the product of the two lengths.
        norms = np.linalg.norm(others, axis=1) * np.linalg.norm(vector)
        with np.errstate(divide="ignore", invalid="ignore"):
            cosines = (others @ vector) / norms
        cosines[norms == 0] = np.nan
        return np.asarray(1 - cosines, dtype=np.float32)

    def closer_than(self, key1: str, key2: str) -> list[str]:
        """Every key closer to ``key1`` than ``key2`` is, in row order (``key1`` left out).

        Args:
            key1: The key measured from.
            key2: The key whose distance is the bound.

        Returns:
            The keys strictly closer to ``key1`` than ``key2``, in row order.

        Raises:
            UnknownKeyError: ``key1`` or ``key2`` is not in the table.
        """
        own, other = self.index_of(key1), self.index_of(key2)
        distances = self.distances(key1)
        closer = np.flatnonzero(distances < distances[other])  # NaN is never closer
        return [self._keys[r] for r in closer.tolist() if r != own]

    def rank(self, key1: str, key2: str) -> int:
        """Where ``key2`` comes among ``key1``'s neighbours: 1 + the keys closer than it.

        Args:
            key1: The key whose neighbours are ranked.
            key2: The key whose rank is asked.

        Returns:
            The 1-based rank of ``key2``.

        Raises:
            UnknownKeyError: ``key1`` or ``key2`` is not in the table.
        """
        return len(self.closer_than(key1, key2)) + 1

    def n_similarity(self, ws1: Sequence[Query], ws2: Sequence[Query]) -> float:
        """Cosine of the means of two sets of keys (raw vectors averaged, as in gensim).

        Keys with no vector are skipped, as gensim does; 0 when nothing is left of a set.

        Args:
            ws1: The first set of keys (or raw vectors).
            ws2: The second set of keys (or raw vectors).

        Returns:
            The cosine of the two mean vectors.

        Raises:
            InvalidParameterError: A set is empty.
            DataError: A raw vector has the wrong dimension.
        """
        if not (len(ws1) and len(ws2)):
            raise InvalidParameterError("n_similarity needs at least one key in each list")
        first = _unitvec_like_gensim(self.get_mean_vector(ws1, pre_normalize=False))
        second = _unitvec_like_gensim(self.get_mean_vector(ws2, pre_normalize=False))
        return float(np.dot(first, second))

    def get_mean_vector(
        self,
        keys: Sequence[Query],
        weights: Sequence[float] | np.ndarray | None = None,
        pre_normalize: bool = True,
        post_normalize: bool = False,
        ignore_missing: bool = True,
    ) -> np.ndarray:
        """The weighted mean of the vectors of ``keys`` (gensim's ``get_mean_vector``).

        ``keys`` may mix keys and raw vectors (raw vectors are used as given). With
        ``pre_normalize`` each key's vector is scaled to unit length first; the sum is divided
        by the total absolute weight of the terms used; ``post_normalize`` scales the result
        to unit length. A key with no vector is skipped unless ``ignore_missing=False``
        (then :class:`~embedlab.errors.UnknownKeyError`). Returns float32.

        Args:
            keys: Keys and raw vectors to average.
            weights: One weight per term (``None``: all 1).
            pre_normalize: Scale each key's vector to unit length first.
            post_normalize: Scale the mean to unit length.
            ignore_missing: Skip keys with no vector instead of raising.

        Returns:
            The float32 mean vector (zero when no term was used).

        Raises:
            InvalidParameterError: ``keys`` is empty, or there is not one weight per key.
            UnknownKeyError: A key has no vector and ``ignore_missing`` is false.
            DataError: A raw vector has the wrong dimension.
        """
        if len(keys) == 0:
            raise InvalidParameterError("get_mean_vector needs at least one key")
        # gensim's arithmetic: an array of weights keeps its type, a list becomes float32.
        if isinstance(weights, np.ndarray):
            factors = weights
        else:
            factors = np.asarray(np.ones(len(keys)) if weights is None else weights, np.float32)
        if factors.shape != (len(keys),):
            raise InvalidParameterError(
                f"get_mean_vector needs one weight per key; got {factors.shape} weights for "
                f"{len(keys)} keys")
        mean = np.zeros(self.dim, dtype=np.float32)
        total = factors.dtype.type(0)
        for weight, key in zip(factors, keys, strict=True):
            if isinstance(key, np.ndarray):
                vector = self._vector_of(key)
            else:
                found = self.get(key)
                if found is None:
                    if not ignore_missing:
                        raise UnknownKeyError(key)
                    continue
                vector = self._unit_vector(key) if pre_normalize else found
            mean += weight * vector
            total += abs(weight)
        if total > 0:
            mean = np.asarray(mean / total, dtype=np.float32)
        return _unitvec_like_gensim(mean) if post_normalize else mean
