"""fastText's subword vectors: character n-grams hashed into buckets, exactly as fastText does.

A word ``w`` is wrapped as ``<w>``; every run of ``minn`` to ``maxn`` characters (UTF-8 code
points, not bytes) is hashed with 32-bit FNV-1a — each byte sign-extended as fastText's
``int8_t`` cast does — and taken modulo ``bucket``; its row is ``nwords + hash % bucket``.
Single characters at either end (``<`` and ``>`` alone) are skipped. A word's vector is the
mean of its own row (when it is in the vocabulary) and its n-gram rows; an unknown word gets
the mean of its n-gram rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .errors import InvalidParameterError

FNV_OFFSET = 2166136261
FNV_PRIME = 16777619
EOS = "</s>"


def fasttext_hash(data: bytes) -> int:
    """fastText's FNV-1a variant over ``data`` (bytes above 0x7f sign-extended first)."""
    h = FNV_OFFSET
    for byte in data:
        signed = byte - 256 if byte >= 128 else byte
        h = ((h ^ (signed & 0xFFFFFFFF)) * FNV_PRIME) & 0xFFFFFFFF
    return h


def ngrams(word: str, minn: int, maxn: int) -> list[str]:
    """The character n-grams of ``<word>`` that fastText hashes, in fastText's order."""
    wrapped = f"<{word}>"
    found = []
    for i in range(len(wrapped)):
        for n in range(1, maxn + 1):
            if i + n > len(wrapped):
                break
            if n >= minn and not (n == 1 and (i == 0 or i + n == len(wrapped))):
                found.append(wrapped[i : i + n])
    return found


def ngram_buckets(word: str, minn: int, maxn: int, bucket: int) -> list[int]:
    """``hash % bucket`` of each n-gram of ``word`` (before the ``nwords`` offset)."""
    if bucket <= 0 or maxn <= 0:
        return []
    return [fasttext_hash(g.encode("utf-8")) % bucket for g in ngrams(word, minn, maxn)]


def mean_rows_reference(matrix: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """fastText's averaging: add the rows one by one in float32, then scale by 1/n."""
    total = np.zeros(matrix.shape[1], dtype=np.float32)
    for row in rows:
        total += matrix[row]
    return total * np.float32(1.0 / len(rows))


class FastTextSubwords:
    """The subword model of a fastText table: builds vectors for words outside the vocabulary.

    ``input_matrix`` holds ``len(words)`` word rows followed by the bucket rows. ``pruneidx``
    (quantised models) maps a bucket to its row among the kept buckets; buckets not in it are
    dropped, as fastText drops them.
    """

    def __init__(
        self,
        input_matrix: np.ndarray,
        words: Sequence[str],
        minn: int,
        maxn: int,
        bucket: int,
        pruneidx: Mapping[int, int] | None = None,
        labels: Sequence[str] = (),
        output_matrix: np.ndarray | None = None,
        args: Mapping[str, float] | None = None,
    ) -> None:
        if minn < 0 or maxn < 0 or (maxn and minn > maxn):
            raise InvalidParameterError(
                f"The 'minn' and 'maxn' parameters of FastTextSubwords must satisfy 0 <= minn <= maxn. "
                f"Got minn={minn}, maxn={maxn} instead."
            )
        self.input_matrix = input_matrix
        self.words = list(words)
        self.index = {w: i for i, w in enumerate(self.words)}
        self.minn, self.maxn, self.bucket = minn, maxn, bucket
        self.pruneidx = dict(pruneidx) if pruneidx is not None else None
        self.labels = list(labels)
        self.output_matrix = output_matrix
        self.args = dict(args or {})

    @property
    def nwords(self) -> int:
        return len(self.words)

    def ngram_ids(self, word: str) -> np.ndarray:
        """Rows of the input matrix for ``word``'s n-grams (its own row not included)."""
        rows = []
        for h in ngram_buckets(word, self.minn, self.maxn, self.bucket):
            if self.pruneidx is not None:
                if h not in self.pruneidx:
                    continue
                h = self.pruneidx[h]
            rows.append(self.nwords + h)
        return np.asarray(rows, dtype=np.int64)

    def rows_of(self, word: str) -> np.ndarray:
        """Every row fastText averages for ``word``: its own (if known) then its n-grams."""
        own = self.index.get(word)
        if word == EOS and own is not None:  # fastText gives the end-of-sentence token no n-grams
            return np.asarray([own], dtype=np.int64)
        grams = self.ngram_ids(word)
        return grams if own is None else np.concatenate([[own], grams]).astype(np.int64)

    def vector(self, key: str) -> np.ndarray | None:
        """fastText's ``get_word_vector``; ``None`` when the word has no rows at all."""
        rows = self.rows_of(key)
        if len(rows) == 0:
            return None
        return mean_rows_reference(np.asarray(self.input_matrix, np.float32), rows)

    def word_vectors(self) -> np.ndarray:
        """The vector of every vocabulary word, in vocabulary order."""
        from ._subword_kernels import mean_rows

        lists = [self.rows_of(w) for w in self.words]
        offsets = np.zeros(len(lists) + 1, dtype=np.int64)
        offsets[1:] = np.cumsum([len(r) for r in lists])
        flat = np.concatenate(lists) if lists else np.zeros(0, np.int64)
        return mean_rows(np.asarray(self.input_matrix, np.float32), flat, offsets)
