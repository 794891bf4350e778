"""The tagger's frozen table of pretrained vectors: every word the pretrained ``Vectors`` know,
so a word never seen in training still gets its pretrained vector when tagged.

The tagger's word ids run over its training vocabulary first (rows the fit also learns) and
then over the words only the pretrained vectors know. Each word's input vector is its frozen
pretrained row plus a learned row (the ``<unk>`` row for words past the training vocabulary).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from ..vectors import Vectors


def pretrained_rows(vectors: Vectors, tokens: list[str], key: Callable[[str], str],
                    specials: set[str]) -> tuple[np.ndarray, np.ndarray]:
    """Row ``i`` is token ``i``'s pretrained vector (looked up as written, then by ``key``),
    zero when there is none; and a mask of the tokens that have one.

    A subword model (fastText) builds vectors for tokens outside its table.

    Args:
        vectors: The pretrained vectors.
        tokens: The tokens, in id order.
        key: How the tagger spells a word to look it up (lower-casing or not).
        specials: Tokens that never get a vector (``<pad>``, ``<unk>``).

    Returns:
        A ``len(tokens) x dim`` float32 matrix and a boolean mask of ``len(tokens)``.
    """
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


def words_beyond(vectors: Vectors, known: Iterable[str], key: Callable[[str], str]) -> tuple[list[str], np.ndarray]:
    """The pretrained words (in the tagger's spelling) that are not in ``known``, and their rows.

    Args:
        vectors: The pretrained vectors.
        known: The words that already have an id.
        key: How the tagger spells a word.

    Returns:
        The new words in the pretrained table's order, and their ``n x dim`` float32 vectors.
    """
    taken = set(known)
    words: list[str] = []
    rows: list[int] = []
    for word, row in keyed_index(vectors, key).items():
        if word not in taken:
            words.append(word)
            rows.append(row)
    matrix = np.asarray(vectors.matrix, dtype=np.float32)[np.asarray(rows, dtype=np.int64)] if rows \
        else np.zeros((0, vectors.dim), np.float32)
    return words, matrix


def subword_vectors(vectors: Vectors, words: Iterable[str]) -> tuple[list[str], np.ndarray]:
    """The words a subword model can build vectors for, and those vectors (none without one).

    Args:
        vectors: The pretrained vectors, with or without a subword model.
        words: Words outside the tagger's ids, in the tagger's spelling.

    Returns:
        The words that got a vector (first occurrence order, no repeats) and an ``n x dim``
        float32 matrix.
    """
    built: dict[str, np.ndarray] = {}
    if vectors.subwords is not None:
        for word in words:
            if word not in built and vectors.has_vector(word):
                built[word] = np.asarray(vectors[word], dtype=np.float32)
    matrix = np.stack(list(built.values())) if built else np.zeros((0, vectors.dim), np.float32)
    return list(built), matrix
