"""``SentenceIndex``: semantic search over texts with a static model and embedlab's neighbour
index (exact top-k, or faiss for large collections)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..errors import DataError, check_param
from ..neighbors import Method, NeighborIndex, build_index
from ..vectors import Vectors
from .model import StaticModel

Hit = tuple[str, float]


class SentenceIndex:
    """Texts encoded by ``model``, searchable by the meaning of a query.

    ``add(texts, ids)`` encodes and stores them (ids default to their running number);
    ``search(query, k)`` answers the ``k`` best ``(id, cosine)`` pairs, best first.
    :attr:`vectors` is the collection as a :class:`~embedlab.vectors.Vectors` (keys = ids, a
    ``text`` metadata column) for plots, the explorer or any other consumer.
    """

    def __init__(self, model: StaticModel, method: Method = "exact") -> None:
        check_param(isinstance(model, StaticModel), "model", "SentenceIndex", "a StaticModel",
                    type(model).__name__)
        check_param(method in ("exact", "faiss", "auto"), "method", "SentenceIndex",
                    "'exact', 'faiss' or 'auto'", method)
        self.model = model
        self.method: Method = method
        self._ids: list[str] = []
        self._texts: list[str] = []
        self._blocks: list[np.ndarray] = []
        self._index: NeighborIndex | None = None

    def __len__(self) -> int:
        return len(self._ids)

    def add(self, texts: Sequence[str], ids: Sequence[object] | None = None, *,
            batch_size: int = 1024, progress: bool = True) -> SentenceIndex:
        """Encode ``texts`` and add them under ``ids`` (strings; other values go through
        ``str``). Returns the index, so calls chain.

        Args:
            texts: The texts to add (a list, not one string).
            ids: One id per text; ``None``: their running numbers.
            batch_size: How many texts are encoded at once.
            progress: Whether to show a progress bar.

        Returns:
            This index.

        Raises:
            DataError: ``texts`` is one string, ``ids`` has not one id per text, or an id is
                given twice or is already in the index.
        """
        if isinstance(texts, str):
            raise DataError("texts must be a list of texts, not one string; wrap it in a list")
        items = list(texts)
        if ids is None:
            keys = [str(len(self._ids) + i) for i in range(len(items))]
        else:
            keys = [key if isinstance(key, str) else str(key) for key in ids]
            if len(keys) != len(items):
                raise DataError(f"{len(items)} texts but {len(keys)} ids; give one id per text")
        taken = set(self._ids)
        for i, key in enumerate(keys):
            if key in taken:
                raise DataError(f"id {key!r} (text {i}) is already in the index; ids must be unique")
            taken.add(key)
        vectors = self.model.encode(items, batch_size, progress=progress)
        self._ids.extend(keys)
        self._texts.extend(items)
        self._blocks.append(vectors)
        self._index = None
        return self

    @property
    def vectors(self) -> Vectors:
        """The stored texts as vectors (keys = ids, metadata column ``text``)."""
        if not self._blocks:
            raise DataError("the index is empty; add texts first")
        if len(self._blocks) > 1:
            self._blocks = [np.concatenate(self._blocks)]
        return Vectors(self._ids, self._blocks[0], metadata={"text": self._texts})

    def text(self, id: object) -> str:
        """The text stored under ``id``.

        Args:
            id: The id the text was added under.

        Returns:
            The text.

        Raises:
            DataError: The index is empty.
            UnknownKeyError: No text has this id.
        """
        return self._texts[self.vectors.index_of(id)]

    def search(self, query: str | Sequence[str], k: int = 10) -> Any:
        """The ``k`` best ``(id, cosine)`` pairs for ``query``, best first; for a list of
        queries, one such list per query.

        Args:
            query: One query text, or a list of them.
            k: How many hits per query.

        Returns:
            A list of ``(id, cosine)`` pairs, best first; for a list of queries, one per query.

        Raises:
            InvalidParameterError: ``k`` is not an int >= 1.
            DataError: The index is empty.
        """
        check_param(isinstance(k, int) and not isinstance(k, bool) and k >= 1, "k",
                    "SentenceIndex.search", "an int >= 1", k)
        if self._index is None:
            self._index = build_index(self.vectors, method=self.method, metric="cosine")
        single = isinstance(query, str)
        texts: list[str] = [query] if isinstance(query, str) else list(query)
        queries = self.model.encode(texts, progress=False, allow_empty=True)
        hits: list[list[Hit]] = self._index.search_keys(queries, k)
        return hits[0] if single else hits
