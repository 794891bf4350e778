"""The tagger's frozen table of pretrained vectors: every word the pretrained ``Vectors`` know,
so a word never seen in training still gets its pretrained vector when tagged.

The tagger's word ids run over its training vocabulary first (rows the fit also learns) and
then over the words only the pretrained vectors know. Each word's input vector is its frozen
pretrained row plus a learned row (the ``<unk>`` row for words past the training vocabulary).

With several sets of pretrained vectors (GloVe and fastText, say) a word's pretrained row is
their vectors side by side: each set's vector of the word, built from its subwords when that
set has a subword model and lacks the word, else zeros.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np

from ..subwords import FastTextSubwords
from ..vectors import Vectors


def pretrained_rows(sources: Sequence[Vectors], tokens: list[str], key: Callable[[str], str],
                    specials: set[str]) -> tuple[np.ndarray, np.ndarray]:
    """Row ``i`` is token ``i``'s pretrained vectors side by side (each looked up as written,
    then by ``key``), zeros where a set has none; and a mask of the tokens that have any.

    A subword model (fastText) builds vectors for tokens outside its table.

    Args:
        sources: The pretrained vectors, one set or several.
        tokens: The tokens, in id order.
        key: How the tagger spells a word to look it up (lower-casing or not).
        specials: Tokens that never get a vector (``<pad>``, ``<unk>``).

    Returns:
        A ``len(tokens) x (sum of the dims)`` float32 matrix and a boolean mask of ``len(tokens)``.
    """
    parts, found = [], np.zeros(len(tokens), dtype=bool)
    for vectors in sources:
        rows, has = _rows_of(vectors, tokens, key, specials)
        parts.append(rows)
        found |= has
    return np.concatenate(parts, axis=1), found


def _rows_of(vectors: Vectors, tokens: list[str], key: Callable[[str], str],
             specials: set[str]) -> tuple[np.ndarray, np.ndarray]:
    """One set's rows for ``tokens`` and which tokens it has a vector for."""
    index = keyed_index(vectors, key)
    source = vectors.matrix
    rows = np.zeros((len(tokens), vectors.dim), dtype=np.float32)
    found = np.zeros(len(tokens), dtype=bool)
    for i, token in enumerate(tokens):
        if token in specials:
            continue
        row = vectors.key_to_index.get(token)
        if row is None:
            row = index.get(key(token))
        if row is not None:
            rows[i], found[i] = source[row], True
        elif vectors.subwords is not None and vectors.has_vector(key(token)):
            rows[i], found[i] = vectors[key(token)], True
    return rows, found


def keyed_index(vectors: Vectors, key: Callable[[str], str]) -> dict[str, int]:
    """The row of each pretrained word under the tagger's spelling (the first row wins when
    lower-casing makes two words one)."""
    index: dict[str, int] = {}
    for row, word in enumerate(vectors.keys):
        index.setdefault(key(word), row)
    return index


def words_beyond(sources: Sequence[Vectors], known: Iterable[str],
                 key: Callable[[str], str]) -> tuple[list[str], np.ndarray]:
    """The pretrained words (in the tagger's spelling) that are not in ``known``, and their rows.

    Args:
        sources: The pretrained vectors, one set or several.
        known: The words that already have an id.
        key: How the tagger spells a word.

    Returns:
        The new words (the first set's in its table's order, then each further set's new
        ones), and their ``n x (sum of the dims)`` float32 rows.
    """
    taken = set(known)
    indexes = [keyed_index(vectors, key) for vectors in sources]
    words: list[str] = []
    for index in indexes:
        for word in index:
            if word not in taken:
                taken.add(word)
                words.append(word)
    parts = []
    for vectors, index in zip(sources, indexes, strict=True):
        rows = np.asarray([index.get(w, -1) for w in words], dtype=np.int64)
        part = np.zeros((len(words), vectors.dim), dtype=np.float32)
        has = rows >= 0
        if has.any():
            part[has] = np.asarray(vectors.matrix, dtype=np.float32)[rows[has]]
        if vectors.subwords is not None and not has.all():
            # Words of the other sets that this one lacks: built from their subwords at once.
            missing = [w for w, h in zip(words, has, strict=True) if not h]
            part[~has] = _built_rows(vectors, missing)[0]
        parts.append(part)
    return words, np.concatenate(parts, axis=1)


def _built_rows(vectors: Vectors, words: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Vectors built from ``vectors``' subwords for words outside its table (zeros where it
    has none), and which words got one."""
    model = vectors.subwords
    if isinstance(model, FastTextSubwords):  # its kernels hash and build many words at once
        own = np.fromiter((model.index.get(w, -1) for w in words), np.int64, len(words))
        _, offsets = model.ngram_ids_batch(words)
        return model.word_vectors(words), (own >= 0) | (np.diff(offsets) > 0)
    has = np.array([model is not None and vectors.has_vector(w) for w in words], dtype=bool)
    rows = np.zeros((len(words), vectors.dim), np.float32)
    for i in np.flatnonzero(has):
        rows[i] = vectors[words[i]]
    return rows, has


def subword_vectors(sources: Sequence[Vectors], words: Iterable[str]) -> tuple[list[str], np.ndarray]:
    """The words some subword model can build vectors for, and their rows (none without one).

    Args:
        sources: The pretrained vectors, one set or several, with or without subword models.
        words: Words outside the tagger's ids, in the tagger's spelling.

    Returns:
        The words that got a vector (first occurrence order, no repeats) and their
        ``n x (sum of the dims)`` float32 rows: zeros for a set that cannot build one.
    """
    unique = list(dict.fromkeys(words))
    built = [_built_rows(v, unique) if v.subwords is not None
             else (np.zeros((len(unique), v.dim), np.float32), np.zeros(len(unique), dtype=bool))
             for v in sources]
    keep = np.zeros(len(unique), dtype=bool)
    for _, has in built:
        keep |= has
    rows = np.concatenate([part for part, _ in built], axis=1)[keep]
    return [w for w, k in zip(unique, keep, strict=True) if k], rows
