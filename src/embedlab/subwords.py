"""fastText's subword vectors: character n-grams hashed into buckets, exactly as fastText does.

A word ``w`` is wrapped as ``<w>``; every run of ``minn`` to ``maxn`` characters (UTF-8
characters: a continuation byte never starts or splits an n-gram) is hashed with 32-bit
FNV-1a — each byte xor-ed as a sign-extended ``int8``, fastText's quirk kept for
compatibility with every released model — and taken modulo ``bucket``; its row in the input
matrix is ``nwords + hash % bucket``. A single character at either end (``<`` or ``>`` alone)
is skipped, and the end-of-sentence token ``</s>`` has no n-grams.

A word's vector is the mean of its own row (when it is in the vocabulary) and its n-gram rows;
an unknown word gets the mean of its n-gram rows, and a word with no rows at all (``""`` with
``minn >= 3``, any unknown word of a model without n-grams) the zero vector, as in fastText.
``has_vector`` tells these apart.

fastText works on bytes: a dictionary word that is not valid UTF-8 keeps its bytes in the
file (``raw_words``), and those bytes are what gets hashed, so its vector stays fastText's.

Everything here has two paths: a plain-Python reference (``fasttext_hash``, ``ngrams``,
``ngram_buckets_reference``, ``mean_rows_reference``) that reads like fastText's C++, and the
numba kernels in :mod:`embedlab._subword_kernels` used on whole vocabularies; the tests check
that both give the same bits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .errors import InvalidParameterError

FNV_OFFSET = 2166136261
FNV_PRIME = 16777619
EOS = "</s>"
_CHUNK_WORDS = 65_536  # words per kernel call: bounds the n-gram id arrays on huge vocabularies


def fasttext_hash(data: bytes) -> int:
    """fastText's FNV-1a variant over ``data`` (bytes above 0x7f sign-extended first).

    Args:
        data: The bytes to hash.

    Returns:
        The 32-bit hash, as a non-negative int.
    """
    h = FNV_OFFSET
    for byte in data:
        signed = byte | 0xFFFFFF00 if byte >= 0x80 else byte
        h = ((h ^ signed) * FNV_PRIME) & 0xFFFFFFFF
    return h


def encode_word(word: str | bytes) -> bytes:
    """The bytes fastText hashes for ``word`` (bytes pass through; undecodable bytes kept by
    ``surrogateescape`` come back as they were in the file).

    Args:
        word: The word, as text or bytes.

    Returns:
        The word's bytes (UTF-8 for text).
    """
    if isinstance(word, bytes):
        return word
    try:
        return word.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return word.encode("utf-8", "surrogatepass")


def ngram_spans(wrapped: bytes, minn: int, maxn: int) -> list[tuple[int, int]]:
    """``(start, end)`` byte spans of the n-grams of an already wrapped ``<word>``, in the
    order of fastText's ``Dictionary::computeSubwords``.

    Args:
        wrapped: The word's bytes between ``<`` and ``>``.
        minn: The shortest n-gram, in characters.
        maxn: The longest n-gram, in characters.

    Returns:
        The ``(start, end)`` byte spans, in fastText's order.
    """
    spans = []
    size = len(wrapped)
    for i in range(size):
        if wrapped[i] & 0xC0 == 0x80:
            continue
        j, n = i, 1
        while j < size and n <= maxn:
            j += 1
            while j < size and wrapped[j] & 0xC0 == 0x80:
                j += 1
            if n >= minn and not (n == 1 and (i == 0 or j == size)):
                spans.append((i, j))
            n += 1
    return spans


def ngrams(word: str, minn: int, maxn: int) -> list[str]:
    """The character n-grams of ``<word>`` that fastText hashes, in fastText's order.

    Args:
        word: The word (not wrapped).
        minn: The shortest n-gram, in characters.
        maxn: The longest n-gram, in characters.

    Returns:
        The n-grams as text (none for ``</s>``).

    Example:
        >>> ngrams("where", 3, 4)
        ['<wh', '<whe', 'whe', 'wher', 'her', 'here', 'ere', 'ere>', 're>']
    """
    if word == EOS:
        return []
    wrapped = b"<" + encode_word(word) + b">"
    return [
        wrapped[i:j].decode("utf-8", "surrogateescape") for i, j in ngram_spans(wrapped, minn, maxn)
    ]


def ngram_buckets_reference(word: str | bytes, minn: int, maxn: int, bucket: int) -> list[int]:
    """``hash % bucket`` of each n-gram of ``word`` (before the ``nwords`` offset), in Python.

    Args:
        word: The word, as text or bytes.
        minn: The shortest n-gram, in characters.
        maxn: The longest n-gram, in characters (0: no n-grams).
        bucket: The number of hash buckets (0: no n-grams).

    Returns:
        The bucket of each n-gram, in fastText's order.
    """
    raw = encode_word(word)
    if bucket <= 0 or maxn <= 0 or raw == EOS.encode():
        return []
    wrapped = b"<" + raw + b">"
    return [fasttext_hash(wrapped[i:j]) % bucket for i, j in ngram_spans(wrapped, minn, maxn)]


def ngram_buckets_batch(
    words: Sequence[str | bytes], minn: int, maxn: int, bucket: int
) -> tuple[np.ndarray, np.ndarray]:
    """The kernel path of :func:`ngram_buckets_reference` for many words: ``(ids, offsets)``,
    word ``i``'s bucket ids being ``ids[offsets[i]:offsets[i+1]]``.

    Args:
        words: The words, as text or bytes.
        minn: The shortest n-gram, in characters.
        maxn: The longest n-gram, in characters (0: no n-grams).
        bucket: The number of hash buckets (0: no n-grams).

    Returns:
        ``(ids, offsets)``: the int64 bucket ids of every word, one after the other, and the
        ``len(words) + 1`` int64 offsets into them.
    """
    if bucket <= 0 or maxn <= 0 or not words:
        return np.zeros(0, np.int64), np.zeros(len(words) + 1, np.int64)
    from ._subword_kernels import hash_ngrams

    eos = EOS.encode()
    raws = [encode_word(w) for w in words]
    # </s> gets an empty span, hence no n-grams, as in fastText's initNgrams.
    pieces = [b"" if r == eos else b"<" + r + b">" for r in raws]
    starts = np.zeros(len(pieces) + 1, dtype=np.int64)
    np.cumsum([len(p) for p in pieces], out=starts[1:])
    data = np.frombuffer(b"".join(pieces), dtype=np.uint8)
    ids, offsets = hash_ngrams(data, starts, int(minn), int(maxn), int(bucket))
    return ids, offsets


def _differing(texts: Sequence[str], raws: Sequence[bytes] | None) -> dict[str, bytes]:
    if raws is None:
        return {}
    try:  # nearly always every word is its UTF-8 bytes: one join says so for the whole list
        if b"\n".join(raws) == "\n".join(texts).encode("utf-8", "surrogateescape"):
            return {}
    except UnicodeEncodeError:
        pass
    return {t: r for t, r in zip(texts, raws, strict=True) if encode_word(t) != r}


def mean_rows_reference(matrix: np.ndarray, rows: Sequence[int] | np.ndarray) -> np.ndarray:
    """fastText's averaging: add the rows one by one in float32, then scale by float32(1/n).

    Args:
        matrix: The input matrix.
        rows: The rows to average.

    Returns:
        The float32 mean (the zero vector for no rows).
    """
    total = np.zeros(matrix.shape[1], dtype=np.float32)
    for row in rows:
        total += matrix[row]
    if len(rows):
        total *= np.float32(1.0 / len(rows))
    return total


class FastTextSubwords:
    """The subword model of a fastText table: builds a word's vector from its rows.

    Implements :class:`embedlab.vectors.SubwordModel` (``vector(key)``), and gives a trainer
    what it needs: ``ngram_ids(word)`` (input-matrix rows of the word's n-grams) and
    ``rows_of(word)``.

    Args:
        input_matrix: ``len(words)`` word rows followed by the bucket rows (``bucket`` of them,
            or ``len(pruneidx)`` for a pruned quantised model).
        words: The vocabulary, in row order.
        minn: fastText's shortest n-gram length.
        maxn: fastText's longest n-gram length; ``maxn=0`` means no n-grams.
        bucket: fastText's number of hash buckets; ``bucket=0`` means no n-grams (supervised
            models, word-only files).
        pruneidx: Pruned models only (``.ftz`` quantised with a cutoff): bucket -> kept row;
            n-grams whose bucket is not a key are dropped, as fastText drops them.
        labels: Supervised labels. This and the next four are the rest of a fastText model,
            kept so that a model read from a file can be written back whole.
        output_matrix: The output layer.
        args: The training arguments.
        label_counts: How often each label was seen.
        ntokens: The number of tokens trained on.
        raw_words: The bytes of each word in the file, when some are not valid UTF-8: hashed
            and written back instead of the decoded text.
        raw_labels: The same for the labels.
        version: The file version the model was read from (11 or 12), written back unchanged.

    Raises:
        InvalidParameterError: ``minn``, ``maxn`` or ``bucket`` is not an int >= 0, or
            ``input_matrix`` is not 2-D with a row per word then the bucket rows.
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
        args: Mapping[str, Any] | None = None,
        label_counts: Sequence[int] | None = None,
        ntokens: int | None = None,
        raw_words: Sequence[bytes] | None = None,
        raw_labels: Sequence[bytes] | None = None,
        version: int | None = None,
    ) -> None:
        for name, value in (("minn", minn), ("maxn", maxn), ("bucket", bucket)):
            if not isinstance(value, int | np.integer) or value < 0:
                raise InvalidParameterError(
                    f"The {name!r} parameter of FastTextSubwords must be an int >= 0. "
                    f"Got {value!r} instead."
                )
        matrix = np.asarray(input_matrix)
        if matrix.ndim != 2 or matrix.shape[0] < len(words):
            raise InvalidParameterError(
                "The 'input_matrix' parameter of FastTextSubwords must be a 2-D array with a "
                f"row per word ({len(words)}) then the bucket rows. Got shape {matrix.shape} "
                "instead."
            )
        self.input_matrix = matrix if matrix.dtype == np.float32 else matrix.astype(np.float32)
        self.words = list(words)
        self.index = {w: i for i, w in enumerate(self.words)}
        self.minn, self.maxn, self.bucket = int(minn), int(maxn), int(bucket)
        self.pruneidx = None if pruneidx is None else {int(k): int(v) for k, v in pruneidx.items()}
        nbuckets = len(self.pruneidx) if self.pruneidx is not None else self.bucket
        if self.uses_ngrams and matrix.shape[0] < len(self.words) + nbuckets:
            raise InvalidParameterError(
                f"The 'input_matrix' parameter of FastTextSubwords must have {len(self.words)} "
                f"word rows + {nbuckets} bucket rows. Got {matrix.shape[0]} rows instead."
            )
        self.labels = list(labels)
        self.label_counts = [1] * len(self.labels) if label_counts is None else list(label_counts)
        self.output_matrix = output_matrix
        self.args: dict[str, Any] = dict(args or {})
        self.ntokens = ntokens
        self.version = version
        # Only the words whose bytes differ from their UTF-8 text (invalid UTF-8 in the file).
        self.raw_words = _differing(self.words, raw_words)
        self.raw_labels = _differing(self.labels, raw_labels)
        self._prune_keys, self._prune_rows = self._prune_table()

    @property
    def nwords(self) -> int:
        """Number of word rows at the top of the input matrix."""
        return len(self.words)

    @property
    def dim(self) -> int:
        """Number of dimensions of every vector."""
        return int(self.input_matrix.shape[1])

    @property
    def uses_ngrams(self) -> bool:
        """Whether words get n-gram rows at all (``maxn > 0`` and ``bucket > 0``)."""
        return self.maxn > 0 and self.bucket > 0

    def __repr__(self) -> str:
        return (
            f"FastTextSubwords({self.nwords} words, bucket={self.bucket}, minn={self.minn}, "
            f"maxn={self.maxn}, dim={self.dim})"
        )

    def _prune_table(self) -> tuple[np.ndarray, np.ndarray]:
        if not self.pruneidx:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        keys = np.fromiter(self.pruneidx.keys(), np.int64, len(self.pruneidx))
        rows = np.fromiter(self.pruneidx.values(), np.int64, len(self.pruneidx))
        order = np.argsort(keys)
        return keys[order], rows[order]

    def _to_rows(self, ids: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Bucket ids -> input-matrix rows, dropping pruned buckets (and fixing the offsets)."""
        if self.pruneidx is None:
            return ids + self.nwords, offsets
        keys = self._prune_keys
        if len(keys) == 0:  # pruneidx_size 0: fastText keeps no n-gram at all
            return np.zeros(0, np.int64), np.zeros_like(offsets)
        pos = np.minimum(np.searchsorted(keys, ids), len(keys) - 1)
        kept = keys[pos] == ids
        before = np.zeros(len(ids) + 1, np.int64)
        np.cumsum(kept, out=before[1:])
        return self._prune_rows[pos[kept]] + self.nwords, before[offsets]

    def encode(self, word: str | bytes) -> bytes:
        """The bytes fastText hashes for ``word`` (the file's bytes for an invalid-UTF-8 word).

        Args:
            word: The word, as text or bytes.

        Returns:
            The bytes to hash.
        """
        if isinstance(word, str) and word in self.raw_words:
            return self.raw_words[word]
        return encode_word(word)

    def ngram_ids(self, word: str | bytes) -> np.ndarray:
        """Rows of the input matrix for ``word``'s n-grams (its own row not included).

        Args:
            word: The word, as text or bytes.

        Returns:
            The int64 rows (empty without n-grams).
        """
        if not self.uses_ngrams:
            return np.zeros(0, np.int64)
        ids = np.asarray(
            ngram_buckets_reference(self.encode(word), self.minn, self.maxn, self.bucket),
            dtype=np.int64,
        )
        rows, _ = self._to_rows(ids, np.array([0, len(ids)], np.int64))
        return rows

    def ngram_ids_batch(self, words: Sequence[str | bytes]) -> tuple[np.ndarray, np.ndarray]:
        """``ngram_ids`` for many words through the kernel: ``(rows, offsets)``.

        Args:
            words: The words, as text or bytes.

        Returns:
            ``(rows, offsets)``: the int64 rows of every word, one after the other, and the
            ``len(words) + 1`` int64 offsets into them.
        """
        if not self.uses_ngrams:
            return np.zeros(0, np.int64), np.zeros(len(words) + 1, np.int64)
        if self.raw_words:
            words = [self.encode(w) for w in words]
        ids, offsets = ngram_buckets_batch(words, self.minn, self.maxn, self.bucket)
        return self._to_rows(ids, offsets)

    def rows_of(self, word: str) -> np.ndarray:
        """Every row fastText averages for ``word``: its own (if known) then its n-grams.

        Args:
            word: The word.

        Returns:
            The int64 rows.
        """
        own = self.index.get(word)
        grams = self.ngram_ids(word)
        return grams if own is None else np.concatenate([[own], grams]).astype(np.int64)

    def vector(self, key: str) -> np.ndarray | None:
        """fastText's ``get_word_vector``: the zero vector when the word has no rows at all
        (``""`` and other words with no n-grams; any unknown word of a supervised model
        without n-grams), as fastText gives.

        A words-only table (no n-grams, not a supervised model: plain vectors saved as
        ``.bin``) gives ``None`` for unknown words instead, so they stay unknown.

        Args:
            key: The word.

        Returns:
            The float32 vector, or ``None`` (see above).
        """
        rows = self.rows_of(key)
        if len(rows) == 0 and not (self.uses_ngrams or self.args.get("model") == 3):
            return None
        return mean_rows_reference(self.input_matrix, rows)

    def has_vector(self, key: str) -> bool:
        """Whether ``key`` has any row to build a vector from (its own, or an n-gram's).

        Args:
            key: The word.

        Returns:
            ``True`` when ``key`` has a row of its own or an n-gram row.
        """
        return key in self.index or len(self.ngram_ids(key)) > 0

    def word_vectors(
        self, words: Sequence[str] | None = None, raw: Sequence[bytes] | None = None
    ) -> np.ndarray:
        """The vectors of many words (default: the vocabulary) through the kernels.

        ``raw`` gives the bytes to hash when they differ from ``words`` (a file read with
        ``unicode_errors="replace"``: fastText hashes the bytes in the file).

        Args:
            words: The words (default: the vocabulary).
            raw: The bytes to hash for each word, when they differ from ``words``.

        Returns:
            A ``len(words) x dim`` float32 matrix.
        """
        from ._subword_kernels import mean_word_rows

        names = self.words if words is None else list(words)
        out = np.zeros((len(names), self.dim), dtype=np.float32)
        for start in range(0, len(names), _CHUNK_WORDS):
            part = names[start : start + _CHUNK_WORDS]
            hashed: Sequence[str | bytes] = part if raw is None else raw[start : start + len(part)]
            own = np.fromiter((self.index.get(w, -1) for w in part), np.int64, len(part))
            rows, offsets = self.ngram_ids_batch(hashed)
            out[start : start + len(part)] = mean_word_rows(self.input_matrix, own, rows, offsets)
        return out
