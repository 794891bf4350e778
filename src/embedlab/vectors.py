"""``Vectors``: an ordered set of keys with one float32 vector each.

Every producer in embedlab (format readers, trainers, recommenders, node embedders, encoders)
returns a :class:`Vectors`; every consumer (queries, evaluation, plots, the explorer, the
Embedding layer) takes one. ``Vectors`` never trains. The questions it answers
(``most_similar``, ``similarity``, ``rank`` ...) live in :mod:`embedlab._queries`.

The matrix is stored read-only so that the cached unit-length copy used for cosine queries can
never go stale: to change vectors, build a new ``Vectors`` (``v.with_matrix(new)``).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, cast

import numpy as np

from ._params import check_vector_inputs
from ._queries import Query, VectorQueries
from .errors import DataError, UnknownKeyError, check_param

if TYPE_CHECKING:
    from pathlib import Path

    import torch

__all__ = ["Query", "SubwordModel", "Vectors"]


class SubwordModel(Protocol):
    """Something that can build a vector for a key that is not in the table (fastText n-grams)."""

    def vector(self, key: str) -> np.ndarray | None:
        """The vector for ``key``, or ``None`` when nothing can be built for it.

        Args:
            key: The key outside the table.

        Returns:
            The built vector, or ``None``.
        """
        ...


def _as_key(key: object) -> str:
    return key if isinstance(key, str) else str(key)


class Vectors(VectorQueries):
    """Keys and their vectors.

    Args:
        keys: The keys, in row order. Non-string keys (item or node ids) are stored as
            ``str(key)`` and looked up the same way, so ``v[42]`` and ``v["42"]`` are the same
            row.
        matrix: A 2-D array with one row per key; stored as float32 (a memory map stays a
            memory map).
        counts: Optional frequency of each key (from the corpus the vectors were learnt on).
        metadata: Optional columns about the keys, each a sequence with one value per key
            (``{"genre": [...], "title": [...]}``); plots and the explorer can colour by them.
        subwords: Optional model that builds vectors for keys outside the table (fastText).
        allow_nonfinite: NaN and infinite values are rejected unless this is true.

    Raises:
        InvalidParameterError: ``keys`` is ``None`` or a single string, or ``matrix`` is
            ``None``, holds complex, string or object values, or has zero columns.
        DataError: ``matrix`` is not 2-D or has not one row per key, holds NaN or infinite
            values (without ``allow_nonfinite``), a key is repeated, or ``counts`` or a
            metadata column has not one value per key.
    """

    def __init__(
        self,
        keys: Iterable[object],
        matrix: np.ndarray,
        counts: Sequence[int] | np.ndarray | None = None,
        metadata: Mapping[str, Sequence[Any]] | None = None,
        subwords: SubwordModel | None = None,
        *,
        allow_nonfinite: bool = False,
    ) -> None:
        # Checked before numpy turns None into NaN or drops imaginary parts; converted once.
        array = check_vector_inputs(keys, matrix)
        raw = list(keys)
        key_list: list[str] = (
            raw if set(map(type, raw)) <= {str} else [_as_key(k) for k in raw]  # type: ignore[assignment]
        )
        if array.ndim != 2:
            raise DataError(f"the matrix must be 2-D (keys x dimensions); got shape {array.shape}")
        if array.shape[0] != len(key_list):
            raise DataError(
                f"there are {len(key_list)} keys but the matrix has {array.shape[0]} rows; "
                "give one row per key"
            )
        if array.dtype != np.float32:
            array = array.astype(np.float32)
        if not allow_nonfinite and array.size and not np.isfinite(array).all():
            row = int(np.nonzero(~np.isfinite(array).all(axis=1))[0][0])
            raise DataError(
                f"the vector of {key_list[row]!r} (row {row}) holds NaN or infinite values; "
                "fix the data or pass allow_nonfinite=True"
            )
        index = dict(zip(key_list, range(len(key_list)), strict=True))
        if len(index) != len(key_list):
            first: dict[str, int] = {}
            for i, key in enumerate(key_list):
                if first.setdefault(key, i) != i:
                    raise DataError(
                        f"duplicate key {key!r} at rows {first[key]} and {i}; keys must be unique"
                    )
        if not isinstance(array, np.memmap) or array.flags.writeable:
            array = array.view()
            array.flags.writeable = False
        self._keys = key_list
        self._index_map: dict[str, int] | None = index
        self._matrix = array
        self._unit: np.ndarray | None = None
        self._zero: np.ndarray | None = None
        self._by_initial: dict[str, list[str]] | None = None
        self.counts = None if counts is None else np.asarray(counts, dtype=np.int64)
        if self.counts is not None and self.counts.shape != (len(key_list),):
            raise DataError(f"counts must hold one value per key ({len(key_list)})")
        self.metadata: dict[str, list[Any]] = {}
        for column, values in (metadata or {}).items():
            values = list(values)
            if len(values) != len(key_list):
                raise DataError(
                    f"metadata column {column!r} has {len(values)} values for {len(key_list)} keys"
                )
            self.metadata[column] = values
        self.subwords = subwords

    @classmethod
    def _trusted(
        cls,
        keys: list[str],
        matrix: np.ndarray,
        counts: np.ndarray | None = None,
        metadata: dict[str, list[Any]] | None = None,
        index: dict[str, int] | None = None,
    ) -> Vectors:
        """Build without checks, the key index made on first use: for readers of files whose
        keys and values were checked when written (embedlab's native folders), so reopening
        400k keys takes milliseconds."""
        self = cls.__new__(cls)
        if not isinstance(matrix, np.memmap) or matrix.flags.writeable:
            matrix = matrix.view()
            matrix.flags.writeable = False
        self._keys = keys
        self._index_map = index
        self._matrix = matrix
        self._unit = None
        self._zero = None
        self._by_initial = None
        self.counts = counts
        self.metadata = dict(metadata or {})
        self.subwords = None
        return self

    @property
    def _index(self) -> dict[str, int]:
        if self._index_map is None:
            self._index_map = dict(zip(self._keys, range(len(self._keys)), strict=True))
        return self._index_map

    # ------------------------------------------------------------------ container protocol
    @property
    def keys(self) -> list[str]:
        """The keys in row order (a copy)."""
        return list(self._keys)

    @property
    def matrix(self) -> np.ndarray:
        """The ``len(self) x dim`` float32 matrix (read-only)."""
        return self._matrix

    @property
    def dim(self) -> int:
        """Number of dimensions of every vector."""
        return int(self._matrix.shape[1])

    @property
    def key_to_index(self) -> Mapping[str, int]:
        """Read-only mapping from key to row."""
        return self._index

    def __len__(self) -> int:
        return len(self._keys)

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __contains__(self, key: object) -> bool:
        """Whether ``key`` is in the table (unlike gensim's FastTextKeyedVectors, where ``in``
        is true for any word a vector can be built for: ask :meth:`has_vector` for that)."""
        return _as_key(key) in self._index

    def has_vector(self, key: object) -> bool:
        """Whether ``self[key]`` gives a vector built from data: the key is in the table, or
        the subword model has rows for it (a fastText word with no n-gram gets the zero vector
        but no vector of its own).

        Args:
            key: The key to look for (non-string keys are looked up as ``str(key)``).

        Returns:
            ``True`` when a vector built from data exists for ``key``.
        """
        k = _as_key(key)
        if k in self._index:
            return True
        check = getattr(self.subwords, "has_vector", None)
        return bool(check(k)) if check is not None else self.get(k) is not None

    def __repr__(self) -> str:
        return f"Vectors({len(self)} keys x {self.dim} dims)"

    # ------------------------------------------------------------------ notebook display
    source: Path | None = None
    """The file or folder the vectors were loaded from (set by ``load``), shown in notebooks."""

    def _repr_html_(self) -> str:
        """What a notebook shows: size, storage, where it came from, metadata, first keys."""
        import html

        matrix = self._matrix
        mapped = matrix
        while mapped is not None and not isinstance(mapped, np.memmap):
            mapped = getattr(mapped, "base", None)
        # A memory map knows its file; a loader may also leave the path in ``source``.
        source = getattr(self, "source", None) or getattr(mapped, "filename", None)
        megabytes = matrix.nbytes / 2**20
        rows = [
            ("size", f"{len(self):,} keys × {self.dim:,} dimensions"),
            ("dtype", f"{matrix.dtype} ({megabytes:,.1f} MB)"),
            ("storage", "memory-mapped" if mapped is not None else "in memory"),
            ("source", str(source) if source else "—"),
            ("metadata", ", ".join(self.metadata) or "—"),
            ("counts", "yes" if self.counts is not None else "—"),
            ("subword model", type(self.subwords).__name__ if self.subwords is not None else "—"),
            ("first keys", ", ".join(self._keys[:10]) + (" …" if len(self) > 10 else "")),
        ]
        body = "".join(f'<tr><th style="text-align:left">{name}</th>'
                       f'<td style="text-align:left">{html.escape(value)}</td></tr>'
                       for name, value in rows)
        return f'<table class="embedlab-vectors"><caption>Vectors</caption>{body}</table>'

    def index_of(self, key: object) -> int:
        """Row of ``key``; raises :class:`UnknownKeyError` with close keys as suggestions.

        Args:
            key: The key to look up (non-string keys are looked up as ``str(key)``).

        Returns:
            The row index of ``key`` in :attr:`matrix`.

        Raises:
            UnknownKeyError: ``key`` is not in the table.
        """
        k = _as_key(key)
        try:
            return self._index[k]
        except KeyError:
            raise UnknownKeyError(k, self.suggest(k)) from None

    def __getitem__(self, key: object) -> np.ndarray:
        """The vector of one key, or a stacked matrix for a list of keys.

        A key outside the table gets a vector from the subword model when there is one.

        Args:
            key: One key, or a list or tuple of keys.

        Returns:
            The key's vector, or a ``len(key) x dim`` matrix for a list of keys.

        Raises:
            UnknownKeyError: A key is not in the table and no vector can be built for it.
        """
        if isinstance(key, list | tuple):
            return np.stack([self[k] for k in key]) if key else np.empty((0, self.dim), np.float32)
        k = _as_key(key)
        row = self._index.get(k)
        if row is not None:
            return cast(np.ndarray, self._matrix[row])
        if self.subwords is not None:
            built = self.subwords.vector(k)
            if built is not None:
                return built
        raise UnknownKeyError(k, self.suggest(k))

    def get(self, key: object, default: np.ndarray | None = None) -> np.ndarray | None:
        """Like ``self[key]`` but returns ``default`` for unknown keys.

        Args:
            key: One key, or a list or tuple of keys.
            default: What to return when a key is unknown.

        Returns:
            ``self[key]``, or ``default`` when a key is unknown.
        """
        try:
            return self[key]
        except UnknownKeyError:
            return default

    def suggest(self, key: str, n: int = 3) -> list[str]:
        """Up to ``n`` keys spelt like ``key`` (for error messages); fast on large tables.

        Args:
            key: The (usually unknown) key.
            n: The most suggestions to return.

        Returns:
            Keys of the table close to ``key``, best first (possibly empty).
        """
        if not key or not self._keys:
            return []
        if self._by_initial is None:
            groups: dict[str, list[str]] = {}
            for k in self._keys:
                if k:
                    groups.setdefault(k[0].lower(), []).append(k)
            self._by_initial = groups
        # Same initial letter and similar length: keeps difflib's work small on 400k keys.
        pool = [
            k for k in self._by_initial.get(key[0].lower(), []) if abs(len(k) - len(key)) <= 2
        ][:50_000]
        lowered = key.lower()
        if lowered != key and lowered in self._index:
            return [lowered]
        return difflib.get_close_matches(key, pool, n=n, cutoff=0.75)

    # ------------------------------------------------------------------ derived tables
    @property
    def unit(self) -> np.ndarray:
        """Rows scaled to unit length (zero rows stay zero); computed once and cached."""
        if self._unit is None:
            norms = np.linalg.norm(self._matrix, axis=1, keepdims=True)
            self._zero = np.flatnonzero(norms[:, 0] == 0)
            norms[norms == 0] = 1.0
            unit = (self._matrix / norms).astype(np.float32, copy=False)
            unit.flags.writeable = False
            self._unit = unit
        return self._unit

    def _zero_rows(self) -> np.ndarray:
        """Rows whose vector is all zeros (no direction: never anyone's cosine neighbour)."""
        if self._zero is None:
            self.unit  # noqa: B018 - computes both
        assert self._zero is not None
        return self._zero

    @property
    def norms(self) -> np.ndarray:
        """The length of every row."""
        return cast(np.ndarray, np.linalg.norm(self._matrix, axis=1))

    def with_matrix(self, matrix: np.ndarray) -> Vectors:
        """A new ``Vectors`` with the same keys, counts and metadata and another matrix.

        Args:
            matrix: The new matrix, one row per key.

        Returns:
            The new ``Vectors``.

        Raises:
            InvalidParameterError: ``matrix`` is ``None`` or holds non-real values.
            DataError: ``matrix`` is not 2-D, has not one row per key, or holds NaN or
                infinite values.
        """
        return Vectors(self._keys, matrix, self.counts, self.metadata, self.subwords)

    def subset(self, keys: Iterable[object]) -> Vectors:
        """A new ``Vectors`` holding only ``keys``, in the order given.

        Args:
            keys: The keys to keep.

        Returns:
            The new ``Vectors``, with the counts and metadata of those keys.

        Raises:
            UnknownKeyError: A key is not in the table.
        """
        rows = [self.index_of(k) for k in keys]
        return self._take(rows)

    def top(self, n: int) -> Vectors:
        """The first ``n`` keys (the most frequent ones, for files sorted by frequency).

        Args:
            n: How many keys to keep (all of them when ``n >= len(self)``).

        Returns:
            A new ``Vectors`` holding the first ``n`` keys.

        Raises:
            InvalidParameterError: ``n`` is not an int >= 0.
        """
        check_param(isinstance(n, int) and n >= 0, "n", "Vectors.top", "an int >= 0", n)
        return self._take(list(range(min(n, len(self)))))

    def _take(self, rows: list[int]) -> Vectors:
        counts = None if self.counts is None else self.counts[rows]
        meta = {c: [vals[r] for r in rows] for c, vals in self.metadata.items()}
        return Vectors(
            [self._keys[r] for r in rows], np.array(self._matrix[rows]), counts, meta, self.subwords
        )

    def to_torch(self, device: str | None = None) -> torch.Tensor:
        """The matrix as a float32 torch tensor (a copy) on ``device``.

        Args:
            device: The torch device (``None``: torch's default).

        Returns:
            A ``len(self) x dim`` float32 tensor.
        """
        import torch

        return torch.tensor(np.asarray(self._matrix), dtype=torch.float32, device=device)

    # ------------------------------------------------------------------ from trained layers
    @classmethod
    def from_torch(cls, module_or_weight: Any, vocab: Any) -> Vectors:
        """The rows of a trained torch embedding, keyed by ``vocab``'s tokens.

        ``module_or_weight`` is a ``torch.nn.Embedding`` (embedlab's or torch's) or its weight
        tensor; ``vocab`` a :class:`~embedlab.Vocab` (its counts come along) or the tokens in
        id order. The rows are copied, so the layer can go on training.

        Args:
            module_or_weight: A ``torch.nn.Embedding`` or its weight tensor.
            vocab: A :class:`~embedlab.Vocab`, a keras ``TextVectorization``, or the tokens in
                id order.

        Returns:
            The layer's rows keyed by the vocabulary's tokens.

        Raises:
            DataError: ``module_or_weight`` is not an embedding or a tensor, ``vocab`` is not
                a vocabulary, or the numbers of tokens and rows differ.
        """
        weight = getattr(module_or_weight, "weight", module_or_weight)
        if not hasattr(weight, "detach"):
            raise DataError(
                "Vectors.from_torch takes a torch.nn.Embedding or a weight tensor; "
                f"got {type(module_or_weight).__name__}"
            )
        return _from_rows(weight.detach().cpu().float().numpy().copy(), vocab, "Vectors.from_torch")

    @classmethod
    def from_keras(cls, layer: Any, vocab: Any) -> Vectors:
        """The rows of a trained ``keras.layers.Embedding``, keyed by ``vocab``'s tokens.

        ``vocab`` is a :class:`~embedlab.Vocab`, the ``TextVectorization`` layer that made the
        model's ids (its ``''`` and ``'[UNK]'`` become ``<pad>`` and ``<unk>``, see
        :meth:`Vocab.from_keras`), or the tokens in id order. Keras itself is not imported:
        the layer gives its weights as numpy arrays.

        Args:
            layer: A built ``keras.layers.Embedding``.
            vocab: A :class:`~embedlab.Vocab`, a keras ``TextVectorization``, or the tokens in
                id order.

        Returns:
            The layer's rows keyed by the vocabulary's tokens.

        Raises:
            DataError: ``layer`` has no 2-D weights yet, ``vocab`` is not a vocabulary, or the
                numbers of tokens and rows differ.
        """
        weights = layer.get_weights() if hasattr(layer, "get_weights") else None
        if not weights or np.ndim(weights[0]) != 2:
            raise DataError(
                "Vectors.from_keras takes a built keras.layers.Embedding (call the model once, "
                f"or fit it, so that its weights exist); got {type(layer).__name__}"
            )
        return _from_rows(np.array(weights[0], dtype=np.float32), vocab, "Vectors.from_keras")


def _from_rows(matrix: np.ndarray, vocab: Any, owner: str) -> Vectors:
    """``Vectors`` of a trained layer's rows, checking they match the vocabulary one to one."""
    from .vocab import Vocab

    if hasattr(vocab, "get_vocabulary"):  # a keras TextVectorization or StringLookup
        vocab = Vocab.from_keras(vocab)
    if isinstance(vocab, str) or not isinstance(vocab, Vocab | Sequence):
        raise DataError(
            f"{owner} needs the vocabulary the layer's ids come from: an embedlab.Vocab, a keras "
            f"TextVectorization or a list of tokens; got {type(vocab).__name__}"
        )
    tokens = vocab.tokens if isinstance(vocab, Vocab) else list(vocab)
    if len(tokens) != len(matrix):
        raise DataError(
            f"the vocabulary has {len(tokens)} tokens but the layer has {len(matrix)} rows"
        )
    return Vectors(tokens, matrix, counts=vocab.counts if isinstance(vocab, Vocab) else None)
