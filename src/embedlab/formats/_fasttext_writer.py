"""Write a fastText ``.bin`` (version 12) that the official library opens."""

from __future__ import annotations

import struct
import warnings
from typing import Any

import numpy as np

from .._io import PathLike, atomic_write
from ..errors import DataError
from ..subwords import FastTextSubwords
from ..vectors import Vectors
from ._fasttext_fields import ARG_NAMES, LOSS_NS, MAGIC, MODEL_SKIPGRAM, MODEL_SUPERVISED, VERSION

# What write_fasttext_bin puts in the arguments a Vectors does not know (fastText's defaults
# for skipgram); a model read from a file keeps its own.
_DEFAULT_ARGS: dict[str, Any] = {
    "dim": 100, "ws": 5, "epoch": 5, "min_count": 5, "neg": 5, "word_ngrams": 1,
    "loss": LOSS_NS, "model": MODEL_SKIPGRAM, "bucket": 0, "minn": 0, "maxn": 0,
    "lr_update_rate": 100, "t": 1e-4,
}


def write_fasttext_bin(vectors: Vectors, path: PathLike) -> None:
    """Write a fastText ``.bin`` (version 12) that the official library opens.

    * ``vectors.subwords`` is a :class:`FastTextSubwords` (read from a ``.bin``, or trained):
      the whole model is written — arguments, labels, bucket rows, output matrix — so unknown
      words keep their vectors. Each key's row is chosen so that fastText's average gives
      ``vectors[key]``: the original row when the vector is unchanged, otherwise one solved
      for (``n * vector - sum of n-gram rows``), so ``v.with_matrix(...)`` and ``v.top(n)``
      are written faithfully (keys left out become unknown words with n-gram vectors).
    * Otherwise (plain vectors, or a pruned ``.ftz`` whose buckets fastText only accepts
      quantised) the file holds the words alone: ``bucket=0``, ``minn=maxn=0``. fastText then
      returns the same vectors for the keys and zeros for unknown words.

    Args:
        vectors: The vectors to write.
        path: The file to write.

    Raises:
        DataError: A key holds a NUL byte.
    """
    keys = vectors.keys
    for key in keys:
        if "\x00" in key:
            raise DataError(f"the key {key!r} holds a NUL byte, which a fastText file cannot store")
    source = vectors.subwords if isinstance(vectors.subwords, FastTextSubwords) else None
    if source is not None and source.dim != vectors.dim:
        source = None  # a subword model of another dimension says nothing about these vectors
    whole = source is not None and not (source.pruneidx is not None and source.uses_ngrams)
    if source is not None and not whole:
        warnings.warn(
            "a pruned quantised fastText model cannot be written as a dense .bin; writing the "
            "word vectors alone (unknown words will get no vector)",
            stacklevel=2,
        )
    counts = _counts_for(vectors)
    args = dict(_DEFAULT_ARGS) | (dict(source.args) if source is not None else {})
    args["dim"] = vectors.dim
    labels = source.labels if source is not None else []
    label_counts = source.label_counts if source is not None else []
    supervised = args["model"] == MODEL_SUPERVISED
    output = source.output_matrix if source is not None else None
    ntokens = int(sum(counts))
    version = VERSION
    if source is not None and whole:
        args.update(bucket=source.bucket, minn=source.minn, maxn=source.maxn)
        if source.version is not None:  # written back as read: the same version, and the
            version = source.version  # maxn that version 11 ignores in supervised models
            args["maxn"] = source.args.get("maxn", source.maxn)
        input_parts = [_word_rows(vectors, source), source.input_matrix[source.nwords :]]
        same_vocab = source.words == keys
        if not supervised and not same_vocab:
            output = None  # the output layer belongs to the old vocabulary
        if source.ntokens is not None and same_vocab:
            ntokens = source.ntokens
        if same_vocab and vectors.counts is not None:
            counts = [int(c) for c in vectors.counts]  # as read, even a count of 0
    else:
        # fastText hashes word n-grams modulo bucket: none without buckets.
        args.update(bucket=0, minn=0, maxn=0, word_ngrams=1)
        input_parts = [np.asarray(vectors.matrix, dtype=np.float32)]
    if output is None:  # fastText wants an output layer to load; zeros are harmless for lookups
        rows = len(labels) if supervised else len(keys)
        output = np.zeros((rows, vectors.dim), dtype=np.float32)
    with atomic_write(path) as out:
        out.write(struct.pack("<2i", MAGIC, version))
        out.write(struct.pack("<12i", *(int(args[name]) for name in ARG_NAMES)))
        out.write(struct.pack("<d", float(args["t"])))
        out.write(struct.pack("<3iqq", len(keys) + len(labels), len(keys), len(labels), ntokens, -1))
        raw_words = source.raw_words if source is not None else {}
        raw_labels = source.raw_labels if source is not None else {}
        entries = [_entry(k, raw_words, c, 0) for k, c in zip(keys, counts, strict=True)]
        entries += [_entry(lab, raw_labels, int(c), 1)
                    for lab, c in zip(labels, label_counts, strict=True)]
        out.write(b"".join(entries))
        # Written part by part: the bucket rows (often most of the model) are never copied.
        for parts in (input_parts, [np.asarray(output, dtype=np.float32)]):
            out.write(struct.pack("<?qq", False, sum(len(p) for p in parts), vectors.dim))
            for part in parts:
                np.ascontiguousarray(part, dtype="<f4").tofile(out)


def _entry(text: str, raw: dict[str, bytes], count: int, kind: int) -> bytes:
    """A dictionary entry: the word's bytes as read (invalid UTF-8 kept), NUL, count, type."""
    data = raw[text] if text in raw else text.encode("utf-8", "surrogateescape")
    return data + b"\x00" + struct.pack("<qb", count, kind)


def _counts_for(vectors: Vectors) -> list[int]:
    # fastText builds its negative-sampling table from the counts: keep them positive.
    if vectors.counts is not None:
        return [max(int(c), 1) for c in vectors.counts]
    return [1] * len(vectors)


def _word_rows(vectors: Vectors, sub: FastTextSubwords) -> np.ndarray:
    """A row per key of ``vectors`` such that, with ``sub``'s bucket rows below them,
    fastText's average gives back each key's vector.

    Where the key's original row already gives its vector, that row is kept bit for bit;
    elsewhere (changed vectors, new keys) the row is solved for. The bucket rows do not move
    (only their offset ``nwords`` changes), so everything is computed on ``sub``'s matrix.
    """
    from .._subword_kernels import mean_word_rows

    keys = vectors.keys
    target = np.asarray(vectors.matrix, dtype=np.float32)
    own = np.fromiter((sub.index.get(k, -1) for k in keys), np.int64, len(keys))
    known = own >= 0
    rows = np.zeros((len(keys), sub.dim), dtype=np.float32)
    rows[known] = sub.input_matrix[own[known]]
    gram_rows, offsets = sub.ngram_ids_batch(keys)
    computed = mean_word_rows(sub.input_matrix, own, gram_rows, offsets)
    redo = np.nonzero(~known | np.any(computed != target, axis=1))[0]
    if len(redo):
        counts = np.diff(offsets)[redo]
        picked = np.concatenate([gram_rows[offsets[i] : offsets[i + 1]] for i in redo])
        owner = np.repeat(np.arange(len(redo)), counts)
        sums = np.zeros((len(redo), sub.dim), dtype=np.float64)
        np.add.at(sums, owner, sub.input_matrix[picked].astype(np.float64))
        n = counts[:, None] + 1.0
        solved = (target[redo] * n - sums).astype(np.float32)
        # fastText sums in float32: nudge the solved rows towards the ones its own arithmetic
        # turns into the vector bit for bit, keeping each row's best try (an exact row is
        # not always reachable: the sum's rounding step can exceed the vector's).
        grams = [gram_rows[offsets[i] : offsets[i + 1]] for i in redo]
        want = target[redo].astype(np.float64)
        best, best_error = solved.copy(), np.full(len(redo), np.inf)
        for _ in range(4):
            got = _float32_average(solved, grams, sub.input_matrix).astype(np.float64)
            error = np.abs(got - want).sum(axis=1)
            better = error < best_error
            best[better], best_error[better] = solved[better], error[better]
            if not best_error.any():
                break
            solved = (solved.astype(np.float64) + (want - got) * n).astype(np.float32)
        solved = best
        rows[redo] = solved
    return rows


def _float32_average(own: np.ndarray, grams: list[np.ndarray], matrix: np.ndarray) -> np.ndarray:
    """fastText's average of each word's own row and its n-gram rows, added in order in
    float32 (as ``mean_word_rows`` does), for rows that are not in ``matrix`` yet."""
    total = own.copy()
    lengths = np.array([len(g) for g in grams], np.int64)
    for k in range(int(lengths.max(initial=0))):
        has = np.flatnonzero(lengths > k)
        total[has] += matrix[[int(grams[i][k]) for i in has]]
    scale = (1.0 / (lengths + 1.0)).astype(np.float32)
    averaged: np.ndarray = total * scale[:, None]
    return averaged
